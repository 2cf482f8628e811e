import { MessageType } from './message.js';
import { readUint32, writeUint32 } from './uint32.js';

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

/** `65 | recipient id | sender id | initial window | max packet`. */
export const OPEN_CONFIRM_SIZE = 17;

/** Writes an OPEN_CONFIRM at `at` and returns the offset after it. */
export function writeOpenConfirm(
  out: Uint8Array,
  at: number,
  recipientId: number,
  senderId: number,
  windowSize: number,
  maxPacketSize: number,
): number {
  out[at] = MessageType.OpenConfirm;
  writeUint32(out, at + 1, recipientId);
  writeUint32(out, at + 5, senderId);
  writeUint32(out, at + 9, windowSize);
  return writeUint32(out, at + 13, maxPacketSize);
}

/** Reads the OPEN_CONFIRM whose type byte is at `at` (the caller guarantees 17 bytes). */
export function readOpenConfirm(bytes: Uint8Array, at: number): OpenConfirmMessage {
  return {
    type: MessageType.OpenConfirm,
    recipientId: readUint32(bytes, at + 1),
    senderId: readUint32(bytes, at + 5),
    windowSize: readUint32(bytes, at + 9),
    maxPacketSize: readUint32(bytes, at + 13),
  };
}
