/**
 * Every failure `@petrichor/mux` reports is one of these classes. Each has a stable `code`
 * (documented in the package README); nothing else is thrown or rejected with on bad input.
 */

/** Stable codes of {@link MuxError} and its subclasses. */
export type MuxErrorCode =
  | 'MUX_PROTOCOL'
  | 'MUX_SESSION_CLOSED'
  | 'MUX_TRANSPORT'
  | 'MUX_OPEN_REFUSED'
  | 'MUX_OPEN_TIMEOUT'
  | 'MUX_CHANNEL_LIMIT'
  | 'MUX_CHANNEL_CLOSED'
  | 'MUX_WRITE_AFTER_EOF'
  | 'MUX_ABORTED'
  | 'MUX_KEEPALIVE_TIMEOUT';

/** Base class of every error this package throws or rejects with. */
export abstract class MuxError extends Error {
  abstract readonly code: MuxErrorCode;
  /** Written out in each class: a minifier renames classes, so `constructor.name` would not do. */
  override get name(): string {
    return 'MuxError';
  }
}

/**
 * The base of each concrete class: its code, and its name written out (a minifier renames
 * classes, so `constructor.name` would not do). One small class per code instead of a copy of
 * both members in each.
 */
function kind<C extends MuxErrorCode>(name: string, code: C) {
  return class extends MuxError {
    readonly code: C = code;
    override get name(): string {
      return name;
    }
  };
}

/**
 * The peer broke the protocol (spec/qmux.md §6): an unknown message number, data past the window
 * or over the max packet, a message for a channel id that is not live, and so on. Fatal: the
 * session closes, and every pending operation on it rejects with this error.
 */
export class ProtocolError extends kind('ProtocolError', 'MUX_PROTOCOL') {
  /** Why, without the position: for example `DATA past the window`. */
  readonly reason: string;
  /** Offset in the incoming byte stream of the first byte of the offending message. */
  readonly offset: number | undefined;
  constructor(reason: string, offset?: number) {
    super(offset === undefined ? reason : `${reason} (message at byte ${offset})`);
    this.reason = reason;
    this.offset = offset;
  }
}

/** The session was closed (locally, or the transport ended cleanly) before the operation completed. */
export class SessionClosedError extends kind('SessionClosedError', 'MUX_SESSION_CLOSED') {}

/** The byte stream under the session failed (a socket error, a rejected write). `cause` holds its error. */
export class TransportError extends kind('TransportError', 'MUX_TRANSPORT') {}

/** The peer answered our OPEN with OPEN_FAILURE (it is over a limit, or refused the channel). */
export class OpenRefusedError extends kind('OpenRefusedError', 'MUX_OPEN_REFUSED') {}

/** No OPEN_CONFIRM or OPEN_FAILURE arrived within `openTimeoutMs`. */
export class OpenTimeoutError extends kind('OpenTimeoutError', 'MUX_OPEN_TIMEOUT') {}

/** `open()` was called while `maxChannels` channels are live on the session. */
export class ChannelLimitError extends kind('ChannelLimitError', 'MUX_CHANNEL_LIMIT') {}

/** The channel is closed (by us or by the peer): it cannot be written to or half-closed any more. */
export class ChannelClosedError extends kind('ChannelClosedError', 'MUX_CHANNEL_CLOSED') {}

/** A write after `closeWrite()`: we already sent EOF on this channel. */
export class WriteAfterEofError extends kind('WriteAfterEofError', 'MUX_WRITE_AFTER_EOF') {}

/** The operation's `AbortSignal` fired. `cause` holds the signal's reason. */
export class AbortedError extends kind('AbortedError', 'MUX_ABORTED') {}

/**
 * The peer did not answer in time (spec/qmux.md §5.3): a keepalive ping got no byte back within
 * `keepaliveTimeoutMs`, which ends the session, or `ping()` got no answer, which does not.
 */
export class KeepaliveTimeoutError extends kind('KeepaliveTimeoutError', 'MUX_KEEPALIVE_TIMEOUT') {}
