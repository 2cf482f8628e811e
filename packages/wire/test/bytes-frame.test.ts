import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DEFAULT_LIMITS, UnencodableError, codecs, type CodecName } from '@petrichor/wire';

/** prefix + bytes + suffix, as a sender writing the three pieces in turn puts them on the wire. */
function joined(parts: readonly [Uint8Array, Uint8Array], bytes: Uint8Array): Uint8Array {
  const [prefix, suffix] = parts;
  const out = new Uint8Array(prefix.length + bytes.length + suffix.length);
  out.set(prefix, 0);
  out.set(bytes, prefix.length);
  out.set(suffix, prefix.length + bytes.length);
  return out;
}

/** Bytes that are not all alike, so that a misplaced copy shows. */
function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + 3) & 0xff;
  return bytes;
}

/** Where `a` and `b` first differ (a length counts), or -1: quick on a MiB, unlike a deep equal. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

const SIZES = [0, 1, 255, 256, 65535, 65536, 1 << 20];
const limits = { ...DEFAULT_LIMITS, maxElementBytes: 2 << 20, maxMessageBytes: 2 << 20 };

describe.each<CodecName>(['tnetstring', 'msgpack'])('spec/wire.md §6.7 bytesFrame, %s', (name) => {
  const framing = codecs[name].framing;
  const bytesFrame = framing.bytesFrame!;

  test.each(SIZES)('%i bytes: prefix + bytes + suffix is the frame, and decodes back', (size) => {
    const bytes = pattern(size);
    const frame = joined(bytesFrame(bytes), bytes);
    expect(firstDifference(frame, framing.encode([bytes]))).toBe(-1);
    const decoded = framing.decode(frame, limits, {});
    expect(decoded).toBeInstanceOf(Uint8Array);
    expect(firstDifference(decoded as Uint8Array, bytes)).toBe(-1);
  });

  test('the prefix states the length the way the format writes it', () => {
    const [prefix, suffix] = bytesFrame(pattern(256));
    if (name === 'tnetstring') {
      expect(new TextDecoder().decode(prefix)).toBe('256:');
      expect([...suffix]).toEqual([0x2c]);
    } else {
      expect([...prefix]).toEqual([0xc5, 0x01, 0x00]);
      expect(suffix.length).toBe(0);
    }
  });

  test('any bytes (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 65530, maxLength: 65540 })), (bytes) => {
        const frame = joined(bytesFrame(bytes), bytes);
        expect(firstDifference(frame, framing.encode([bytes]))).toBe(-1);
        expect(firstDifference(framing.decode(frame, limits, {}) as Uint8Array, bytes)).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });

  test('pieces from one call are not overwritten by the next', () => {
    const first = bytesFrame(pattern(300));
    const copy = first.map((part) => part.slice());
    bytesFrame(pattern(7));
    framing.encode([pattern(12)]);
    expect(first.map((part) => part.slice())).toStrictEqual(copy);
  });
});

test('spec/wire.md §6.7 a length the format cannot state is an UnencodableError', () => {
  // Only `length` is read before the check: a stand-in spares the test a gigabyte.
  const huge = (length: number): Uint8Array => ({ length }) as Uint8Array;
  expect(() => codecs.tnetstring.framing.bytesFrame!(huge(1_000_000_000))).toThrow(UnencodableError);
  expect(codecs.tnetstring.framing.bytesFrame!(huge(999_999_999))[0]).toStrictEqual(new TextEncoder().encode('999999999:'));
  expect(() => codecs.msgpack.framing.bytesFrame!(huge(2 ** 32))).toThrow(UnencodableError);
  expect([...codecs.msgpack.framing.bytesFrame!(huge(2 ** 32 - 1))[0]]).toEqual([0xc6, 0xff, 0xff, 0xff, 0xff]);
});

test('spec/wire.md §6.7 s-expressions have no byte strings, so no bytesFrame', () => {
  expect(codecs.sexpr.framing.bytesFrame).toBeUndefined();
});
