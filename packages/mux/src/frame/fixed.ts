import { MSG_OPEN, MSG_OPEN_CONFIRM, MSG_WINDOW_ADJUST, headerSize, type DataMessage, type Message, type MessageType } from './message.js';
import { readUint32, writeUint32 } from './uint32.js';

/**
 * Writes the fixed part of a message of `type` at `at`: the type byte, then its fields in the
 * order of spec/qmux.md §2 (the table in message.ts), as many as the type has; for DATA, the
 * recipient id and the payload length. Returns the offset after it. Fields are u32s: the caller
 * keeps them in 0 … 2^32 − 1.
 */
export function writeFixed(out: Uint8Array, at: number, type: MessageType, a: number, b = 0, c = 0, d = 0): number {
  const end = at + headerSize(type);
  out[at] = type;
  writeUint32(out, at + 1, a);
  if (end > at + 5) writeUint32(out, at + 5, b);
  if (end > at + 9) writeUint32(out, at + 9, c);
  if (end > at + 13) writeUint32(out, at + 13, d);
  return end;
}

/**
 * Reads the message whose type byte is at `at`: any type but DATA (the decoder reads DATA's header
 * itself), the type byte already checked and the whole fixed part present.
 */
export function readFixed(bytes: Uint8Array, at: number): Exclude<Message, DataMessage> {
  const type = bytes[at] as Exclude<MessageType, DataMessage['type']>;
  const a = readUint32(bytes, at + 1);
  switch (type) {
    case MSG_OPEN:
      return { type, senderId: a, windowSize: readUint32(bytes, at + 5), maxPacketSize: readUint32(bytes, at + 9) };
    case MSG_OPEN_CONFIRM:
      return {
        type,
        recipientId: a,
        senderId: readUint32(bytes, at + 5),
        windowSize: readUint32(bytes, at + 9),
        maxPacketSize: readUint32(bytes, at + 13),
      };
    case MSG_WINDOW_ADJUST:
      return { type, recipientId: a, additionalBytes: readUint32(bytes, at + 5) };
    default:
      return { type, recipientId: a }; // OPEN_FAILURE, EOF, CLOSE
  }
}
