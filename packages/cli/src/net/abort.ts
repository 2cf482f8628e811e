import { CliError } from '../errors.js';
import { EXIT } from '../exit.js';

/** The error a command stops with when SIGINT or SIGTERM arrives. */
export function interrupted(): CliError {
  return new CliError(EXIT.interrupted, 'interrupted');
}

/**
 * `promise`, unless `signal` fires first: then rejects with {@link interrupted}, and `discard`
 * is called on the value if it arrives later (to close a connection nobody will use).
 */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal, discard: (value: T) => void): Promise<T> {
  if (signal.aborted) {
    promise.then(discard, () => {});
    return Promise.reject(interrupted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.then(discard, () => {});
      reject(interrupted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
