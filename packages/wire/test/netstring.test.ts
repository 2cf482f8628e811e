import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { LimitError, MalformedError, TruncatedError, UnencodableError, WireError } from '../src/errors.js';
import { MAX_PAYLOAD_BYTES, decodeFrame, encodeFrame, encodeFrameText } from '../src/netstring.js';
import { parse } from '../src/sexpr/index.js';
import { keyword, sym } from '../src/value.js';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
const hex = (bytes: Uint8Array): string => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('spec/wire.md §3.10 netstring frames: the examples', () => {
  const message = '(err :code 404 :message "not found")';

  test('36:(err :code 404 :message "not found"),', () => {
    const frame = encodeFrameText(message);
    expect(new TextDecoder().decode(frame)).toBe(`36:${message},`);
    expect(hex(frame)).toBe(
      '33 36 3a 28 65 72 72 20 3a 63 6f 64 65 20 34 30 34 20 3a 6d 65 73 73 61 67 65 20 22 6e 6f 74 20 66 6f 75 6e 64 22 29 2c',
    );
    expect(encodeFrame(ascii(message))).toStrictEqual(frame);
    const { payload, rest } = decodeFrame(frame);
    expect(parse(payload)).toStrictEqual([sym('err'), keyword('code'), 404, keyword('message'), 'not found']);
    expect(rest.length).toBe(0);
  });

  test.each([
    ['{:id 42}', '38 3a 7b 3a 69 64 20 34 32 7d 2c'],
    ['(say "héllo")', '31 34 3a 28 73 61 79 20 22 68 c3 a9 6c 6c 6f 22 29 2c'],
    ['', '30 3a 2c'],
  ])('%j frames as %s', (text, bytes) => {
    expect(hex(encodeFrameText(text))).toBe(bytes);
    expect(hex(encodeFrame(ascii(text)))).toBe(bytes);
    expect(new TextDecoder().decode(decodeFrame(encodeFrameText(text)).payload)).toBe(text);
  });

  test('the shortest LEN: 9, 10, 99, 100 and 1000 bytes', () => {
    for (const n of [9, 10, 99, 100, 1000]) {
      const frame = encodeFrame(new Uint8Array(n).fill(0x61));
      expect(new TextDecoder().decode(frame.subarray(0, String(n).length + 1))).toBe(`${n}:`);
      expect(frame.length).toBe(String(n).length + 1 + n + 1);
      expect(frame[frame.length - 1]).toBe(0x2c);
    }
  });

  test('encodeFrameText counts bytes, not characters', () => {
    expect(new TextDecoder().decode(encodeFrameText('"😀é中"'))).toBe('11:"😀é中",');
  });

  test('encodeFrameText refuses a lone surrogate rather than write U+FFFD', () => {
    expect(catchError(() => encodeFrameText('"\ud800"'))).toBeInstanceOf(UnencodableError);
    expect(catchError(() => encodeFrameText('a\udc00'))).toBeInstanceOf(UnencodableError);
    expect(catchError(() => encodeFrameText('\ude00\ud83d'))).toBeInstanceOf(UnencodableError);
  });

  test('a frame is never longer than 9 digits can say', () => {
    expect(MAX_PAYLOAD_BYTES).toBe(999_999_999);
    const huge = { length: MAX_PAYLOAD_BYTES + 1 } as Uint8Array;
    expect(catchError(() => encodeFrame(huge))).toBeInstanceOf(UnencodableError);
  });
});

describe('spec/wire.md §3.10 netstring frames: reading', () => {
  test('the payload is a view into the input, and rest is what follows', () => {
    const input = ascii('3:abc,5:hello,tail');
    const first = decodeFrame(input);
    expect(first.payload.buffer).toBe(input.buffer);
    expect(first.payload.byteOffset).toBe(2);
    expect(new TextDecoder().decode(first.payload)).toBe('abc');
    const second = decodeFrame(first.rest);
    expect(new TextDecoder().decode(second.payload)).toBe('hello');
    expect(new TextDecoder().decode(second.rest)).toBe('tail');
    expect(second.payload.byteOffset).toBe(8);
  });

  test.each([
    ['05:hello,', 0, /leading zero/],
    ['00:,', 0, /leading zero/],
    ['1234567890:', 9, /more than 9 digits/],
    ['0000000000', 0, /leading zero/],
    [':x,', 0, /empty length/],
    ['-1:x,', 0, /length digit/],
    ['+1:x,', 0, /length digit/],
    [' 1:x,', 0, /length digit/],
    ['1 :x,', 1, /length digit or ":"/],
    ['1x:x,', 1, /length digit or ":"/],
    ['a', 0, /length digit/],
    ['5:hello!', 7, /expected "," after the payload/],
    ['5:hello;', 7, /expected ","/],
    ['0:x', 2, /expected ","/],
    ['3:abcd,', 5, /expected ","/],
  ])('%j is malformed at byte %i', (text, offset, reason) => {
    const error = catchError(() => decodeFrame(ascii(text)));
    expect(error).toBeInstanceOf(MalformedError);
    expect((error as MalformedError).offset).toBe(offset);
    expect((error as MalformedError).reason).toMatch(reason);
  });

  test('LEN over the limit is refused from the prefix alone, before any payload arrives', () => {
    const error = catchError(() => decodeFrame(ascii('999999999:')));
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ limit: 'maxMessageBytes', max: 16 * 1024 * 1024, actual: 999_999_999, offset: 0 });
    expect(catchError(() => decodeFrame(ascii('11:'), { maxBytes: 10 }))).toMatchObject({ max: 10, actual: 11 });
    expect(catchError(() => decodeFrame(ascii('1:'), { maxBytes: 0 }))).toBeInstanceOf(LimitError);
    expect(decodeFrame(ascii('10:0123456789,'), { maxBytes: 10 }).payload.length).toBe(10);
    expect(decodeFrame(ascii('0:,'), { maxBytes: 0 }).payload.length).toBe(0);
  });

  test('the limit is checked before the comma, so an over-limit frame is refused even when complete', () => {
    expect(catchError(() => decodeFrame(ascii('3:abc!'), { maxBytes: 2 }))).toBeInstanceOf(LimitError);
  });

  test('maxBytes is validated', () => {
    expect(() => decodeFrame(ascii('0:,'), { maxBytes: -1 })).toThrow(RangeError);
    expect(() => decodeFrame(ascii('0:,'), { maxBytes: 1.5 })).toThrow(RangeError);
  });

  test('truncation at every cut point is a TruncatedError (the prefix first checked as far as it goes)', () => {
    const frame = encodeFrameText('(err :code 404 :message "not found")');
    for (let cut = 0; cut < frame.length; cut++) {
      const error = catchError(() => decodeFrame(frame.subarray(0, cut)));
      expect(error, `cut at ${cut}`).toBeInstanceOf(TruncatedError);
      expect((error as TruncatedError).offset).toBe(0);
    }
    expect(decodeFrame(frame).payload.length).toBe(36);
  });

  test('a cut prefix that is already bad is malformed, not truncated', () => {
    expect(catchError(() => decodeFrame(ascii('05')))).toBeInstanceOf(MalformedError);
    expect(catchError(() => decodeFrame(ascii('x')))).toBeInstanceOf(MalformedError);
  });
});

describe('spec/wire.md §3.10 netstring frames: properties', () => {
  test('decodeFrame(encodeFrame(p)) is p, with the rest after it untouched', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 20 }), (payload, after) => {
        const frame = encodeFrame(payload);
        const input = new Uint8Array(frame.length + after.length);
        input.set(frame);
        input.set(after, frame.length);
        const { payload: read, rest } = decodeFrame(input);
        expect(read).toStrictEqual(payload);
        expect(rest).toStrictEqual(after);
      }),
      { numRuns: 300 },
    );
  });

  test('encodeFrameText(t) is encodeFrame(UTF-8 of t) for well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (t) => {
        expect(encodeFrameText(t)).toStrictEqual(encodeFrame(new TextEncoder().encode(t)));
      }),
      { numRuns: 300 },
    );
  });

  test('random and mutated bytes raise only WireError, at an offset inside the input', () => {
    const mutated = fc
      .tuple(fc.uint8Array({ maxLength: 40 }), fc.nat(), fc.integer({ min: 0, max: 255 }))
      .map(([payload, at, byte]) => {
        const frame = encodeFrame(payload);
        frame[at % frame.length] = byte;
        return frame;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 20 }), mutated), fc.nat(50), (input, maxBytes) => {
        try {
          const { payload, rest } = decodeFrame(input, { maxBytes });
          expect(payload.length).toBeLessThanOrEqual(maxBytes);
          expect(payload.byteOffset + payload.length + 1 + rest.length).toBe(input.byteOffset + input.length);
        } catch (error) {
          expect(error).toBeInstanceOf(WireError);
          const offset = (error as { offset: number }).offset;
          expect(offset).toBeGreaterThanOrEqual(0);
          expect(offset).toBeLessThanOrEqual(input.length);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
