/**
 * The seven qmux messages (spec/qmux.md §2). Each is a type byte, then big-endian u32 fields
 * (DATA's payload follows its two fields):
 *
 * | type | fields |
 * |---|---|
 * | OPEN (100) | sender id, initial window, max packet |
 * | OPEN_CONFIRM (101) | recipient id, sender id, initial window, max packet |
 * | OPEN_FAILURE (102) | recipient id |
 * | WINDOW_ADJUST (103) | recipient id, bytes to add |
 * | DATA (104) | recipient id, length; then `length` payload bytes |
 * | EOF (105) | recipient id |
 * | CLOSE (106) | recipient id |
 */

/**
 * The message numbers as plain constants, for this package's own code: a bundler inlines a
 * constant (not an object's field), which keeps a minified client smaller.
 */
export const MSG_OPEN = 100;
export const MSG_OPEN_CONFIRM = 101;
export const MSG_OPEN_FAILURE = 102;
export const MSG_WINDOW_ADJUST = 103;
export const MSG_DATA = 104;
export const MSG_EOF = 105;
export const MSG_CLOSE = 106;

/** qmux message numbers (spec/qmux.md §2): the first byte of every message. */
export const MessageType = {
  Open: MSG_OPEN,
  OpenConfirm: MSG_OPEN_CONFIRM,
  OpenFailure: MSG_OPEN_FAILURE,
  WindowAdjust: MSG_WINDOW_ADJUST,
  Data: MSG_DATA,
  Eof: MSG_EOF,
  Close: MSG_CLOSE,
} as const;

/** One of the seven message numbers. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** OPEN (100): asks the peer for a new channel (spec/qmux.md §2.1). */
export interface OpenMessage {
  readonly type: typeof MessageType.Open;
  /** The id the opener will use for this channel; the peer puts it in every message it sends back. */
  readonly senderId: number;
  /** Payload bytes the peer may send before it must wait for WINDOW_ADJUST. */
  readonly windowSize: number;
  /** Largest DATA payload the opener accepts. */
  readonly maxPacketSize: number;
}

/** OPEN_CONFIRM (101): accepts the peer's OPEN (spec/qmux.md §2.2). */
export interface OpenConfirmMessage {
  readonly type: typeof MessageType.OpenConfirm;
  /** The opener's id, from its OPEN. */
  readonly recipientId: number;
  /** The id the confirming side chose for this channel. */
  readonly senderId: number;
  /** Payload bytes the opener may send before it must wait for WINDOW_ADJUST. */
  readonly windowSize: number;
  /** Largest DATA payload the confirming side accepts. */
  readonly maxPacketSize: number;
}

/** OPEN_FAILURE (102): refuses the peer's OPEN; the recipient id is the opener's (spec/qmux.md §2.3). */
export interface OpenFailureMessage {
  readonly type: typeof MessageType.OpenFailure;
  readonly recipientId: number;
}

/** WINDOW_ADJUST (103): lets the peer send more on a channel (spec/qmux.md §2.4). */
export interface WindowAdjustMessage {
  readonly type: typeof MessageType.WindowAdjust;
  readonly recipientId: number;
  /** Added to the receiver's send window; the sum must stay at most 2^32 − 1. */
  readonly additionalBytes: number;
}

/** DATA (104): payload bytes on a channel (spec/qmux.md §2.5). */
export interface DataMessage {
  readonly type: typeof MessageType.Data;
  readonly recipientId: number;
  /** The payload; its length is the message's length field. */
  readonly data: Uint8Array;
}

/** EOF (105): the sender will send no more DATA on this channel (half-close) (spec/qmux.md §2.6). */
export interface EofMessage {
  readonly type: typeof MessageType.Eof;
  readonly recipientId: number;
}

/** CLOSE (106): the sender is done with the channel; the peer answers with its own CLOSE (spec/qmux.md §2.7). */
export interface CloseMessage {
  readonly type: typeof MessageType.Close;
  readonly recipientId: number;
}

/** Any qmux message. `type` tells which. */
export type Message =
  | OpenMessage
  | OpenConfirmMessage
  | OpenFailureMessage
  | WindowAdjustMessage
  | DataMessage
  | EofMessage
  | CloseMessage;

/** Every message except OPEN: they all start with the recipient's channel id. */
export type ChannelMessage = Exclude<Message, OpenMessage>;

/** Bytes of a DATA message before its payload: type, recipient id, length. */
export const DATA_HEADER_SIZE = 9;

/**
 * Bytes before the payload, by message number (index = type − 100): the whole message for
 * every type but DATA, whose payload length is in its header.
 */
const HEADER_SIZES = [13, 17, 5, 9, DATA_HEADER_SIZE, 5, 5] as const;

/** Size of a message's fixed part, or −1 when `type` is not a qmux message number. */
export function headerSize(type: number): number {
  return HEADER_SIZES[type - MSG_OPEN] ?? -1;
}

/** Lower-case names used in messages and by tools (`open-confirm`, `window-adjust` …). */
export const MESSAGE_NAMES: Readonly<Record<MessageType, string>> = {
  100: 'open',
  101: 'open-confirm',
  102: 'open-failure',
  103: 'window-adjust',
  104: 'data',
  105: 'eof',
  106: 'close',
};
