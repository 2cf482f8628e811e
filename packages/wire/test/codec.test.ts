import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Float, codecs, getCodec, sym, type CodecName, type Value } from '@petrichor/wire';
import { msgpackModel, onlyWireErrors, tnetstringModel, values, type ValueShape } from './helpers/values.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** What lossless s-expression decoding returns: dicts as `Map`s, small bigints as numbers. */
function sexprModel(value: Value): Value {
  if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
  if (Array.isArray(value)) return value.map(sexprModel);
  if (value instanceof Map) return new Map([...(value as Map<string, Value>)].map(([k, v]) => [k, sexprModel(v)]));
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Float) && Object.getPrototypeOf(value) === Object.prototype) {
    return new Map(Object.entries(value as Record<string, Value>).map(([k, v]) => [k, sexprModel(v)]));
  }
  return value;
}

const CASES: { name: CodecName; shape: ValueShape; model: (value: Value) => Value }[] = [
  { name: 'tnetstring', shape: { bytes: true, floats: true, bigints: true, hugeIntegers: true, objects: true, byteKeys: true }, model: tnetstringModel },
  { name: 'sexpr', shape: { floats: true, bigints: true, hugeIntegers: true, symbols: true, objects: true }, model: sexprModel },
  { name: 'msgpack', shape: { bytes: true, floats: true, bigints: true, objects: true }, model: msgpackModel },
];

describe('spec/wire.md §5 the codec registry', () => {
  test('three codecs, by name and media type', () => {
    expect(Object.keys(codecs)).toEqual(['tnetstring', 'sexpr', 'msgpack']);
    expect(Object.values(codecs).map((c) => [c.name, c.mediaType])).toEqual([
      ['tnetstring', 'application/x-tnetstring'],
      ['sexpr', 'application/sexp'],
      ['msgpack', 'application/vnd.msgpack'],
    ]);
    expect(Object.isFrozen(codecs)).toBe(true);
  });

  test('getCodec finds a codec by name or media type', () => {
    expect(getCodec('tnetstring')).toBe(codecs.tnetstring);
    expect(getCodec('application/sexp')).toBe(codecs.sexpr);
    expect(getCodec('Application/SEXP; charset=utf-8')).toBe(codecs.sexpr);
    expect(getCodec('application/msgpack')).toBe(codecs.msgpack);
    expect(getCodec('application/x-msgpack')).toBe(codecs.msgpack);
    expect(getCodec('application/json')).toBeUndefined();
    expect(getCodec('toString')).toBeUndefined();
    expect(getCodec('__proto__')).toBeUndefined();
  });
});

describe.each(CASES)('spec/wire.md §5 the $name codec', ({ name, shape, model }) => {
  const codec = codecs[name];

  test('round trip through the interface', () => {
    fc.assert(
      fc.property(values(shape), (value) => {
        const encoded = codec.encode(value);
        const decoded = codec.decode(encoded);
        expect(decoded).toStrictEqual(model(value));
        expect(codec.encode(decoded)).toStrictEqual(encoded);
      }),
      { numRuns: 250 },
    );
  });

  test('framing: frames back to back, each delimited by the scanner and decoded alone', () => {
    fc.assert(
      fc.property(fc.array(values(shape), { minLength: 1, maxLength: 4 }), (list) => {
        const stream = codec.framing.encode(list);
        const scanner = codec.framing.scanner(limits);
        const decoded: Value[] = [];
        let pos = 0;
        while (pos < stream.length) {
          scanner.reset(stream.length, 'maxMessageBytes');
          const end = scanner.feed(stream, pos, stream.length);
          expect(end).toBeGreaterThan(pos);
          decoded.push(codec.framing.decode(stream.subarray(pos, end), limits, {}));
          pos = end;
        }
        expect(decoded).toStrictEqual(list.map(model));
      }),
      { numRuns: 150 },
    );
  });

  test('decoding random bytes raises only WireErrors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (input) => {
        onlyWireErrors(() => codec.decode(input));
        onlyWireErrors(() => codec.decode(input, { text: true, objects: true, plainFloats: true, limits: { maxDepth: 2 } }));
      }),
      { numRuns: 800 },
    );
  });

  test('convenient options give plain objects and plain numbers', () => {
    const value = new Map<string, Value>([['a', new Float(1)], ['b', [new Map([['c', 2.5]])]]]);
    const decoded = codec.decode(codec.encode(value), { objects: true, plainFloats: true, text: true });
    expect(decoded).toStrictEqual({ a: 1, b: [{ c: 2.5 }] });
  });
});

const limits = { maxMessageBytes: 1 << 20, maxHeaderBytes: 1 << 16, maxElementBytes: 1 << 20, maxDepth: 64, maxCollectionLength: 1000 };

test('spec/wire.md §5 s-expression symbols have no form in the binary codecs', () => {
  expect(() => codecs.tnetstring.encode([sym('x')])).toThrow(/only in s-expressions/);
  expect(() => codecs.msgpack.encode([sym('x')])).toThrow(/only in s-expressions/);
  expect(codecs.sexpr.decode(codecs.sexpr.encode([sym('x')]))).toStrictEqual([sym('x')]);
});
