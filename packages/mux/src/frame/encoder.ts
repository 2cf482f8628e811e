import { DATA_HEADER_SIZE, MessageType, headerSize, type Message } from './message.js';
import { writeFixed } from './fixed.js';

/** Encoded size of `message` in bytes. */
export function frameSize(message: Message): number {
  return message.type === MessageType.Data ? DATA_HEADER_SIZE + message.data.length : headerSize(message.type);
}

/**
 * Writes `message` into `out` at `at` (the caller makes room: {@link frameSize}) and returns the
 * offset after it. Field values are taken as u32s; the caller keeps them in 0 … 2^32 − 1.
 */
export function encodeFrameInto(message: Message, out: Uint8Array, at: number): number {
  switch (message.type) {
    case MessageType.Open:
      return writeFixed(out, at, message.type, message.senderId, message.windowSize, message.maxPacketSize);
    case MessageType.OpenConfirm:
      return writeFixed(out, at, message.type, message.recipientId, message.senderId, message.windowSize, message.maxPacketSize);
    case MessageType.WindowAdjust:
      return writeFixed(out, at, message.type, message.recipientId, message.additionalBytes);
    case MessageType.Data: {
      const end = writeFixed(out, at, message.type, message.recipientId, message.data.length);
      out.set(message.data, end);
      return end + message.data.length;
    }
    default:
      return writeFixed(out, at, message.type, message.recipientId);
  }
}

/** Encodes one message into a new buffer of exactly its size. */
export function encodeFrame(message: Message): Uint8Array {
  const out = new Uint8Array(frameSize(message));
  encodeFrameInto(message, out, 0);
  return out;
}
