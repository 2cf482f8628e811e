import { MessageType } from './message.js';
import { readUint32, writeUint32 } from './uint32.js';

/** OPEN_FAILURE (102): refuses the peer's OPEN; the recipient id is the opener's (spec/qmux.md §2.3). */
export interface OpenFailureMessage {
  readonly type: typeof MessageType.OpenFailure;
  readonly recipientId: number;
}

/** `66 | recipient id`. */
export const OPEN_FAILURE_SIZE = 5;

/** Writes an OPEN_FAILURE at `at` and returns the offset after it. */
export function writeOpenFailure(out: Uint8Array, at: number, recipientId: number): number {
  out[at] = MessageType.OpenFailure;
  return writeUint32(out, at + 1, recipientId);
}

/** Reads the OPEN_FAILURE whose type byte is at `at` (the caller guarantees 5 bytes). */
export function readOpenFailure(bytes: Uint8Array, at: number): OpenFailureMessage {
  return { type: MessageType.OpenFailure, recipientId: readUint32(bytes, at + 1) };
}
