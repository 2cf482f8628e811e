import type { CloseMessage } from './close.js';
import type { DataMessage } from './data.js';
import type { EofMessage } from './eof.js';
import type { OpenConfirmMessage } from './open-confirm.js';
import type { OpenFailureMessage } from './open-failure.js';
import type { OpenMessage } from './open.js';
import type { WindowAdjustMessage } from './window-adjust.js';

/** qmux message numbers (spec/qmux.md §2): the first byte of every message. */
export const MessageType = {
  Open: 100,
  OpenConfirm: 101,
  OpenFailure: 102,
  WindowAdjust: 103,
  Data: 104,
  Eof: 105,
  Close: 106,
} as const;

/** One of the seven message numbers. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

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

/**
 * Bytes before the payload, by message number (index = type − 100): the whole message for
 * every type but DATA, whose payload length is in its header.
 */
const HEADER_SIZES = [13, 17, 5, 9, 9, 5, 5] as const;

/** Size of a message's fixed part, or −1 when `type` is not a qmux message number. */
export function headerSize(type: number): number {
  return HEADER_SIZES[type - MessageType.Open] ?? -1;
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
