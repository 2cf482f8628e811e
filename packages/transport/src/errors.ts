/**
 * Every failure `@petrichor/transport` reports is a {@link TransportError} with a stable `code`
 * (documented in the package README). Errors from the operating system or the `ws` library are
 * kept as `cause`.
 */

/** Stable codes of {@link TransportError}. */
export type TransportErrorCode =
  | 'TRANSPORT_UNSUPPORTED_URL'
  | 'TRANSPORT_REFUSED'
  | 'TRANSPORT_TIMEOUT'
  | 'TRANSPORT_TLS'
  | 'TRANSPORT_PATH_TOO_LONG'
  | 'TRANSPORT_ADDRESS_IN_USE'
  | 'TRANSPORT_ADDRESS_UNAVAILABLE'
  | 'TRANSPORT_CLOSED'
  | 'TRANSPORT_PROTOCOL'
  | 'TRANSPORT_WS_CLOSED';

/**
 * A transport failed to connect, to listen, or to carry the stream. `code` says which way:
 *
 * - `TRANSPORT_UNSUPPORTED_URL`: the URL is malformed, its scheme unknown, or the scheme needs
 *   `@petrichor/transport/node` (tcp, unix, tls, listening on ws/wss).
 * - `TRANSPORT_REFUSED`: nothing accepted the connection (nothing listening, no such socket file
 *   or `mem://` name, host not found, WebSocket handshake refused).
 * - `TRANSPORT_TIMEOUT`: the connection was not up within `timeoutMs`.
 * - `TRANSPORT_TLS`: the TLS handshake failed ({@link TlsError}).
 * - `TRANSPORT_PATH_TOO_LONG`: a Unix socket path over the platform's limit.
 * - `TRANSPORT_ADDRESS_IN_USE`: the port, socket file or `mem://` name is taken.
 * - `TRANSPORT_ADDRESS_UNAVAILABLE`: the address cannot be listened on (not an address of this
 *   host, permission denied, no such directory).
 * - `TRANSPORT_CLOSED`: the listener closed the stream (shutdown deadline passed).
 * - `TRANSPORT_PROTOCOL`: the peer broke the transport's own rules (a text WebSocket message).
 * - `TRANSPORT_WS_CLOSED`: the WebSocket closed abnormally ({@link WebSocketClosedError}).
 */
export class TransportError extends Error {
  readonly code: TransportErrorCode;
  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  /** Written out in each class: a minifier renames classes, so `constructor.name` would not do. */
  override get name(): string {
    return 'TransportError';
  }
}

/** The TLS handshake failed: the peer's certificate is not vouched for, names do not match, … */
export class TlsError extends TransportError {
  override get name(): string {
    return 'TlsError';
  }
  /** The OpenSSL or Node reason, e.g. `SELF_SIGNED_CERT_IN_CHAIN`, `ERR_TLS_CERT_ALTNAME_INVALID`. */
  readonly reason: string;
  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super('TRANSPORT_TLS', message, options);
    this.reason = reason;
  }
}

/**
 * The WebSocket closed other than cleanly (spec/transports.md §5.4): `closeCode` is the code
 * received (or 1006 when the connection dropped without a close frame), `closeReason` its text.
 */
export class WebSocketClosedError extends TransportError {
  override get name(): string {
    return 'WebSocketClosedError';
  }
  readonly closeCode: number;
  readonly closeReason: string;
  constructor(closeCode: number, closeReason: string, options?: { cause?: unknown }) {
    super('TRANSPORT_WS_CLOSED', `the WebSocket closed: ${describeClose(closeCode, closeReason)}`, options);
    this.closeCode = closeCode;
    this.closeReason = closeReason;
  }
}

/** `1011: boom`; a dropped connection says so, as 1006 is the code nobody sent. */
function describeClose(code: number, reason: string): string {
  return `${code}${code === 1006 ? ' (dropped without a close frame)' : ''}${reason === '' ? '' : `: ${reason}`}`;
}
