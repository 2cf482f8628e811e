import { RpcError } from './errors.js';

/**
 * The caller's end of cancellation (spec/rpc.md §3.3): an `AbortSignal` and a relative timeout
 * watched for one call. When either fires, `reason` is set (`RpcError` 499 with the signal's
 * reason as `cause`, or 408) and `cancel` runs once; the call then closes its channel, which the
 * callee sees as a cancel. Made only for calls that have a signal or a timeout.
 */
export class CallGuard {
  /** Why the call was cut short, once it was. */
  reason: RpcError | null = null;
  readonly #cancel: (reason: RpcError) => void;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #signal: AbortSignal | undefined = undefined;

  constructor(signal: AbortSignal | undefined, timeout: number | undefined, cancel: (reason: RpcError) => void) {
    this.#cancel = cancel;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.reason = cancelled(signal);
        return;
      }
      this.#signal = signal;
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    if (timeout !== undefined) this.#timer = setTimeout(this.#onTimeout, timeout);
  }

  /** Cuts the call short now with `reason` (e.g. `cancel()` by the caller). */
  fire(reason: RpcError): void {
    if (this.reason !== null) return;
    this.reason = reason;
    this.dispose();
    this.#cancel(reason);
  }

  /** Stops watching (the call is over). */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
  }

  readonly #onAbort = (): void => {
    if (this.#signal !== undefined) this.fire(cancelled(this.#signal));
  };

  readonly #onTimeout = (): void => {
    this.#timer = undefined;
    this.fire(RpcError.deadlineExceeded());
  };
}

function cancelled(signal: AbortSignal): RpcError {
  return new RpcError(499, 'cancelled', undefined, { cause: signal.reason });
}
