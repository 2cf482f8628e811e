/**
 * Strings through the s-expression reader and writer (spec/wire.md §3.4, §3.8), checked against
 * a reference written one character at a time from the spec: the fast paths (a regex search for
 * the next character that matters, slices between them) must give the same text, the same value
 * and the same error position, including at their boundaries.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MalformedError, UnencodableError } from '../src/errors.js';
import { IDENTIFIER, isIdentifier } from '../src/sexpr/chars.js';
import { parse, stringify } from '../src/sexpr/index.js';
import type { Value } from '../src/value.js';

const utf8 = new TextEncoder();

/** §3.8 by the letter: the canonical literal of `s`, or `undefined` when it holds a lone surrogate. */
function referenceQuote(s: string): string | undefined {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\u' + c.toString(16).padStart(4, '0');
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += s.slice(i, i + 2);
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) return undefined;
    else out += s[i];
  }
  return out + '"';
}

/**
 * §3.4 by the letter: reads the string literal at the start of `text` and returns its value and
 * where it ends, or the UTF-16 index where it stops being valid (its `"`, 0, when never closed).
 */
function referenceRead(text: string): { value: string; end: number } | { errorAt: number } {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return { value, end: i + 1 };
    if (c === 0x5c) {
      const e = text[i + 1];
      if (e === undefined) return { errorAt: 0 };
      const simple = ({ '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' } as Record<string, string>)[e];
      if (simple !== undefined) {
        value += simple;
        i++;
        continue;
      }
      if (e !== 'u') return { errorAt: i };
      const hex = (at: number): number | { errorAt: number } => {
        for (let k = at; k < at + 4; k++) {
          if (k >= text.length) return { errorAt: 0 };
          if (!/[0-9a-fA-F]/.test(text[k]!)) return { errorAt: k };
        }
        return parseInt(text.slice(at, at + 4), 16);
      };
      const unit = hex(i + 2);
      if (typeof unit !== 'number') return unit;
      if (unit >= 0xdc00 && unit <= 0xdfff) return { errorAt: i };
      if (unit >= 0xd800 && unit <= 0xdbff) {
        if (text.slice(i + 6, i + 8) !== '\\u') return { errorAt: i };
        const low = hex(i + 8);
        if (typeof low !== 'number') return low;
        if (low < 0xdc00 || low > 0xdfff) return { errorAt: i };
        value += String.fromCharCode(unit, low);
        i += 11;
        continue;
      }
      value += String.fromCharCode(unit);
      i += 5;
      continue;
    }
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return { errorAt: i };
    if (c >= 0xd800 && c <= 0xdfff) {
      const low = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return { errorAt: i };
      value += text.slice(i, i + 2);
      i++;
      continue;
    }
    value += text[i];
  }
  return { errorAt: 0 };
}

/** The UTF-8 length of `s`, lone surrogates counting 3 (as the reader's offsets do). */
function byteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      n += 4;
      i++;
    } else n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
  }
  return n;
}

/** Reads `text` (one string datum) and checks the outcome against {@link referenceRead}. */
function readsLikeReference(text: string): void {
  const expected = referenceRead(text);
  if ('value' in expected) {
    expect(parse(text.slice(0, expected.end))).toBe(expected.value);
    return;
  }
  let error: unknown;
  try {
    parse(text);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(MalformedError);
  expect((error as MalformedError).offset).toBe(byteLength(text.slice(0, expected.errorAt)));
}

/** Every class of character the writer and reader treat apart (§3.4, §3.8). */
const ESCAPE_CLASSES = ['"', '\\', '\n', '\t', '\r', '\u0000', '\u0008', '\u000c', '\u001b', '\u001f', '\u007f'];
const OTHER_CLASSES = ['a', ' ', '/', '~', '\u0080', '\u00e9', '\u07ff', '\u0800', '\u20ac', '\ufeff', '\uffff', '\ud83d\ude00', '\udbff\udfff'];

/** Runs of any length made of every class, so a scan can stop anywhere in a string. */
const piece = fc.oneof(
  fc.constantFrom(...ESCAPE_CLASSES, ...OTHER_CLASSES),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.nat(300).map((n) => 'x'.repeat(n)),
);
const wellFormed = fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join(''));

describe('spec/wire.md §3.4 and §3.8 strings, against a character-by-character reference', () => {
  test('every escape class and any Unicode: written as the reference writes it, read back as itself', () => {
    fc.assert(
      fc.property(wellFormed, (s) => {
        const written = stringify(s);
        expect(written).toBe(referenceQuote(s));
        expect(parse(written)).toBe(s);
        expect(parse(utf8.encode(written))).toBe(s);
        expect(parse(`(${written} ${written})`)).toEqual([s, s]);
        // Inside a map, as a key that is not an identifier and as a value.
        const map = new Map<string, Value>([[s + ' ', s]]);
        expect(parse(stringify(map))).toEqual(map);
      }),
      { numRuns: 1000 },
    );
  });

  test('any code point sequence, lone surrogates included: written only when well formed (§3.8)', () => {
    const unit = fc.oneof(fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.constantFrom('\ud800', '\udc00', 'x'));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (s) => {
        const expected = referenceQuote(s);
        if (expected === undefined) {
          expect(() => stringify(s)).toThrow(UnencodableError);
          expect(() => stringify([1, s])).toThrow(expect.objectContaining({ path: '$[1]' }) as Error);
        } else {
          expect(stringify(s)).toBe(expected);
          expect(parse(expected)).toBe(s);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('raw text between quotes (not canonical: raw breaks, bad escapes, lone surrogates) reads as the reference reads it', () => {
    const raw = fc.oneof(
      fc.constantFrom(...ESCAPE_CLASSES, ...OTHER_CLASSES, '\\u', '\\ud83d', '\\ude00', '\\u00e9', '\\uD83D\\uDE00', '\\x', '\\/', '\ud800', '\udc00', '"'),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.nat(200).map((n) => 'y'.repeat(n)),
    );
    fc.assert(
      fc.property(fc.array(raw, { maxLength: 10 }), (pieces) => {
        readsLikeReference('"' + pieces.join(''));
        readsLikeReference('"' + pieces.join('') + '"');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('spec/wire.md §3.1 identifiers', () => {
  test('the class-table check agrees with the identifier grammar on any text', () => {
    const unit = fc.oneof(fc.constantFrom(...'aZ_~!?*+-/<>=&%$^.09:#"\\ ()é\u0000\u007f'.split('')), fc.string({ minLength: 1, maxLength: 1 }));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 8 }), (s) => {
        expect(isIdentifier(s)).toBe(IDENTIFIER.test(s));
      }),
      { numRuns: 3000 },
    );
    expect(isIdentifier('')).toBe(false);
    expect(isIdentifier('a')).toBe(true);
    expect(isIdentifier('1a')).toBe(false);
    expect(isIdentifier('a1:#')).toBe(true);
    expect(isIdentifier('a\u00e9')).toBe(false);
  });
});

describe('spec/wire.md §3.4 and §3.8 strings at the edges of the fast paths', () => {
  test('the empty string', () => {
    expect(stringify('')).toBe('""');
    expect(parse('""')).toBe('');
    expect(parse(utf8.encode('""'))).toBe('');
    expect(parse('("" "")')).toEqual(['', '']);
    expect(parse('(""a)')).toEqual(['', expect.anything()]);
  });

  test('an escape or a pair first, last, alone, and both ends, in strings of every length to 70', () => {
    const specials = [...ESCAPE_CLASSES, '\ud83d\ude00', '\u00e9'];
    for (const special of specials) {
      for (let n = 0; n <= 70; n++) {
        const body = 'abcdefghij'.repeat(7).slice(0, n);
        for (const s of [special + body, body + special, special + body + special, body.slice(0, n >> 1) + special + body.slice(n >> 1)]) {
          const written = stringify(s);
          expect(written).toBe(referenceQuote(s));
          expect(parse(written)).toBe(s);
          expect(parse(utf8.encode(written + ' ; after'))).toBe(s);
        }
      }
    }
  });

  test('errors at the first and the last character between the quotes', () => {
    const at = (text: string): number => {
      try {
        parse(text);
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedError);
        return (error as MalformedError).offset;
      }
      throw new Error(`${JSON.stringify(text)} was read`);
    };
    expect(at('"\u0001abc"')).toBe(1);
    expect(at('"abc\u0001"')).toBe(4);
    expect(at('"\u007f"')).toBe(1);
    expect(at('"abc\u007f"')).toBe(4);
    expect(at('"\ud800abc"')).toBe(1);
    expect(at('"abc\ud800"')).toBe(4);
    expect(at('"abc\udc00"')).toBe(4);
    expect(at('"\\qabc"')).toBe(1);
    expect(at('"abc\\q"')).toBe(4);
    expect(at('"abc\\')).toBe(0); // ends inside an escape: never closed
    expect(at('"abc')).toBe(0);
    expect(at('"')).toBe(0);
    expect(at('("é\ud800")')).toBe(4); // a byte offset: é is 2 bytes
    expect(at('"\\u12"')).toBe(5);
  });

  test('a lone surrogate first or last is refused by the writer, with its index', () => {
    expect(() => stringify('\ud800abc')).toThrow(/U\+D800 at index 0/);
    expect(() => stringify('abc\ud83d')).toThrow(/U\+D83D at index 3/);
    expect(() => stringify('abc\ude00')).toThrow(/U\+DE00 at index 3/);
    expect(() => stringify('"\ud83d\ude00\udc00')).toThrow(/U\+DC00 at index 3/);
  });

  test('a cycle deeper than the stack walk is still found, and a shared value is not a cycle', () => {
    const root: Value[] = [];
    let inner = root;
    for (let depth = 0; depth < 40; depth++) {
      const next: Value[] = [];
      inner.push(next);
      inner = next;
    }
    const shared = ['s'];
    inner.push(shared, shared);
    expect(stringify(root)).toBe('('.repeat(41) + '("s") ("s")' + ')'.repeat(41));
    inner.push(root);
    expect(() => stringify(root)).toThrow(/cycle/);
    inner.pop();
    const deepMid = root[0] as Value[];
    inner.push(deepMid);
    expect(() => stringify(root)).toThrow(/cycle/);
  });

  test('errors inside maps name the key', () => {
    expect(() => stringify({ a: { 'b c': [1, undefined as unknown as Value] } })).toThrow(expect.objectContaining({ path: '$.a["b c"][1]' }) as Error);
    expect(() => stringify(new Map<string, Value>([['k', 'ok'], ['bad', '\ud800']]))).toThrow(expect.objectContaining({ path: '$.bad' }) as Error);
    const bytesKey = new Map([[new Uint8Array([1]), 1]]) as unknown as Value;
    expect(() => stringify([bytesKey])).toThrow(expect.objectContaining({ path: '$[0][bytes]' }) as Error);
  });
});
