import { MessageType } from './message.js';
import { readUint32, writeUint32 } from './uint32.js';

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

/** `64 | sender id | initial window | max packet`. */
export const OPEN_SIZE = 13;

/** Writes an OPEN at `at` and returns the offset after it. */
export function writeOpen(out: Uint8Array, at: number, senderId: number, windowSize: number, maxPacketSize: number): number {
  out[at] = MessageType.Open;
  writeUint32(out, at + 1, senderId);
  writeUint32(out, at + 5, windowSize);
  return writeUint32(out, at + 9, maxPacketSize);
}

/** Reads the OPEN whose type byte is at `at` (the caller guarantees {@link OPEN_SIZE} bytes). */
export function readOpen(bytes: Uint8Array, at: number): OpenMessage {
  return {
    type: MessageType.Open,
    senderId: readUint32(bytes, at + 1),
    windowSize: readUint32(bytes, at + 5),
    maxPacketSize: readUint32(bytes, at + 9),
  };
}
