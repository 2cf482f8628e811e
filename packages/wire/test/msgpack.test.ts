import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { decode as libraryDecode, encode as libraryEncode } from '@msgpack/msgpack';
import {
  ConversionError,
  DEFAULT_LIMITS,
  Float,
  LimitError,
  MalformedError,
  TruncatedError,
  UnencodableError,
  keyword,
  msgpack,
  sym,
  type Value,
} from '@petrichor/wire';
import { MsgpackScanner } from '../src/msgpack/scanner.js';
import { hex, msgpackModel, onlyWireErrors, thrown, toHex, values } from './helpers/values.js';

const decodeHex = (text: string, options?: msgpack.DecodeOptions): Value => msgpack.decode(hex(text), options);

function expectMalformed(text: string, offset: number, reason: RegExp): void {
  const error = thrown(() => decodeHex(text));
  expect(error, String(error)).toBeInstanceOf(MalformedError);
  expect((error as MalformedError).reason).toMatch(reason);
  expect((error as MalformedError).offset).toBe(offset);
}

describe('spec/wire.md §4.1 msgpack formats', () => {
  test.each<[string, Value]>([
    ['00', 0],
    ['7f', 127],
    ['ff', -1],
    ['e0', -32],
    ['cc ff', 255],
    ['cd 01 00', 256],
    ['ce 00 01 00 00', 65536],
    ['cf 00 1f ff ff ff ff ff ff', 2 ** 53 - 1],
    ['cf 00 20 00 00 00 00 00 00', 2n ** 53n],
    ['cf ff ff ff ff ff ff ff ff', 2n ** 64n - 1n],
    ['d0 80', -128],
    ['d3 80 00 00 00 00 00 00 00', -(2n ** 63n)],
    ['d3 ff e0 00 00 00 00 00 01', -(2 ** 53) + 1],
    ['ca 3f c0 00 00', 1.5],
    ['cb 3f f8 00 00 00 00 00 00', 1.5],
    ['cb 80 00 00 00 00 00 00 00', -0],
    ['c0', null],
    ['c2', false],
    ['c3', true],
    ['a0', ''],
    ['a3 68 c3 a9', 'hé'],
    ['d9 01 61', 'a'],
    ['c4 02 00 ff', Uint8Array.from([0, 255])],
    ['90', []],
    ['92 01 a1 78', [1, 'x']],
    ['dc 00 01 c0', [null]],
    ['80', new Map()],
    ['82 a1 62 01 a1 61 02', new Map([['b', 1], ['a', 2]])],
    ['de 00 01 a1 6b 90', new Map([['k', []]])],
  ])('%s', (input, value) => {
    const decoded = decodeHex(input);
    expect(decoded).toStrictEqual(value);
    if (typeof value === 'number') expect(Object.is(decoded, value)).toBe(true);
  });

  test('bin decodes to a view of the input, not a copy', () => {
    const input = msgpack.encode([new Uint8Array(100_000).fill(9)]);
    const [blob] = msgpack.decode(input) as [Uint8Array];
    expect(blob.buffer).toBe(input.buffer);
    expect(blob.length).toBe(100_000);
  });

  test('{ objects: true } gives the plain objects @msgpack/msgpack itself returns', () => {
    const input = hex('82 a1 62 01 a1 61 81 a1 63 c0');
    expect(msgpack.decode(input, { objects: true })).toStrictEqual(libraryDecode(input));
    expect(msgpack.decode(input, { objects: true })).toStrictEqual({ b: 1, a: { c: null } });
  });
});

describe('spec/wire.md §4.2 the Petrichor profile', () => {
  test.each([
    ['c1', 0, /0xc1 is never used/],
    ['d4 01 00', 0, /ext types/],
    ['d6 ff 00 00 00 00', 0, /ext types/], // a timestamp: no Date in the data model
    ['92 01 c7 01 05 00', 2, /ext types/],
    ['81 01 02', 1, /map key is not a str/],
    ['81 c4 01 61 02', 1, /map key is not a str/],
    ['81 90 02', 1, /map key is not a str/],
    ['a2 c3 28', 2, /not valid UTF-8/],
    ['a2 c0 80', 1, /not valid UTF-8/],
    ['a3 ed a0 80', 2, /not valid UTF-8/],
    ['a1 c3', 1, /ends inside a UTF-8 sequence/],
    ['ca 7f c0 00 00', 0, /NaN and ±Infinity/],
    ['cb 7f f0 00 00 00 00 00 00', 0, /NaN and ±Infinity/],
    ['cb ff f8 00 00 00 00 00 00', 0, /NaN and ±Infinity/],
    ['c0 c0', 1, /trailing bytes/],
  ])('%s is malformed at byte %i', (input, offset, reason) => {
    expectMalformed(input, offset, reason);
  });

  test('a value cut short is truncated', () => {
    for (const input of ['', 'cd 01', 'a3 61', '92 01', '81 a1 61', 'dc 00']) {
      expect(thrown(() => decodeHex(input)), input).toBeInstanceOf(TruncatedError);
    }
  });

  test('the key __proto__ cannot go through @msgpack/msgpack: a ConversionError', () => {
    const input = hex('81 a9 5f 5f 70 72 6f 74 6f 5f 5f c0');
    expect(thrown(() => msgpack.decode(input))).toBeInstanceOf(ConversionError);
  });
});

describe('spec/wire.md §4.3 encoding', () => {
  test.each<[string, Value, string]>([
    ['positive fixint', 5, '05'],
    ['negative fixint', -1, 'ff'],
    ['uint 8', 200, 'cc c8'],
    ['int 32', -(2 ** 31), 'd2 80 00 00 00'],
    ['uint 32', 2 ** 32 - 1, 'ce ff ff ff ff'],
    ['past 32 bits: uint 64, not a float', 2 ** 32, 'cf 00 00 00 01 00 00 00 00'],
    ['past -2^31: int 64', -(2 ** 31) - 1, 'd3 ff ff ff ff 7f ff ff ff'],
    ['a small bigint takes the shortest form', 7n, '07'],
    ['a large bigint', 2n ** 64n - 1n, 'cf ff ff ff ff ff ff ff ff'],
    ['a float', 1.5, 'cb 3f f8 00 00 00 00 00 00'],
    ['text is str', 'hé', 'a3 68 c3 a9'],
    ['bytes are bin', Uint8Array.from([1]), 'c4 01 01'],
    ['a Map keeps its order', new Map<string, Value>([['b', 1], ['a', [true]]]), '82 a1 62 01 a1 61 91 c3'],
    ['an object', { k: null }, '81 a1 6b c0'],
  ])('%s', (_, value, expected) => {
    expect(toHex(msgpack.encode(value))).toBe(expected.replace(/ /g, ''));
  });

  test('a Map encodes as a map, where @msgpack/msgpack alone would write an empty one', () => {
    const map = new Map([['a', 1]]);
    expect(toHex(libraryEncode(map))).toBe('80');
    expect(toHex(msgpack.encode(map))).toBe('81a16101');
  });

  test('__proto__ as a key is written as an own key', () => {
    const object = JSON.parse('{"__proto__": 1}') as Value;
    expect(toHex(msgpack.encode(object))).toBe('81a95f5f70726f746f5f5f01');
    expect(toHex(msgpack.encode(new Map([['__proto__', 1]])))).toBe('81a95f5f70726f746f5f5f01');
  });

  test.each<[string, unknown, string, RegExp]>([
    ['a symbol', [sym('x')], '$[0]', /only in s-expressions/],
    ['a keyword', { k: keyword('k') }, '$.k', /only in s-expressions/],
    ['a byte key', new Map([[Uint8Array.from([1]), 1]]), '$[bytes 01]', /keys must be strings/],
    ['a bigint past 64 bits', [2n ** 64n], '$[0]', /64-bit range/],
    ['a bigint below -2^63', [-(2n ** 63n) - 1n], '$[0]', /64-bit range/],
    ['NaN', { a: NaN }, '$.a', /NaN/],
    ['undefined', [1, undefined], '$[1]', /undefined/],
    ['a Date', new Date(0), '$', /Date/],
    ['a lone surrogate', '\ud800', '$', /lone surrogate/],
  ])('%s is unencodable', (_, value, path, reason) => {
    const error = thrown(() => msgpack.encode(value as Value));
    expect(error, String(error)).toBeInstanceOf(UnencodableError);
    expect((error as UnencodableError).path).toBe(path);
    expect((error as Error).message).toMatch(reason);
  });
});

describe('spec/wire.md §4.4 what the mapping loses', () => {
  test('an integral Float is written as an integer, -0 as 0', () => {
    expect(toHex(msgpack.encode(new Float(1)))).toBe('01');
    expect(toHex(msgpack.encode(-0))).toBe('00');
  });

  test('an integral float on the wire decodes as an integer; float 32 widens', () => {
    expect(decodeHex('cb 3f f0 00 00 00 00 00 00')).toBe(1);
    expect(decodeHex('ca 3d cc cc cd')).toBe(Math.fround(0.1));
  });

  test('keys that are array indices come first', () => {
    const decoded = decodeHex('82 a1 62 01 a1 31 02') as Map<string, Value>;
    expect([...decoded.keys()]).toEqual(['1', 'b']);
  });
});

describe('spec/wire.md §7.1 limits while decoding msgpack', () => {
  test('maxElementBytes bounds str and bin lengths, from their headers', () => {
    const limits = { maxElementBytes: 4 };
    expect(thrown(() => decodeHex('c4 05 00 00 00 00 00', { limits }))).toMatchObject({ limit: 'maxElementBytes', actual: 5 });
    expect(thrown(() => decodeHex('db 7f ff ff ff', { limits: { maxElementBytes: 1000 } }))).toBeInstanceOf(LimitError);
  });

  test('a length of 2^32-1 is refused from its header alone', () => {
    expect(thrown(() => decodeHex('c6 ff ff ff ff'))).toMatchObject({ limit: 'maxElementBytes', offset: 0 });
    expect(thrown(() => decodeHex('dd ff ff ff ff'))).toMatchObject({ limit: 'maxCollectionLength', actual: 2 ** 32 - 1 });
  });

  test('maxCollectionLength and maxDepth', () => {
    expect(thrown(() => decodeHex('93 01 02 03', { limits: { maxCollectionLength: 2 } }))).toMatchObject({ limit: 'maxCollectionLength' });
    expect(thrown(() => decodeHex('82 a1 61 01 a1 62 02', { limits: { maxCollectionLength: 1 } }))).toMatchObject({
      limit: 'maxCollectionLength',
    });
    expect(decodeHex('91 91 90', { limits: { maxDepth: 2 } })).toStrictEqual([[[]]]);
    expect(thrown(() => decodeHex('91 91 91 90', { limits: { maxDepth: 2 } }))).toMatchObject({ limit: 'maxDepth', actual: 3 });
    const deep = hex('91'.repeat(DEFAULT_LIMITS.maxDepth) + 'c0');
    expect(() => msgpack.decode(deep)).not.toThrow();
    expect(thrown(() => msgpack.decode(hex('91'.repeat(DEFAULT_LIMITS.maxDepth + 1) + 'c0')))).toBeInstanceOf(LimitError);
  });

  test('an array claiming more items than its limit could hold bytes for is refused at its header', () => {
    const scanner = new MsgpackScanner(DEFAULT_LIMITS);
    scanner.reset(10, 'maxMessageBytes');
    expect(thrown(() => scanner.feed(hex('dc 00 20'), 0, 3))).toMatchObject({ limit: 'maxMessageBytes', offset: 0 });
  });
});

describe('spec/wire.md §4.2 the scanner', () => {
  const anyValue = values({ bytes: true, bigints: true, objects: true });

  test('finds the same end however the bytes are split', () => {
    fc.assert(
      fc.property(anyValue, fc.array(fc.nat(), { maxLength: 6 }), (value, cuts) => {
        const data = msgpack.encode(value);
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const scanner = new MsgpackScanner(DEFAULT_LIMITS);
        scanner.reset(data.length, 'maxMessageBytes');
        let from = 0;
        let end = -1;
        for (const to of [...points, data.length]) {
          if (to < from) continue;
          end = scanner.feed(data, from, to);
          if (end >= 0) break;
          from = to;
        }
        expect(end).toBe(data.length);
        expect(scanner.scanned).toBe(data.length);
      }),
      { numRuns: 400 },
    );
  });

  test('one byte at a time, with a limit one byte short, it fails at the last byte', () => {
    const data = msgpack.encode({ a: [1, 'two', Uint8Array.from([3])] });
    const scanner = new MsgpackScanner(DEFAULT_LIMITS);
    scanner.reset(data.length - 1, 'maxMessageBytes');
    const error = thrown(() => {
      for (let i = 0; i < data.length; i++) scanner.feed(data, i, i + 1);
    });
    expect(error).toBeInstanceOf(LimitError);
  });
});

/** `value` with every `-0` made `0`: our writer writes `-0` as the integer 0 (spec/wire.md §4.4, tested above). */
function positiveZero(value: Value): Value {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(positiveZero);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array) && !(value instanceof Map)) {
    const object = value as Record<string, Value>;
    const copy: Record<string, Value> = {};
    for (const key of Object.keys(object)) Object.defineProperty(copy, key, { value: positiveZero(object[key]!), enumerable: true, writable: true });
    return copy;
  }
  return value;
}

function safeNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (Array.isArray(value)) return value.map(safeNumbers);
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) object[key] = safeNumbers(object[key]);
  }
  return value;
}

describe('spec/wire.md §4 properties', () => {
  const anyValue = values({ bytes: true, floats: true, bigints: true, objects: true });

  test('round trip: decode(encode(v)) is v, up to the losses of §4.4', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        const encoded = msgpack.encode(value);
        expect(msgpack.decode(encoded)).toStrictEqual(msgpackModel(value));
        expect(msgpack.encode(msgpack.decode(encoded))).toStrictEqual(encoded);
        expect(msgpack.decodeAll(msgpack.encodeAll([value, null]))).toStrictEqual([msgpackModel(value), null]);
      }),
      { numRuns: 400 },
    );
  });

  test('what we write, @msgpack/msgpack reads; what it writes, we read', () => {
    fc.assert(
      fc.property(values({ bytes: true, objects: true, maps: false }).map(positiveZero), (value) => {
        // The library reads every 64-bit integer as a bigint; the data model keeps safe ones numbers.
        expect(safeNumbers(libraryDecode(msgpack.encode(value), { useBigInt64: true }))).toStrictEqual(value);
        expect(msgpack.decode(libraryEncode(value), { objects: true })).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  test('random and mutated bytes raise only WireErrors', () => {
    const mutation = fc.tuple(fc.nat(), fc.nat(255));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), anyValue, fc.array(mutation, { maxLength: 3 }), (noise, value, mutations) => {
        onlyWireErrors(() => msgpack.decode(noise));
        onlyWireErrors(() => msgpack.decodeAll(noise, { objects: true }));
        const data = msgpack.encode(value).slice();
        for (const [at, byte] of mutations) if (data.length > 0) data[at % data.length] = byte;
        onlyWireErrors(() => msgpack.decode(data));
        onlyWireErrors(() => msgpack.decode(data.subarray(0, data.length >> 1), { limits: { maxDepth: 2 } }));
      }),
      { numRuns: 1500 },
    );
  });
});
