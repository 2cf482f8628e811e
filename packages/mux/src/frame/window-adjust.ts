import { MessageType } from './message.js';
import { readUint32, writeUint32 } from './uint32.js';

/** WINDOW_ADJUST (103): lets the peer send more on a channel (spec/qmux.md §2.4). */
export interface WindowAdjustMessage {
  readonly type: typeof MessageType.WindowAdjust;
  readonly recipientId: number;
  /** Added to the receiver's send window; the sum must stay at most 2^32 − 1. */
  readonly additionalBytes: number;
}

/** `67 | recipient id | bytes to add`. */
export const WINDOW_ADJUST_SIZE = 9;

/** Writes a WINDOW_ADJUST at `at` and returns the offset after it. */
export function writeWindowAdjust(out: Uint8Array, at: number, recipientId: number, additionalBytes: number): number {
  out[at] = MessageType.WindowAdjust;
  writeUint32(out, at + 1, recipientId);
  return writeUint32(out, at + 5, additionalBytes);
}

/** Reads the WINDOW_ADJUST whose type byte is at `at` (the caller guarantees 9 bytes). */
export function readWindowAdjust(bytes: Uint8Array, at: number): WindowAdjustMessage {
  return {
    type: MessageType.WindowAdjust,
    recipientId: readUint32(bytes, at + 1),
    additionalBytes: readUint32(bytes, at + 5),
  };
}
