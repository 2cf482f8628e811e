import { MessageType } from './message.js';
import { readUint32, writeUint32 } from './uint32.js';

/** EOF (105): the sender will send no more DATA on this channel (half-close) (spec/qmux.md §2.6). */
export interface EofMessage {
  readonly type: typeof MessageType.Eof;
  readonly recipientId: number;
}

/** `69 | recipient id`. */
export const EOF_SIZE = 5;

/** Writes an EOF at `at` and returns the offset after it. */
export function writeEof(out: Uint8Array, at: number, recipientId: number): number {
  out[at] = MessageType.Eof;
  return writeUint32(out, at + 1, recipientId);
}

/** Reads the EOF whose type byte is at `at` (the caller guarantees 5 bytes). */
export function readEof(bytes: Uint8Array, at: number): EofMessage {
  return { type: MessageType.Eof, recipientId: readUint32(bytes, at + 1) };
}
