/**
 * The errors of `@petrichor/rpc` (spec/rpc.md §4.3). Two families:
 *
 * - {@link RpcError}: the one error model of a call, `(err :code N :message "…" :data …)` on the
 *   wire. Handlers throw it; callers reject with it. The numeric `code` follows HTTP's meaning.
 * - {@link RpcSessionError} and its subclasses: failures that are not a peer's answer to a call
 *   (the connection is gone, the session was closed, the handshake was denied, the peer broke
 *   the protocol). Each has a stable string `code`.
 *
 * Nothing else is thrown or rejected with on bad input from a peer.
 */
import { LimitError, type Value, type WireError } from '@petrichor/wire';

/** The codes this package gives a meaning to, with their stable names (see {@link RpcError.kind}). */
export const STATUS = Object.freeze({
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'VERB_NOT_ALLOWED',
  408: 'DEADLINE_EXCEEDED',
  409: 'CONFLICT',
  413: 'TOO_LARGE',
  429: 'TOO_MANY_CALLS',
  499: 'CANCELLED',
  500: 'INTERNAL',
  502: 'BAD_GATEWAY',
  503: 'UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
} as const);

/** Default messages that are not the code's name in lower case (`NOT_FOUND`: "not found"). */
const MESSAGES: Readonly<Record<number, string>> = { 429: 'too many calls in flight', 500: 'internal error' };

/** Makes an {@link RpcError} of one code: `message` defaults to the code's, `data` is optional. */
export type RpcErrorOf = (message?: string, data?: Value) => RpcError;

/**
 * A call's error: `code` (400…599), `message` (text safe to show the caller) and optional `data`
 * (any value). Thrown by handlers to answer with an error; the caller's promise rejects with one
 * built from the reply. Anything a handler throws that is not an `RpcError` reaches the caller as
 * code 500, message "internal error", and nothing more (no stack, no message text).
 */
export class RpcError extends Error {
  /** The numeric code (spec/rpc.md §4.3): 4xx the caller's fault, 5xx the callee's. */
  readonly code: number;
  /** Extra detail for the caller, sent on the wire as `:data`. */
  readonly data: Value | undefined;

  constructor(code: number, message?: string, data?: Value, options?: { cause?: unknown }) {
    const kind = (STATUS as Readonly<Record<number, string>>)[code];
    super(message ?? MESSAGES[code] ?? kind?.replaceAll('_', ' ').toLowerCase() ?? 'error', options);
    this.code = code;
    this.data = data;
  }

  override get name(): string {
    return 'RpcError';
  }

  /** A stable name for the code (`NOT_FOUND`, …), or `ERROR_<code>` for codes without one. */
  get kind(): string {
    return (STATUS as Readonly<Record<number, string>>)[this.code] ?? `ERROR_${this.code}`;
  }

  /** Anything thrown, as an `RpcError`: itself if it is one, else 500 "internal error" (with `cause`). */
  static from(error: unknown): RpcError {
    return error instanceof RpcError ? error : new RpcError(500, undefined, undefined, { cause: error });
  }

  // One factory per code of STATUS, named after it (`NOT_FOUND`: `notFound`), made below: a
  // table and a loop instead of fourteen near-copies.
  /** 400: the request is malformed (a bad header field, a body the handler cannot use). */
  declare static badRequest: RpcErrorOf;
  /** 401: no credentials, or bad ones. */
  declare static unauthenticated: RpcErrorOf;
  /** 403: the caller is known but not allowed. */
  declare static forbidden: RpcErrorOf;
  /** 404: no route for the path. */
  declare static notFound: RpcErrorOf;
  /** 405: the path exists, but not for this verb. */
  declare static verbNotAllowed: RpcErrorOf;
  /** 408: the call's deadline passed. */
  declare static deadlineExceeded: RpcErrorOf;
  /** 409: the request conflicts with the current state. */
  declare static conflict: RpcErrorOf;
  /** 413: the request is too large. */
  declare static tooLarge: RpcErrorOf;
  /** 429: too many calls in flight on the session. */
  declare static tooManyCalls: RpcErrorOf;
  /** 499: the caller cancelled the call. */
  declare static cancelled: RpcErrorOf;
  /** 500: the callee failed. */
  declare static internal: RpcErrorOf;
  /** 502: a relay's backend answered with something unusable. */
  declare static badGateway: RpcErrorOf;
  /** 503: overloaded or shutting down: try again later. */
  declare static unavailable: RpcErrorOf;
  /** 504: a relay's backend did not answer in time. */
  declare static gatewayTimeout: RpcErrorOf;
}

for (const [code, kind] of Object.entries(STATUS)) {
  const name = kind.toLowerCase().replace(/_(.)/g, (_, letter: string) => letter.toUpperCase());
  const make: RpcErrorOf = (message, data) => new RpcError(Number(code), message, data);
  Object.defineProperty(RpcError, name, { value: make, writable: true, configurable: true });
}

/** Stable codes of {@link RpcSessionError} and its subclasses. */
export type RpcSessionErrorCode =
  | 'RPC_CONNECTION_LOST'
  | 'RPC_SESSION_CLOSED'
  | 'RPC_HANDSHAKE_DENIED'
  | 'RPC_HANDSHAKE'
  | 'RPC_HANDSHAKE_TIMEOUT'
  | 'RPC_PROTOCOL'
  | 'RPC_CALL_ENDED'
  | 'RPC_NO_ENDPOINT';

/** Base class of the failures that are not a peer's answer to a call. */
export abstract class RpcSessionError extends Error {
  abstract readonly code: RpcSessionErrorCode;
  /** Written out in each class: a minifier renames classes, so `constructor.name` would not do. */
  override get name(): string {
    return 'RpcSessionError';
  }
}

/**
 * The connection under the session ended or failed (the peer vanished, the socket broke, the
 * peer broke the qmux protocol) while the call was in flight. `cause` holds the mux error.
 */
export class ConnectionLostError extends RpcSessionError {
  readonly code = 'RPC_CONNECTION_LOST' as const;
  override get name(): string {
    return 'ConnectionLostError';
  }
}

/** The session was closed on this side (`close()`) before the operation completed. */
export class SessionClosedError extends RpcSessionError {
  readonly code = 'RPC_SESSION_CLOSED' as const;
  override get name(): string {
    return 'SessionClosedError';
  }
}

/** The server answered the handshake with `allowed: false`. */
export class HandshakeDeniedError extends RpcSessionError {
  readonly code = 'RPC_HANDSHAKE_DENIED' as const;
  override get name(): string {
    return 'HandshakeDeniedError';
  }
  /** The server's numeric code: 400 malformed, 401 unauthenticated, 403 forbidden, … */
  readonly status: number;
  /** The server's reason (the denial's BODY as text). */
  readonly reason: string;
  constructor(status: number, reason: string) {
    super(`handshake denied (${status}): ${reason}`);
    this.status = status;
    this.reason = reason;
  }
}

/**
 * The handshake failed without a denial: the peer's handshake message is malformed, too large,
 * of another protocol version or codec, or the stream ended during it. `reason` says which.
 */
export class HandshakeError extends RpcSessionError {
  readonly code = 'RPC_HANDSHAKE' as const;
  override get name(): string {
    return 'HandshakeError';
  }
}

/** The handshake did not complete within its timeout. */
export class HandshakeTimeoutError extends RpcSessionError {
  readonly code = 'RPC_HANDSHAKE_TIMEOUT' as const;
  override get name(): string {
    return 'HandshakeTimeoutError';
  }
}

/**
 * The peer broke the rpc protocol on a call: a message that does not decode, a reply without a
 * `status`, a unary call answered with a stream. The call fails; the session goes on.
 */
export class RpcProtocolError extends RpcSessionError {
  readonly code = 'RPC_PROTOCOL' as const;
  override get name(): string {
    return 'RpcProtocolError';
  }
}

/**
 * A message was sent on a call that is over: the peer has answered and closed it. (A call this
 * side cancelled rejects with its cancel reason instead, an `RpcError` 499 or 408.)
 */
export class CallEndedError extends RpcSessionError {
  readonly code = 'RPC_CALL_ENDED' as const;
  override get name(): string {
    return 'CallEndedError';
  }
}

/**
 * An `Endpoints` client could reach none of its endpoints: each failed to connect or is waiting
 * out its backoff. `errors` holds each one's last failure.
 */
export class NoEndpointError extends RpcSessionError {
  readonly code = 'RPC_NO_ENDPOINT' as const;
  override get name(): string {
    return 'NoEndpointError';
  }
  readonly errors: readonly Error[];
  constructor(message: string, errors: readonly Error[]) {
    super(message);
    this.errors = errors;
  }
}

/** The answer to a request that is not a readable message: 413 past a limit, else 400. @internal */
export function requestError(error: WireError): RpcError {
  return error instanceof LimitError ? RpcError.tooLarge(error.message) : RpcError.badRequest(error.message);
}
