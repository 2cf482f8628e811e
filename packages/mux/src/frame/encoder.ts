import { CLOSE_SIZE, writeClose } from './close.js';
import { DATA_HEADER_SIZE, writeDataHeader } from './data.js';
import { EOF_SIZE, writeEof } from './eof.js';
import { MessageType, type Message } from './message.js';
import { OPEN_CONFIRM_SIZE, writeOpenConfirm } from './open-confirm.js';
import { OPEN_FAILURE_SIZE, writeOpenFailure } from './open-failure.js';
import { OPEN_SIZE, writeOpen } from './open.js';
import { WINDOW_ADJUST_SIZE, writeWindowAdjust } from './window-adjust.js';

/** Encoded size of `message` in bytes. */
export function frameSize(message: Message): number {
  switch (message.type) {
    case MessageType.Open:
      return OPEN_SIZE;
    case MessageType.OpenConfirm:
      return OPEN_CONFIRM_SIZE;
    case MessageType.OpenFailure:
      return OPEN_FAILURE_SIZE;
    case MessageType.WindowAdjust:
      return WINDOW_ADJUST_SIZE;
    case MessageType.Data:
      return DATA_HEADER_SIZE + message.data.length;
    case MessageType.Eof:
      return EOF_SIZE;
    case MessageType.Close:
      return CLOSE_SIZE;
  }
}

/**
 * Writes `message` into `out` at `at` (the caller makes room: {@link frameSize}) and returns the
 * offset after it. Field values are taken as u32s; the caller keeps them in 0 … 2^32 − 1.
 */
export function encodeFrameInto(message: Message, out: Uint8Array, at: number): number {
  switch (message.type) {
    case MessageType.Open:
      return writeOpen(out, at, message.senderId, message.windowSize, message.maxPacketSize);
    case MessageType.OpenConfirm:
      return writeOpenConfirm(out, at, message.recipientId, message.senderId, message.windowSize, message.maxPacketSize);
    case MessageType.OpenFailure:
      return writeOpenFailure(out, at, message.recipientId);
    case MessageType.WindowAdjust:
      return writeWindowAdjust(out, at, message.recipientId, message.additionalBytes);
    case MessageType.Data: {
      const end = writeDataHeader(out, at, message.recipientId, message.data.length);
      out.set(message.data, end);
      return end + message.data.length;
    }
    case MessageType.Eof:
      return writeEof(out, at, message.recipientId);
    case MessageType.Close:
      return writeClose(out, at, message.recipientId);
  }
}

/** Encodes one message into a new buffer of exactly its size. */
export function encodeFrame(message: Message): Uint8Array {
  const out = new Uint8Array(frameSize(message));
  encodeFrameInto(message, out, 0);
  return out;
}
