import { MessageType } from './message.js';
import { readUint32, writeUint32 } from './uint32.js';

/** CLOSE (106): the sender is done with the channel; the peer answers with its own CLOSE (spec/qmux.md §2.7). */
export interface CloseMessage {
  readonly type: typeof MessageType.Close;
  readonly recipientId: number;
}

/** `6a | recipient id`. */
export const CLOSE_SIZE = 5;

/** Writes a CLOSE at `at` and returns the offset after it. */
export function writeClose(out: Uint8Array, at: number, recipientId: number): number {
  out[at] = MessageType.Close;
  return writeUint32(out, at + 1, recipientId);
}

/** Reads the CLOSE whose type byte is at `at` (the caller guarantees 5 bytes). */
export function readClose(bytes: Uint8Array, at: number): CloseMessage {
  return { type: MessageType.Close, recipientId: readUint32(bytes, at + 1) };
}
