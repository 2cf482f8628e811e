import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  DEFAULTS,
  FrameDecoder,
  MessageType,
  ProtocolError,
  decodeFrames,
  encodeFrame,
  frame,
  type Message,
} from '@petrichor/mux';
import type { FrameHandler } from '../src/frame/decoder.js';
import { concat, hex, unhex } from './helpers/bytes.js';

/** The test vectors of spec/qmux.md §2, each with the message it encodes. */
const VECTORS: { name: string; hex: string; message: Message }[] = [
  {
    name: 'OPEN, qtalk-go defaults',
    hex: '64 00000000 40000000 01000000',
    message: { type: MessageType.Open, senderId: 0, windowSize: 2 ** 30, maxPacketSize: 2 ** 24 },
  },
  {
    name: 'OPEN, our defaults',
    hex: '64 00000003 00100000 00010000',
    message: { type: MessageType.Open, senderId: 3, windowSize: DEFAULTS.windowSize, maxPacketSize: DEFAULTS.maxPacketSize },
  },
  {
    name: 'OPEN_CONFIRM',
    hex: '65 00000007 00000000 40000000 01000000',
    message: { type: MessageType.OpenConfirm, recipientId: 7, senderId: 0, windowSize: 2 ** 30, maxPacketSize: 2 ** 24 },
  },
  { name: 'OPEN_FAILURE', hex: '66 00000003', message: { type: MessageType.OpenFailure, recipientId: 3 } },
  {
    name: 'WINDOW_ADJUST',
    hex: '67 00000000 00000005',
    message: { type: MessageType.WindowAdjust, recipientId: 0, additionalBytes: 5 },
  },
  {
    name: 'WINDOW_ADJUST, largest fields',
    hex: '67 ffffffff ffffffff',
    message: { type: MessageType.WindowAdjust, recipientId: 0xffff_ffff, additionalBytes: 0xffff_ffff },
  },
  { name: 'DATA "hi"', hex: '68 00000001 00000002 6869', message: { type: MessageType.Data, recipientId: 1, data: unhex('6869') } },
  { name: 'DATA, empty', hex: '68 fffffffe 00000000', message: { type: MessageType.Data, recipientId: 0xffff_fffe, data: new Uint8Array(0) } },
  { name: 'EOF', hex: '69 00000007', message: { type: MessageType.Eof, recipientId: 7 } },
  { name: 'CLOSE', hex: '6a 00000000', message: { type: MessageType.Close, recipientId: 0 } },
];

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const arbitraryMessage: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constant(MessageType.Open), senderId: u32, windowSize: u32, maxPacketSize: u32 }),
  fc.record({ type: fc.constant(MessageType.OpenConfirm), recipientId: u32, senderId: u32, windowSize: u32, maxPacketSize: u32 }),
  fc.record({ type: fc.constant(MessageType.OpenFailure), recipientId: u32 }),
  fc.record({ type: fc.constant(MessageType.WindowAdjust), recipientId: u32, additionalBytes: u32 }),
  fc.record({ type: fc.constant(MessageType.Data), recipientId: u32, data: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ type: fc.constant(MessageType.Eof), recipientId: u32 }),
  fc.record({ type: fc.constant(MessageType.Close), recipientId: u32 }),
);

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

function decodeChunks(chunks: Uint8Array[], maxPacketSize?: number): Message[] {
  const decoder = new FrameDecoder(maxPacketSize);
  const out: Message[] = [];
  for (const chunk of chunks) decoder.push(chunk, (m) => void out.push(m));
  expect(decoder.idle).toBe(true);
  return out;
}

describe('spec/qmux.md §2 messages: test vectors', () => {
  for (const vector of VECTORS) {
    test(`${vector.name}: encodes to ${vector.hex}`, () => {
      expect(hex(encodeFrame(vector.message))).toBe(vector.hex.replace(/ /g, ''));
      expect(frame.frameSize(vector.message)).toBe(unhex(vector.hex).length);
    });
    test(`${vector.name}: decodes from ${vector.hex}`, () => {
      expect(decodeFrames(unhex(vector.hex))).toEqual([vector.message]);
    });
  }

  test('§2 sizes: the fixed part of each message number', () => {
    expect([100, 101, 102, 103, 104, 105, 106].map(frame.headerSize)).toEqual([13, 17, 5, 9, 9, 5, 5]);
    expect(frame.headerSize(99)).toBe(-1);
    expect(frame.headerSize(107)).toBe(-1);
  });

  test('encodeFrameInto writes at an offset and returns the end', () => {
    const out = new Uint8Array(20).fill(0xee);
    const end = frame.encodeFrameInto({ type: MessageType.Eof, recipientId: 0x01020304 }, out, 3);
    expect(end).toBe(8);
    expect(hex(out.subarray(0, 9))).toBe('eeeeee6901020304ee');
  });
});

describe('spec/qmux.md §1 framing: the incremental decoder', () => {
  test('all vectors back to back, fed whole, then byte by byte', () => {
    const stream = concat(VECTORS.map((v) => unhex(v.hex)));
    const expected = VECTORS.map((v) => v.message);
    expect(decodeChunks([stream])).toEqual(expected);
    expect(decodeChunks([...stream].map((b) => Uint8Array.of(b)))).toEqual(expected);
  });

  test('a DATA payload inside one chunk is a view of that chunk (no copy)', () => {
    const payload = new Uint8Array(1000).fill(0x61);
    const chunk = concat([unhex('68 00000001 000003e8'), payload, unhex('69 00000001')]);
    const out: Message[] = [];
    new FrameDecoder().push(chunk, (m) => void out.push(m));
    const data = out[0]!;
    if (data.type !== MessageType.Data) throw new Error('expected DATA');
    expect(data.data.buffer).toBe(chunk.buffer);
    expect(data.data.byteOffset).toBe(9);
  });

  test('a split payload is streamed piece by piece to a handler that asks for it', () => {
    const events: string[] = [];
    const decoder = new FrameDecoder();
    const handler: FrameHandler = {
      message: (m) => void events.push(`message ${m.type}`),
      dataStart: (id, length) => void events.push(`start ${id} ${length}`),
      dataPiece: (piece) => void events.push(`piece ${hex(piece)}`),
    };
    decoder.push(unhex('68 00000002 00000005 6162'), handler);
    expect(decoder.idle).toBe(false);
    expect(decoder.buffered).toBe(11);
    decoder.push(unhex('63'), handler);
    decoder.push(unhex('6465 6a00000002'), handler);
    expect(events).toEqual(['start 2 5', 'piece 6162', 'piece 63', 'piece 6465', 'message 106']);
    expect(decoder.idle).toBe(true);
  });

  test('a payload split over chunks is joined once complete', () => {
    const chunks = [unhex('68 00000001 00000004 61'), unhex('62'), unhex('6364 6a00000001')];
    expect(decodeChunks(chunks)).toEqual([
      { type: MessageType.Data, recipientId: 1, data: unhex('61626364') },
      { type: MessageType.Close, recipientId: 1 },
    ]);
  });

  test('property: any messages, cut anywhere, decode to themselves', () => {
    fc.assert(
      fc.property(fc.array(arbitraryMessage, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (messages, cuts) => {
        const stream = concat(messages.map(encodeFrame));
        expect(decodeChunks(split(stream, cuts))).toEqual(messages);
      }),
      { numRuns: 300 },
    );
  });

  test('property: encode ∘ decode is the identity on valid streams', () => {
    fc.assert(
      fc.property(fc.array(arbitraryMessage, { maxLength: 8 }), (messages) => {
        const stream = concat(messages.map(encodeFrame));
        const again = concat(decodeFrames(stream).map(encodeFrame));
        expect(hex(again)).toBe(hex(stream));
      }),
      { numRuns: 200 },
    );
  });
});

describe('spec/qmux.md §6.1 decoder violations', () => {
  test('an unknown message number is rejected at once, before any more bytes arrive', () => {
    for (const type of [0, 99, 107, 255]) {
      const decoder = new FrameDecoder();
      const error = catchError(() => decoder.push(unhex('6a00000000').subarray(0, 5), () => {}));
      expect(error).toBeUndefined();
      const bad = catchError(() => decoder.push(Uint8Array.of(type), () => {}));
      expect(bad).toBeInstanceOf(ProtocolError);
      expect((bad as ProtocolError).offset).toBe(5);
      expect((bad as ProtocolError).code).toBe('MUX_PROTOCOL');
    }
  });

  test('a DATA length over the max packet is rejected from its header alone', () => {
    const decoder = new FrameDecoder(1024);
    // The header announces 4 GiB - 1; no payload follows, and nothing may be allocated for it.
    const error = catchError(() => decoder.push(unhex('68 00000000 ffffffff'), () => {}));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).reason).toMatch(/exceeds the max packet/);
    expect(decoder.buffered).toBe(0);
  });

  test('a DATA length equal to the max packet is accepted', () => {
    const payload = new Uint8Array(16).fill(7);
    const bytes = encodeFrame({ type: MessageType.Data, recipientId: 0, data: payload });
    expect(decodeChunks([bytes], 16)).toHaveLength(1);
    expect(() => decodeChunks([bytes], 15)).toThrow(ProtocolError);
  });

  test('decodeFrames rejects input that ends inside a message', () => {
    expect(() => decodeFrames(unhex('68 00000000 00000005 6868'))).toThrow(/ended inside a message/);
    expect(() => decodeFrames(unhex('65 000000'))).toThrow(ProtocolError);
  });

  test('property: a split header or payload holds only the bytes received', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 2008 }), (length, cut) => {
        const bytes = encodeFrame({ type: MessageType.Data, recipientId: 9, data: new Uint8Array(length) });
        const at = Math.min(cut, bytes.length - 1);
        const decoder = new FrameDecoder();
        decoder.push(bytes.subarray(0, at), () => {});
        expect(decoder.buffered).toBe(at);
        expect(decoder.idle).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

function catchError(fn: () => void): unknown {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error;
  }
}
