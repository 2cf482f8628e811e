/** qmux messages as fuzz material (spec/qmux.md §2): valid message sequences and where their length fields are. */
import fc from 'fast-check';
import { encodeFrame, frame, MessageType, type Message } from '@petrichor/mux';
import type { Format, LengthField } from './mutate.js';

/** Small ids mostly (so messages meet live channels), extremes sometimes. */
const id = fc.oneof({ weight: 6, arbitrary: fc.nat(3) }, { weight: 1, arbitrary: fc.constantFrom(0xffffffff, 0x7fffffff, 0x80000000) });
const u32 = fc.oneof(fc.nat(70_000), fc.constantFrom(0, 8, 9, 0xffffffff, 0x7fffffff, 0x80000000, 0x80000001, 999_999_999));

/** Any qmux message. */
export const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant(MessageType.Open), senderId: id, windowSize: u32, maxPacketSize: u32 }),
  fc.record({ type: fc.constant(MessageType.OpenConfirm), recipientId: id, senderId: id, windowSize: u32, maxPacketSize: u32 }),
  fc.record({ type: fc.constant(MessageType.OpenFailure), recipientId: id }),
  fc.record({ type: fc.constant(MessageType.WindowAdjust), recipientId: id, additionalBytes: u32 }),
  { weight: 3, arbitrary: fc.record({ type: fc.constant(MessageType.Data), recipientId: id, data: fc.uint8Array({ maxLength: 300 }) }) },
  fc.record({ type: fc.constant(MessageType.Eof), recipientId: id }),
  fc.record({ type: fc.constant(MessageType.Close), recipientId: id }),
);

/** Back-to-back messages, as bytes. */
export const validStream: fc.Arbitrary<Uint8Array> = fc
  .array(message, { minLength: 1, maxLength: 12 })
  .map((messages) => new Uint8Array(Buffer.concat(messages.map((m) => encodeFrame(m)))));

/** Every u32 field after a type byte, walking the messages (DATA lengths first in line). */
export function lengthFields(bytes: Uint8Array): LengthField[] {
  const fields: LengthField[] = [];
  let at = 0;
  while (at < bytes.length) {
    const type = bytes[at]!;
    const size = frame.headerSize(type);
    if (size < 0 || at + size > bytes.length) break;
    if (type === MessageType.Data) {
      fields.push({ at: at + 5, width: 4 }, { at: at + 5, width: 4 });
      at += size + new DataView(bytes.buffer, bytes.byteOffset + at + 5, 4).getUint32(0);
      continue;
    }
    for (let field = at + 1; field < at + size; field += 4) fields.push({ at: field, width: 4 });
    at += size;
  }
  return fields;
}

/** Bytes from hex as spec/qmux.md writes them (`68 | 00000000 | …`). */
export const unhex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/[\s|]/g, ''), 'hex'));

const heads = ['68 00000000 ffffffff', '68 00000000 3b9ac9ff', '67 00000000 ffffffff', '64 00000000 ffffffff ffffffff', '64 00000005 00000000 00000008', '6b', '00', '65 00000000 00000000 ffffffff ffffffff'];

/** qmux for the mutator. */
export const qmuxFormat: Format = {
  valid: validStream,
  lengthFields,
  tokens: [100, 101, 102, 103, 104, 105, 106, 0, 0xff].map((b) => Uint8Array.of(b)).concat([Uint8Array.of(0, 0, 0, 0), Uint8Array.of(0xff, 0xff, 0xff, 0xff)]),
  hostileHeads: heads.map(unhex),
};
