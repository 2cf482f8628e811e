import { MessageType } from './message.js';
import { readUint32, writeUint32 } from './uint32.js';

/** DATA (104): payload bytes on a channel (spec/qmux.md §2.5). */
export interface DataMessage {
  readonly type: typeof MessageType.Data;
  readonly recipientId: number;
  /** The payload; its length is the message's length field. */
  readonly data: Uint8Array;
}

/** `68 | recipient id | length`, then `length` payload bytes. */
export const DATA_HEADER_SIZE = 9;

/** Writes a DATA header announcing `length` payload bytes at `at`; returns the offset after it. */
export function writeDataHeader(out: Uint8Array, at: number, recipientId: number, length: number): number {
  out[at] = MessageType.Data;
  writeUint32(out, at + 1, recipientId);
  return writeUint32(out, at + 5, length);
}

/** Reads the payload length of the DATA header whose type byte is at `at`. */
export function readDataLength(bytes: Uint8Array, at: number): number {
  return readUint32(bytes, at + 5);
}
