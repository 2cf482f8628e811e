import { MessageType, headerSize, type Message } from './message.js';
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
export function readFixed(bytes: Uint8Array, at: number): Exclude<Message, { type: typeof MessageType.Data }> {
  const type = bytes[at] as Exclude<MessageType, typeof MessageType.Data>;
  const a = readUint32(bytes, at + 1);
  switch (type) {
    case MessageType.Open:
      return { type, senderId: a, windowSize: readUint32(bytes, at + 5), maxPacketSize: readUint32(bytes, at + 9) };
    case MessageType.OpenConfirm:
      return {
        type,
        recipientId: a,
        senderId: readUint32(bytes, at + 5),
        windowSize: readUint32(bytes, at + 9),
        maxPacketSize: readUint32(bytes, at + 13),
      };
    case MessageType.WindowAdjust:
      return { type, recipientId: a, additionalBytes: readUint32(bytes, at + 5) };
    default:
      return { type, recipientId: a }; // OPEN_FAILURE, EOF, CLOSE
  }
}
