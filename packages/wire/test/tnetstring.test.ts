import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ConversionError,
  Float,
  LimitError,
  MalformedError,
  MAX_DEPTH,
  TruncatedError,
  UnencodableError,
  WireError,
  keyword,
  sym,
  tnetstring,
  type Value,
} from '@petrichor/wire';
import { bytes, latin1, onlyWireErrors, thrown, tn, tnetstringModel, values } from './helpers/values.js';

const decode = (text: string | Uint8Array, options?: tnetstring.DecodeOptions): Value =>
  tnetstring.decode(typeof text === 'string' ? bytes(text) : text, options);
const encode = (value: Value): string => latin1(tnetstring.encode(value));
/** The canonical bytes of `value`, as UTF-8 text (for values whose encoding is UTF-8). */
const encodeText = (value: Value): string => new TextDecoder().decode(tnetstring.encode(value));

function expectMalformed(input: string | Uint8Array, offset: number, reason: RegExp, options?: tnetstring.DecodeOptions): void {
  const error = thrown(() => decode(input, options));
  expect(error, String(error)).toBeInstanceOf(MalformedError);
  expect((error as MalformedError).reason).toMatch(reason);
  expect((error as MalformedError).offset).toBe(offset);
}

describe('spec/wire.md §1 the length prefix', () => {
  test.each([
    ['0:~', null],
    ['5:hello,', bytes('hello')],
    ['10:0123456789,', bytes('0123456789')],
  ])('%s is valid', (input, value) => {
    expect(decode(input)).toStrictEqual(value);
  });

  test.each([
    ['05:hello,', 0, /leading zero in length/],
    ['00:,', 0, /leading zero in length/],
    ['-1:a,', 0, /expected a length digit/],
    ['+1:a,', 0, /expected a length digit/],
    [' 1:a,', 0, /expected a length digit/],
    ['1 :a,', 1, /expected a length digit or ":"/],
    [':,', 0, /empty length/],
    ['1234567890:', 9, /more than 9 digits/],
    ['5hello,', 1, /expected a length digit or ":"/],
  ])('%s is malformed at byte %i', (input, offset, reason) => {
    expectMalformed(input, offset, reason);
  });

  test('LEN counts bytes, not characters', () => {
    expect(decode('2:é,')).toStrictEqual(bytes('é'));
    expectMalformed('1:é,', 3, /unknown type byte/);
  });

  test('an input that stops inside the prefix is truncated, not malformed', () => {
    for (const input of ['', '1', '12', '123456789']) {
      expect(thrown(() => decode(input))).toBeInstanceOf(TruncatedError);
    }
  });

  test('a length of 999999999 is refused from the prefix alone, before any data', () => {
    const error = thrown(() => decode('999999999:'));
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ limit: 'maxElementBytes', actual: 999_999_999, offset: 0 });
    // With the limit raised, the same 10 bytes are merely truncated: nothing was allocated for the rest.
    expect(thrown(() => decode('999999999:', { limits: { maxElementBytes: 999_999_999 } }))).toBeInstanceOf(TruncatedError);
  });
});

describe('spec/wire.md §2.1 elements and type bytes', () => {
  test.each([
    ['5:hello,', bytes('hello')],
    ['2:42#', 42],
    ['3:1.5^', 1.5],
    ['4:true!', true],
    ['0:~', null],
    ['8:1:1#1:2#]', [1, 2]],
    ['9:1:a,2:42#}', new Map([['a', 42]])],
  ])('%s (the table of the notes)', (input, value) => {
    expect(decode(input)).toStrictEqual(value);
  });

  test.each([
    ['3:abc;', 5, /";" unicode strings are a non-standard extension/],
    ['3:abc?', 5, /unknown type byte "\?"/],
    ['0:\x00', 2, /unknown type byte \(0x00\)/],
  ])('%j has an unknown type byte', (input, offset, reason) => {
    expectMalformed(input, offset, reason);
  });

  test('an element missing its type byte, or part of its data, is truncated', () => {
    for (const input of ['5:hello', '5:hel', '2:42']) expect(thrown(() => decode(input))).toBeInstanceOf(TruncatedError);
  });
});

describe('spec/wire.md §2.2 byte strings', () => {
  test('any bytes, not only UTF-8', () => {
    const input = Uint8Array.from([0x34, 0x3a, 0x00, 0xff, 0xc3, 0x28, 0x2c]);
    expect(decode(input)).toStrictEqual(Uint8Array.from([0x00, 0xff, 0xc3, 0x28]));
  });

  test('decoded bytes are a view of the input, not a copy', () => {
    const input = tnetstring.encode([new Uint8Array(1 << 20).fill(7)]);
    const [blob] = decode(input) as [Uint8Array];
    expect(blob.buffer).toBe(input.buffer);
    expect(blob.byteOffset).toBe(input.byteOffset + '1048585:1048576:'.length);
    expect(blob.length).toBe(1 << 20);
  });

  test('with { text: true } they are strings; bytes that are not UTF-8 raise ConversionError', () => {
    expect(decode('6:h\u00e9llo,', { text: true })).toBe('héllo'.slice(0, 5));
    expect(decode('3:\u20ac,', { text: true })).toBe('€');
    const error = thrown(() => decode(Uint8Array.from([0x32, 0x3a, 0xc3, 0x28, 0x2c]), { text: true }));
    expect(error).toBeInstanceOf(ConversionError);
    expect((error as ConversionError).offset).toBe(2);
    // Overlong forms and surrogates are not UTF-8 either; a BOM is kept.
    expect(thrown(() => decode(Uint8Array.from([0x32, 0x3a, 0xc0, 0x80, 0x2c]), { text: true }))).toBeInstanceOf(ConversionError);
    expect(thrown(() => decode(Uint8Array.from([0x33, 0x3a, 0xed, 0xa0, 0x80, 0x2c]), { text: true }))).toBeInstanceOf(ConversionError);
    expect(decode(Uint8Array.from([0x33, 0x3a, 0xef, 0xbb, 0xbf, 0x2c]), { text: true })).toBe('\ufeff');
  });

  test('long strings decode as text the same way (the TextDecoder path)', () => {
    const long = 'é€😀a'.repeat(40);
    expect(decode(tnetstring.encode(long), { text: true })).toBe(long);
    const bad = tnetstring.encode(new Uint8Array(100).fill(0xff));
    expect(thrown(() => decode(bad, { text: true }))).toBeInstanceOf(ConversionError);
  });
});

describe('spec/wire.md §2.3 integers', () => {
  test.each([
    ['0', 0],
    ['-0', 0],
    ['42', 42],
    ['-7', -7],
    ['123456789', 123456789],
    ['1234567890', 1234567890],
    ['1000000000000000', 1e15],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
    ['-9007199254740991', -Number.MAX_SAFE_INTEGER],
    ['9007199254740992', 9007199254740992n],
    ['-9007199254740992', -9007199254740992n],
    ['123456789012345678901234567890', 123456789012345678901234567890n],
  ])('%s#', (data, value) => {
    const decoded = decode(tn(data, '#'));
    expect(decoded).toStrictEqual(value);
    expect(Object.is(decoded, -0)).toBe(false);
  });

  test.each([
    ['', 2, /without digits/],
    ['-', 2, /without digits/],
    ['+1', 2, /non-digit/],
    [' 1', 2, /non-digit/],
    ['1 ', 3, /non-digit/],
    ['01', 2, /leading zero/],
    ['-01', 3, /leading zero/],
    ['00', 2, /leading zero/],
    ['1_000', 3, /non-digit/],
    ['1.0', 3, /non-digit/],
    ['0x10', 2, /leading zero/],
    ['1e3', 3, /non-digit/],
    ['12345678901234567x', 19, /non-digit/],
  ])('%j# is malformed', (data, offset, reason) => {
    expectMalformed(tn(data, '#'), offset + String(bytes(data).length).length - 1, reason);
  });

  test('at most 4300 digits (decoding stays linear)', () => {
    const max = `-${'9'.repeat(4300)}`;
    expect(decode(tn(max, '#'))).toBe(BigInt(max));
    expectMalformed(tn('9'.repeat(4301), '#'), 5, /more than 4300 digits/);
  });
});

describe('spec/wire.md §2.4 floats', () => {
  test.each([
    ['1.5', 1.5],
    ['-1.5', -1.5],
    ['0.1', 0.1],
    ['123.456', 123.456],
    ['2.5E-3', 0.0025],
    ['1e+21', 1e21],
    ['1.5e300', 1.5e300],
    ['5e-324', 5e-324],
    ['29.740000000000002', 29.740000000000002],
    ['0.30000000000000004', 0.30000000000000004],
  ])('%s^ is a plain number', (data, value) => {
    expect(decode(tn(data, '^'))).toBe(value);
  });

  test('-0.0 keeps its sign', () => {
    expect(Object.is(decode('4:-0.0^'), -0)).toBe(true);
    expect(Object.is(decode('2:-0^'), -0)).toBe(true);
  });

  test.each([
    ['1.0', 1],
    ['1', 1],
    ['-3.0', -3],
    ['0.0', 0],
    ['1e9', 1e9],
    ['100.00', 100],
  ])('%s^ is integral: a Float, so that it stays a float', (data, value) => {
    expect(decode(tn(data, '^'))).toStrictEqual(new Float(value));
    expect(decode(tn(data, '^'), { plainFloats: true })).toBe(value);
  });

  test('3:1.0^ is not 1:1#', () => {
    expect(decode('3:1.0^')).not.toStrictEqual(decode('1:1#'));
    expect(encode(decode('3:1.0^'))).toBe('3:1.0^');
    expect(encode(decode('1:1#'))).toBe('1:1#');
  });

  test.each([
    ['', /start with a digit/],
    ['.5', /start with a digit/],
    ['-.5', /start with a digit/],
    ['1.', /digit after "."/],
    ['1e', /exponent without digits/],
    ['1e+', /exponent without digits/],
    ['+1.0', /start with a digit/],
    [' 1.0', /start with a digit/],
    ['1.0 ', /unexpected byte/],
    ['NaN', /start with a digit/],
    ['Infinity', /start with a digit/],
    ['0x1p3', /unexpected byte/],
    ['1_0.0', /unexpected byte/],
    ['01.5', /leading zero/],
    ['1.0.0', /unexpected byte/],
    ['1e999', /out of range/],
    ['-1e999', /out of range/],
  ])('%j^ is malformed', (data, reason) => {
    const error = thrown(() => decode(tn(data, '^')));
    expect(error, data).toBeInstanceOf(MalformedError);
    expect((error as MalformedError).reason).toMatch(reason);
  });

  test('the exact fast path agrees with JavaScript parsing on short decimals', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^-?(0|[1-9][0-9]{0,8})\.[0-9]{1,6}$/), (data) => {
        const value = decode(tn(data, '^'), { plainFloats: true });
        expect(value).toBe(Number(data));
      }),
      { numRuns: 500 },
    );
  });
});

describe('spec/wire.md §2.5 booleans and null', () => {
  test('4:true! and 5:false!', () => {
    expect(decode('4:true!')).toBe(true);
    expect(decode('5:false!')).toBe(false);
  });

  test.each(['4:True!', '1:1!', '0:!', '5:truee!', '4:fals!', '3:yes!'])('%s is malformed', (input) => {
    expectMalformed(input, input.indexOf(':') + 1, /must be "true" or "false"/);
  });

  test('null has no data', () => {
    expect(decode('0:~')).toBe(null);
    expectMalformed('1:x~', 0, /null \(~\) with non-empty data/);
    expectMalformed('4:null~', 0, /null \(~\) with non-empty data/);
  });
});

describe('spec/wire.md §2.6 lists and dicts', () => {
  test('nesting', () => {
    expect(decode('0:]')).toStrictEqual([]);
    expect(decode('0:}')).toStrictEqual(new Map());
    expect(decode(tn(`${tn('', ']')}${tn(tn('x', ','), ']')}`, ']'))).toStrictEqual([[], [bytes('x')]]);
    expect(decode(tn(`${tn('k', ',')}${tn(`${tn('1', '#')}${tn('', '~')}`, ']')}`, '}'))).toStrictEqual(
      new Map([['k', [1, null]]]),
    );
  });

  test('dict keys keep their wire order', () => {
    const input = tn(`${tn('b', ',')}${tn('1', '#')}${tn('a', ',')}${tn('2', '#')}${tn('10', ',')}${tn('3', '#')}`, '}');
    expect([...(decode(input) as Map<string, Value>).keys()]).toEqual(['b', 'a', '10']);
    expect(encode(decode(input))).toBe(input);
  });

  test.each([
    ['3:1:a]', 2, /runs past the end of its list or dict/],
    ['5:1:a,x]', 6, /expected a length digit/],
    ['4:1:a,}', 2, /dict key without a value/],
    ['8:1:1#1:a,}', 5, /dict key is not a byte string/],
    ['6:0:~0:~}', 4, /dict key is not a byte string/],
    ['16:1:a,1:1#1:a,1:2#}', 11, /duplicate dict key/],
    ['4:9:a]]', 2, /runs past the end/],
  ])('%s is malformed', (input, offset, reason) => {
    expectMalformed(input, offset, reason);
    expectMalformed(input, offset, reason, { objects: true });
  });

  test('a key that is not UTF-8 stays bytes; as an object key it is a ConversionError', () => {
    const input = Uint8Array.from([...bytes('8:2:'), 0xff, 0xfe, ...bytes(',0:~}')]);
    expect(decode(input)).toStrictEqual(new Map([[Uint8Array.from([0xff, 0xfe]), null]]));
    expect(thrown(() => decode(input, { objects: true }))).toBeInstanceOf(ConversionError);
    const twice = Uint8Array.from([...bytes('14:1:'), 0xff, ...bytes(',0:~1:'), 0xff, ...bytes(',0:~}')]);
    expect(thrown(() => decode(twice))).toMatchObject({ reason: 'duplicate dict key', offset: 10 });
  });

  test('{ objects: true }: plain objects, __proto__ an own key, no prototype pollution', () => {
    const input = tn(`${tn('__proto__', ',')}${tn(`${tn('polluted', ',')}${tn('true', '!')}`, '}')}${tn('constructor', ',')}${tn('1', '#')}`, '}');
    const object = decode(input, { objects: true }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(Object.keys(object)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(object, '__proto__')?.value).toStrictEqual({ polluted: true });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(object['constructor']).toBe(1);
    expect(encode(object as Value)).toBe(input);
  });

  test('duplicate keys are found in objects too, also keys named like inherited properties', () => {
    const input = tn(`${tn('toString', ',')}${tn('1', '#')}${tn('toString', ',')}${tn('2', '#')}`, '}');
    expect(thrown(() => decode(input, { objects: true }))).toMatchObject({ reason: 'duplicate dict key', offset: 18 });
    const once = tn(`${tn('toString', ',')}${tn('1', '#')}`, '}');
    expect(decode(once, { objects: true })).toStrictEqual({ toString: 1 });
  });
});

describe('spec/wire.md §2.7 reading one value, the first value, or all of them', () => {
  test('decode takes the whole input: trailing bytes, even a newline, are an error', () => {
    expectMalformed('0:~\n', 3, /trailing bytes/);
    expectMalformed('0:~0:~', 3, /trailing bytes/);
  });

  test('decodeFirst returns the rest as a view of the same buffer', () => {
    const input = bytes('1:1#rest');
    const { value, rest } = tnetstring.decodeFirst(input);
    expect(value).toBe(1);
    expect(latin1(rest)).toBe('rest');
    expect(rest.buffer).toBe(input.buffer);
  });

  test('decodeAll reads a concatenation; encodeAll writes one', () => {
    expect(tnetstring.decodeAll(bytes(''))).toEqual([]);
    expect(tnetstring.decodeAll(bytes('1:1#0:~3:abc,'))).toStrictEqual([1, null, bytes('abc')]);
    expect(latin1(tnetstring.encodeAll([1, null, 'abc']))).toBe('1:1#0:~3:abc,');
    expect(thrown(() => tnetstring.decodeAll(bytes('1:1#0:')))).toBeInstanceOf(TruncatedError);
  });
});

describe('spec/wire.md §2.8 canonical encoding', () => {
  test.each<[string, Value, string]>([
    ['integer', 42, '2:42#'],
    ['negative integer', -7, '2:-7#'],
    ['zero', 0, '1:0#'],
    ['largest safe integer', -Number.MAX_SAFE_INTEGER, '17:-9007199254740991#'],
    ['-0', -0, '4:-0.0^'],
    ['float', 1.5, '3:1.5^'],
    ['Float', new Float(1), '3:1.0^'],
    ['Float -0', new Float(-0), '4:-0.0^'],
    ['large float', 1e21, '5:1e+21^'],
    ['small float', 1e-7, '4:1e-7^'],
    ['integral but unsafe', 2 ** 53, '18:9007199254740992.0^'],
    ['small bigint', 123n, '3:123#'],
    ['bigint', 2n ** 64n, '20:18446744073709551616#'],
    ['true', true, '4:true!'],
    ['false', false, '5:false!'],
    ['null', null, '0:~'],
    ['text as UTF-8', 'hé', '3:hé,'],
    ['empty list', [], '0:]'],
    ['empty dict', {}, '0:}'],
    ['Map in insertion order', new Map<string, Value>([['z', 1], ['a', [true]]]), '22:1:z,1:1#1:a,7:4:true!]}'],
    ['object in key order', { z: 1, a: null }, '15:1:z,1:1#1:a,0:~}'],
    ['byte key', new Map([[Uint8Array.from([0x61]), 1]]), '8:1:a,1:1#}'],
  ])('%s', (_, value, expected) => {
    expect(encodeText(value)).toBe(expected);
  });

  test('bytes are written as they are', () => {
    expect([...tnetstring.encode(Uint8Array.from([0, 255]))]).toEqual([0x32, 0x3a, 0, 255, 0x2c]);
  });

  test.each([
    '0:~',
    '3:1.0^',
    '4:-0.0^',
    '20:18446744073709551616#',
    '22:1:z,1:1#1:a,7:4:true!]}',
    '25:5:hello,3:1.5^0:]5:false!]',
  ])('decode then encode gives %s back byte for byte', (input) => {
    expect(encode(decode(input))).toBe(input);
    expect(encode(decode(input, { plainFloats: false }))).toBe(input);
  });

  test.each([
    ['1:1^', '3:1.0^'],
    ['2:-0#', '1:0#'],
    ['3:1E5^', '8:100000.0^'],
    ['6:1.5e00^', '3:1.5^'],
    ['5:1.500^', '3:1.5^'],
  ])('non-canonical %s re-encodes as %s', (input, canonical) => {
    expect(encode(decode(input))).toBe(canonical);
  });
});

describe('spec/wire.md §2.8 what cannot be encoded', () => {
  class Point {
    x = 1;
  }
  const cycle: Value[] = [];
  (cycle as unknown[]).push(cycle);
  let deep: Value = [];
  for (let i = 1; i < MAX_DEPTH; i++) deep = [deep]; // MAX_DEPTH levels

  test.each<[string, unknown, string, RegExp]>([
    ['undefined', undefined, '$', /undefined/],
    ['NaN deep inside', { a: [1, NaN] }, '$.a[1]', /NaN is not a finite number/],
    ['Infinity', new Map([['x y', Infinity]]), '$["x y"]', /Infinity/],
    ['Float NaN', [new Float(NaN)], '$[0]', /Float\(NaN\)/],
    ['a symbol', [sym('GET')], '$[0]', /only in s-expressions/],
    ['a keyword', { k: keyword('k') }, '$.k', /only in s-expressions/],
    ['a lone surrogate', ['\ud800'], '$[0]', /lone surrogate/],
    ['a lone surrogate key', { '\udc00': 1 }, '$["\\udc00"]', /lone surrogate/],
    ['a number key', new Map([[1, 2]]), '$[number key]', /keys must be strings or Uint8Arrays/],
    ['a text key and a byte key alike on the wire', new Map<unknown, Value>([['a', 1], [bytes('a'), 2]]), '$[bytes 61]', /repeats/],
    ['a function', [() => 1], '$[0]', /function/],
    ['a class instance', [new Point()], '$[0]', /Object is not a value/],
    ['another typed array', [new Int16Array(2)], '$[0]', /Int16Array/],
    ['a Date', [new Date(0)], '$[0]', /Date/],
    ['a huge bigint', [10n ** 4300n], '$[0]', /more than 4300 digits/],
    ['a cycle', cycle, '$[0]', /circular reference/],
    ['nesting past 1000', [deep], `$${'[0]'.repeat(MAX_DEPTH)}`, /nested deeper than 1000/],
  ])('%s', (_, value, path, reason) => {
    const error = thrown(() => tnetstring.encode(value as Value));
    expect(error, String(error)).toBeInstanceOf(UnencodableError);
    expect((error as UnencodableError).path).toBe(path);
    expect((error as Error).message).toMatch(reason);
  });

  test('1000 levels are fine', () => {
    expect(() => tnetstring.encode(deep)).not.toThrow();
    expect(thrown(() => decode(tnetstring.encode(deep)))).toMatchObject({ limit: 'maxDepth' });
    expect(decode(tnetstring.encode(deep), { limits: { maxDepth: MAX_DEPTH } })).toStrictEqual(deep);
  });
});

describe('spec/wire.md §7.1 limits while decoding', () => {
  const nested = (n: number): string => {
    let s = '0:]';
    for (let i = 1; i < n; i++) s = tn(s, ']');
    return s;
  };

  test('maxDepth: 64 levels by default', () => {
    expect(() => decode(nested(64))).not.toThrow();
    const error = thrown(() => decode(nested(65)));
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ limit: 'maxDepth', max: 64, actual: 65 });
    expect(() => decode(nested(3), { limits: { maxDepth: 2 } })).toThrow(LimitError);
    expect(() => decode(tn(tn(tn('', '}'), ']'), ']'), { limits: { maxDepth: 2 } })).toThrow(LimitError);
  });

  test('maxDepth may not exceed MAX_DEPTH: the recursion stays far from the stack limit', () => {
    expect(() => decode('0:~', { limits: { maxDepth: MAX_DEPTH + 1 } })).toThrow(RangeError);
    expect(decode(nested(MAX_DEPTH), { limits: { maxDepth: MAX_DEPTH } })).toBeInstanceOf(Array);
  });

  test('maxCollectionLength counts list items and dict pairs', () => {
    const limits = { maxCollectionLength: 3 };
    expect(decode('12:1:1#1:2#1:3#]', { limits })).toEqual([1, 2, 3]);
    expect(thrown(() => decode('16:1:1#1:2#1:3#1:4#]', { limits }))).toMatchObject({ limit: 'maxCollectionLength', offset: 15 });
    const dict = tn(['a', 'b', 'c', 'd'].map((k) => `${tn(k, ',')}0:~`).join(''), '}');
    expect(thrown(() => decode(dict, { limits }))).toMatchObject({ limit: 'maxCollectionLength' });
    expect(thrown(() => decode(dict, { limits, objects: true }))).toMatchObject({ limit: 'maxCollectionLength' });
  });

  test('maxElementBytes is checked from LEN, before the data is read', () => {
    const limits = { maxElementBytes: 5 };
    expect(decode('5:hello,', { limits })).toStrictEqual(bytes('hello'));
    expect(thrown(() => decode('6:hello!,', { limits }))).toMatchObject({ limit: 'maxElementBytes', actual: 6, offset: 0 });
    // The list itself is an element: its 8 bytes of data are over the limit.
    expect(thrown(() => decode('8:1:1#1:2#]', { limits }))).toMatchObject({ limit: 'maxElementBytes', actual: 8 });
    // Only the prefix is needed to refuse.
    expect(thrown(() => decode('6:', { limits }))).toBeInstanceOf(LimitError);
  });
});

describe('spec/wire.md §2 properties', () => {
  const lossless = values({ bytes: true, floats: true, bigints: true, hugeIntegers: true, objects: true, byteKeys: true });

  test('round trip: decode(encode(v)) is v in the lossless model, and re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(lossless, (value) => {
        const encoded = tnetstring.encode(value);
        const decoded = tnetstring.decode(encoded);
        expect(decoded).toStrictEqual(tnetstringModel(value));
        expect(tnetstring.encode(decoded)).toStrictEqual(encoded);
        expect(tnetstring.decodeAll(tnetstring.encodeAll([value, value]))).toStrictEqual([decoded, decoded]);
      }),
      { numRuns: 400 },
    );
  });

  test('doubles survive exactly, -0 included', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const decoded = tnetstring.decode(tnetstring.encode(x), { plainFloats: true });
        expect(Object.is(decoded, x)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  test('random bytes raise only WireErrors', () => {
    const alphabet = fc.constantFrom(...bytes('0123456789:,#^!~]}-.e'), 0, 0xff, 0x80);
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.array(alphabet, { maxLength: 40 }).map((a) => Uint8Array.from(a))), (input) => {
        onlyWireErrors(() => tnetstring.decode(input));
        onlyWireErrors(() => tnetstring.decode(input, { text: true, objects: true }));
        onlyWireErrors(() => tnetstring.decodeAll(input));
      }),
      { numRuns: 2000 },
    );
  });

  test('mutated valid encodings raise only WireErrors', () => {
    const mutation = fc.tuple(fc.nat(), fc.nat(255), fc.constantFrom('set', 'insert', 'delete', 'truncate'));
    fc.assert(
      fc.property(lossless, fc.array(mutation, { minLength: 1, maxLength: 3 }), (value, mutations) => {
        let data = [...tnetstring.encode(value)];
        for (const [at, byte, kind] of mutations) {
          const i = data.length === 0 ? 0 : at % data.length;
          if (kind === 'set') data[i] = byte;
          else if (kind === 'insert') data.splice(i, 0, byte);
          else if (kind === 'delete') data.splice(i, 1);
          else data = data.slice(0, i);
        }
        const input = Uint8Array.from(data);
        onlyWireErrors(() => tnetstring.decode(input));
        onlyWireErrors(() => tnetstring.decode(input, { text: true, objects: true, limits: { maxDepth: 3, maxCollectionLength: 2 } }));
      }),
      { numRuns: 1000 },
    );
  });

  test('every error is a WireError subclass with a stable code', () => {
    for (const input of ['05:x,', '5:x', '1:x~', '999999999:']) {
      const error = thrown(() => decode(input)) as WireError;
      expect(error).toBeInstanceOf(WireError);
      expect(error.code).toMatch(/^WIRE_/);
      expect(error.name).toBe(error.constructor.name);
    }
  });
});
