import type { CallContext } from '@petrichor/rpc';

/** Options of {@link httpHandler} (and {@link serveHttp}). */
export interface HttpOptions {
  /** Largest request body, in bytes; past it the answer is 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Longest a call may run, in ms, before it ends with 408 (the handler's signal fires). A
   * request's `Petrichor-Timeout` header may ask for less, never more. Default 30,000.
   */
  timeoutMs?: number;
  /** Where the manifest is served (`GET`). Default `/.well-known/petrichor`. */
  manifestPath?: string;
  /** Told of handler failures that reach the client as a bare 500. Default the server's `onError`. */
  onError?: (error: unknown, ctx: CallContext | undefined) => void;
}

/** Defaults of {@link HttpOptions}. */
export const HTTP_DEFAULTS = Object.freeze({
  /** 1 MiB: public clients send arguments, not uploads; raise it for routes that take more. */
  maxBodyBytes: 1024 * 1024,
  /** 30 s: a public request should not hold a handler longer than a browser waits. */
  timeoutMs: 30_000,
  manifestPath: '/.well-known/petrichor',
});

/** The options with defaults filled in; `RangeError` for a value out of range. */
export function resolveOptions(options: HttpOptions): Required<Omit<HttpOptions, 'onError'>> {
  const maxBodyBytes = options.maxBodyBytes ?? HTTP_DEFAULTS.maxBodyBytes;
  const timeoutMs = options.timeoutMs ?? HTTP_DEFAULTS.timeoutMs;
  const manifestPath = options.manifestPath ?? HTTP_DEFAULTS.manifestPath;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) throw new RangeError(`maxBodyBytes must be an integer ≥ 0, got ${maxBodyBytes}`);
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2 ** 31 - 1) {
    throw new RangeError(`timeoutMs must be an integer in [1, 2^31 - 1], got ${timeoutMs}`);
  }
  if (!manifestPath.startsWith('/')) throw new RangeError(`manifestPath must start with "/", got "${manifestPath}"`);
  return { maxBodyBytes, timeoutMs, manifestPath };
}
