import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MalformedError, WireError } from '../src/errors.js';
import { parse, parseAll, stringify } from '../src/sexpr/index.js';
import { Float, keyword, sym, type Value } from '../src/value.js';

const IDENT = /^[A-Za-z_~!?*+\-/<>=&%$^.][A-Za-z0-9_~!?*+\-/<>=&%$^.:#]{0,8}$/;
const NUMBER_LIKE = /^(?:[0-9]|[+\-.][0-9]|[+-]\.[0-9])/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const identifier = fc.stringMatching(IDENT);
const symbolName = identifier.filter((name) => !NUMBER_LIKE.test(name) && name !== 'nil' && name !== 'true' && name !== 'false');
/** Any text: every code point, with the characters the grammar cares about made common. */
const text = fc.string({
  unit: fc.oneof(fc.constantFrom('"', '\\', '\n', '\r', '\t', '\u0000', '\u007f', ' ', '(', ';', ':'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
  maxLength: 12,
});

/** A float in the data model: integral, safe values wrapped in Float so they stay floats. */
const float = fc
  .oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1e6, max: 1e6 }).map((n) => n / 8))
  .map((x): Value => (Number.isSafeInteger(x) && !Object.is(x, -0) ? new Float(x) : x));

const atom: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.maxSafeInteger(),
  fc.oneof(fc.bigInt({ min: MAX_SAFE + 1n, max: 2n ** 256n }), fc.bigInt({ min: -(2n ** 256n), max: -MAX_SAFE - 1n })),
  float,
  text,
  symbolName.map(sym),
  identifier.map(keyword),
);

const { value } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .uniqueArray(fc.tuple(fc.oneof(identifier, text), tie('value')), { selector: ([key]) => key, maxLength: 4 })
      .map((entries): Value => new Map(entries)),
  ),
}));

/** The UTF-8 byte length of `s` (lone surrogates count 3, as in the reader's positions). */
function byteLength(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Checks an error from parsing `input`: a WireError, and for a MalformedError a position inside
 * the input whose offset, line and column agree with each other.
 */
function checkError(error: unknown, input: string | Uint8Array): void {
  expect(error).toBeInstanceOf(WireError);
  const size = typeof input === 'string' ? byteLength(input) : input.length;
  const { offset } = error as { offset: number };
  expect(offset).toBeGreaterThanOrEqual(0);
  expect(offset).toBeLessThanOrEqual(size);
  if (!(error instanceof MalformedError) || typeof input !== 'string') return;
  // Walk to (line, column) independently and compare the byte count there with `offset`.
  const lines = input.split(/\r\n|\r|\n/);
  const separators = input.match(/\r\n|\r|\n/g) ?? [];
  let bytes = 0;
  for (let l = 0; l < error.line! - 1; l++) bytes += byteLength(lines[l]!) + separators[l]!.length;
  bytes += byteLength([...lines[error.line! - 1]!].slice(0, error.column! - 1).join(''));
  expect(bytes).toBe(offset);
}

function parseOrCheck(input: string | Uint8Array): void {
  try {
    parseAll(input);
  } catch (error) {
    checkError(error, input);
  }
}

describe('spec/wire.md §3.2 and §3.8 round trip', () => {
  test('parse(stringify(v)) is v, and canonical text is a fixed point', () => {
    fc.assert(
      fc.property(value, (v) => {
        const written = stringify(v);
        const read = parse(written);
        expect(read).toStrictEqual(v);
        expect(stringify(read)).toBe(written);
        expect(parse(new TextEncoder().encode(written))).toStrictEqual(v);
      }),
      { numRuns: 400 },
    );
  });

  test('map order survives the round trip', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.oneof(identifier, text), { maxLength: 8 }), (keys) => {
        const map = new Map<string, Value>(keys.map((k, i) => [k, i]));
        expect([...(parse(stringify(map)) as Map<string, Value>).keys()]).toEqual(keys);
      }),
      { numRuns: 200 },
    );
  });

  test('every double reads back as the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const read = parse(stringify(new Float(x)));
        expect(Object.is(read instanceof Float ? read.value : read, x)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  test('every integer reads back exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 1000n), max: 2n ** 1000n }), (n) => {
        const read = parse(stringify(n));
        expect(typeof read === 'number' ? BigInt(read) : read).toBe(n);
        expect(typeof read === 'number').toBe(n >= -MAX_SAFE && n <= MAX_SAFE);
      }),
      { numRuns: 300 },
    );
  });
});

describe('spec/wire.md §3.9 hostile input raises only WireError, positioned inside the input', () => {
  const alphabet = fc.constantFrom(...'()(){}[]"\\;:#\'., \n\r\t-+e.0123456789abcnilu\u00e9\ud83d\ude00\u0000'.split(''));

  test('random text over the grammar\'s characters', () => {
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 40 }), parseOrCheck), { numRuns: 2000 });
  });

  test('random text over every UTF-16 unit, lone surrogates included', () => {
    const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(fc.property(fc.string({ unit, maxLength: 40 }), parseOrCheck), { numRuns: 1000 });
  });

  test('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), parseOrCheck), { numRuns: 1000 });
  });

  test('mutations of valid text', () => {
    const mutation = fc.tuple(fc.nat(), fc.nat(2), alphabet);
    fc.assert(
      fc.property(value, fc.array(mutation, { minLength: 1, maxLength: 3 }), (v, edits) => {
        let s = stringify(v);
        for (const [at, kind, ch] of edits) {
          const i = s.length === 0 ? 0 : at % (s.length + 1);
          s = kind === 0 ? s.slice(0, i) + ch + s.slice(i) : kind === 1 ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + ch + s.slice(i + 1);
        }
        parseOrCheck(s);
        try {
          parse(s, { limits: { maxDepth: 2, maxCollectionLength: 2, maxElementBytes: 3 } });
        } catch (error) {
          checkError(error, s);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('byte mutations of valid UTF-8', () => {
    fc.assert(
      fc.property(value, fc.nat(), fc.integer({ min: 0, max: 255 }), (v, at, byte) => {
        const bytes = new TextEncoder().encode(stringify(v));
        if (bytes.length > 0) bytes[at % bytes.length] = byte;
        parseOrCheck(bytes);
      }),
      { numRuns: 1000 },
    );
  });

  test('every prefix of valid text reads or fails cleanly', () => {
    fc.assert(
      fc.property(value, (v) => {
        const s = stringify(v);
        for (let i = 0; i <= s.length; i++) parseOrCheck(s.slice(0, i));
      }),
      { numRuns: 60 },
    );
  });
});
