import { describe, expect, test } from 'vitest';
import { LimitError, MalformedError, UnencodableError } from '../src/errors.js';
import { parse, parseAll, stringify } from '../src/sexpr/index.js';
import { Float, Keyword, Sym, keyword, sym, type Value } from '../src/value.js';

/** Expects `parse(text)` to fail with a MalformedError at `at` (a byte offset, or [offset, line, column]). */
function expectMalformed(text: string | Uint8Array, at: number | [number, number, number], reason?: RegExp): MalformedError {
  let error: unknown;
  try {
    parse(text);
  } catch (e) {
    error = e;
  }
  expect(error, `parse(${JSON.stringify(typeof text === 'string' ? text : [...text])}) should fail`).toBeInstanceOf(MalformedError);
  const malformed = error as MalformedError;
  const [offset, line, column] = typeof at === 'number' ? [at, undefined, undefined] : at;
  expect(malformed.offset).toBe(offset);
  if (line !== undefined) expect([malformed.line, malformed.column]).toEqual([line, column]);
  if (reason !== undefined) expect(malformed.reason).toMatch(reason);
  return malformed;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('spec/wire.md §3 the mesh forms of the notes', () => {
  test.each([
    '(GET "/internal/data/q" :params (:id 42))',
    '(err :code 404 :message "not found")',
    '(deliver :to service :activity (:type "like"))',
  ])('%s parses and re-stringifies identically', (text) => {
    expect(stringify(parse(text))).toBe(text);
    expect(stringify(parse(utf8(text)))).toBe(text);
  });

  test('the parts have their kinds', () => {
    expect(parse('(GET "/internal/data/q" :params (:id 42))')).toStrictEqual([
      sym('GET'),
      '/internal/data/q',
      keyword('params'),
      [keyword('id'), 42],
    ]);
    expect(parse('(err :code 404 :message "not found")')).toStrictEqual([
      sym('err'),
      keyword('code'),
      404,
      keyword('message'),
      'not found',
    ]);
  });
});

describe('spec/wire.md §3.1 characters and tokens', () => {
  test('whitespace is space, TAB, LF and CR; anything else is an error', () => {
    expect(parse(' \t\r\n(a \t\r\nb)\r\n')).toStrictEqual([sym('a'), sym('b')]);
    expectMalformed('(a \fb)', [3, 1, 4], /unexpected character U\+000C/);
    expectMalformed('(a\fb)', [2, 1, 3], /invalid character U\+000C in symbol/);
    expectMalformed('\u00a0a', [0, 1, 1], /only ASCII/);
    expectMalformed('\v', 0);
  });

  test('a comment runs from ";" to LF, CR or the end', () => {
    expect(parse('; head\n(a ; one\n b ;two\r c) ; tail')).toStrictEqual([sym('a'), sym('b'), sym('c')]);
    expect(parse('(a;x\nb)')).toStrictEqual([sym('a'), sym('b')]);
    expect(parse('; é 😀 \u0001 "( \n 1')).toBe(1);
    expect(parseAll('; only a comment')).toStrictEqual([]);
  });

  test('a comment must be valid text too', () => {
    expectMalformed('; \ud800\n1', [2, 1, 3], /lone surrogate/);
    expectMalformed(new Uint8Array([0x3b, 0x20, 0xff, 0x0a, 0x31]), [2, 1, 3], /invalid UTF-8/);
  });

  test.each([
    ['a@b', 1, /invalid character "@" in symbol/],
    ['a|b', 1, /invalid character "\|" in symbol/],
    ['ab\\c', 2, /invalid character "\\" in symbol/],
    ['aé', 1, /invalid character U\+00E9 in symbol/],
    ['a😀', 1, /invalid character U\+1F600 in symbol/],
    [':k|', 2, /in keyword/],
    ['1abc', 1, /in number/],
  ])('a token ends only at a delimiter: %s', (text, offset, reason) => {
    expectMalformed(text, offset, reason);
  });

  test('strings and brackets need no delimiter after them', () => {
    expect(parse('("a"b"c"(d)e)')).toStrictEqual(['a', sym('b'), 'c', [sym('d')], sym('e')]);
    expect(parse('(1"x"2(3)4)')).toStrictEqual([1, 'x', 2, [3], 4]);
    expect(parse('(a;c\n)')).toStrictEqual([sym('a')]);
  });

  test.each([
    ['@', /unexpected character "@"/],
    ['|a|', /unexpected character "\|"/],
    ['\\a', /unexpected character "\\"/],
    ['`a', /unexpected character/],
    ['é', /only ASCII/],
    ['\u0000', /U\+0000/],
    ['\ufeff1', /U\+FEFF/],
  ])('no token starts with %j', (text, reason) => {
    expectMalformed(text, 0, reason);
  });

  test('bytes are read from any view: an offset subarray, shared memory', () => {
    const whole = utf8('xx(a "é")yy');
    expect(parse(whole.subarray(2, whole.length - 2))).toStrictEqual([sym('a'), 'é']);
    const shared = new Uint8Array(new SharedArrayBuffer(4));
    shared.set(utf8('(1)'));
    expect(parse(shared.subarray(0, 3))).toStrictEqual([1]);
  });

  test('a UTF-8 byte order mark is not skipped', () => {
    expectMalformed(new Uint8Array([0xef, 0xbb, 0xbf, 0x31]), [0, 1, 1], /U\+FEFF/);
  });

  test.each([
    ['ff', [0x28, 0xff, 0x29], 1],
    ['a lone continuation byte', [0x22, 0x80, 0x22], 1],
    ['an overlong "/"', [0x22, 0xc0, 0xaf, 0x22], 1],
    ['an encoded surrogate', [0x22, 0xed, 0xa0, 0x80, 0x22], 1],
    ['a code point past U+10FFFF', [0x22, 0xf4, 0x90, 0x80, 0x80, 0x22], 1],
    ['a sequence cut short', [0x22, 0x61, 0xe2, 0x82, 0x22], 2],
    ['a sequence cut by the end', [0x22, 0xe2, 0x82], 1],
  ])('ill-formed UTF-8 (%s) is an error at its first byte', (_name, bytes, offset) => {
    expectMalformed(new Uint8Array(bytes), offset, /invalid UTF-8/);
  });
});

describe('spec/wire.md §3.2 data model', () => {
  test.each<[string, Value]>([
    ['(a 1)', [sym('a'), 1]],
    ['()', []],
    ['{:id 42}', new Map([['id', 42]])],
    ['GET', sym('GET')],
    [':params', keyword('params')],
    ['"hi"', 'hi'],
    ['42', 42],
    ['-7', -7],
    ['1.5', 1.5],
    ['1e300', 1e300],
    ['1.0', new Float(1)],
    ['-3.0', new Float(-3)],
    ['-0.0', -0],
    ['true', true],
    ['false', false],
    ['nil', null],
  ])('%s reads as its value', (text, value) => {
    expect(parse(text)).toStrictEqual(value);
  });

  test('symbols, keywords and strings with one name stay three kinds', () => {
    const [s, k, t] = parse('(a :a "a")') as Value[];
    expect(s).toBeInstanceOf(Sym);
    expect(k).toBeInstanceOf(Keyword);
    expect(t).toBe('a');
    expect(stringify([sym('a'), keyword('a'), 'a'])).toBe('(a :a "a")');
  });

  test('integers and floats stay apart', () => {
    expect(parse('1')).toBe(1);
    expect(parse('1.0')).toStrictEqual(new Float(1));
    expect(stringify(parse('1.0'))).toBe('1.0');
    expect(stringify(parse('1'))).toBe('1');
    expect(Object.is(parse('-0.0'), -0)).toBe(true);
    expect(Object.is(parse('0.0') instanceof Float ? (parse('0.0') as Float).value : NaN, 0)).toBe(true);
  });
});

describe('spec/wire.md §3.3 numbers', () => {
  test.each<[string, Value]>([
    ['0', 0],
    ['42', 42],
    ['-7', -7],
    ['007', 7],
    ['-0', 0],
    ['-007', -7],
    ['999999999999999', 999999999999999],
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
    ['9007199254740992', 9007199254740992n],
    ['9007199254740993', 9007199254740993n],
    ['-9007199254740993', -9007199254740993n],
    ['123456789012345678901234567890', 123456789012345678901234567890n],
    ['00000000000000000042', 42],
    ['1.5', 1.5],
    ['-1.5', -1.5],
    ['2.5E-3', 0.0025],
    ['2.5e+3', new Float(2500)],
    ['1e9', new Float(1e9)],
    ['1E9', new Float(1e9)],
    ['0.1', 0.1],
    ['1e300', 1e300],
    ['1e21', 1e21],
    ['9007199254740993.0', 9007199254740992],
    ['5e-324', 5e-324],
    ['1e-999', new Float(0)],
    ['-1e-999', -0],
    ['-0.0', -0],
    ['0.0', new Float(0)],
    ['00.5', 0.5],
    ['1.7976931348623157e308', 1.7976931348623157e308],
  ])('%s reads as %s', (text, value) => {
    expect(parse(text)).toStrictEqual(value);
  });

  test('-0 is the integer 0, not negative zero', () => {
    expect(Object.is(parse('-0'), 0)).toBe(true);
  });

  test('integers are exact at 4,300 digits and refused beyond', () => {
    const digits = '9'.repeat(4300);
    expect(parse(digits)).toBe(BigInt(digits));
    expect(parse('-' + digits)).toBe(-BigInt(digits));
    expectMalformed('1' + digits, 0, /more than 4300 digits/);
    expectMalformed('(1 -' + '0'.repeat(4301) + ')', 3, /more than 4300 digits/);
  });

  test.each([
    ['1.', 2, /digit after its "\."/],
    ['1.e5', 2, /digit after its "\."/],
    ['(1. 2)', 3, /digit after its "\."/],
    ['.5', 0, /digit before its "\."/],
    ['-.5', 1, /digit before its "\."/],
    ['+1', 0, /no "\+" sign/],
    ['+.5', 0, /no "\+" sign/],
    ['1abc', 1, /invalid character "a" in number/],
    ['1.2.3', 3, /invalid character "\." in number/],
    ['1-2', 1, /invalid character "-" in number/],
    ['1_000', 1, /invalid character "_" in number/],
    ['0x10', 1, /invalid character "x" in number/],
    ['1:', 1, /invalid character ":" in number/],
    ['1#', 1, /invalid character "#" in number/],
    ['1e', 2, /exponent needs a digit/],
    ['1e+', 3, /exponent needs a digit/],
    ['1E-x', 3, /exponent needs a digit/],
    ['1e5.5', 3, /invalid character "\." in number/],
    ['1e999', 0, /overflows to infinity/],
    ['-1e999', 0, /overflows to infinity/],
    ['(0 1.8e308)', 3, /overflows to infinity/],
    ['1' + '0'.repeat(309) + '.0', 0, /overflows to infinity/],
  ])('%s is an error at byte %i', (text, offset, reason) => {
    expectMalformed(text, offset, reason);
  });

  test('a token that starts like a number is never a symbol; others are', () => {
    expect(parse('(- -a +a . .a ... -.a +.)')).toStrictEqual(
      ['-', '-a', '+a', '.', '.a', '...', '-.a', '+.'].map(sym),
    );
  });
});

describe('spec/wire.md §3.4 strings', () => {
  test.each<[string, string]>([
    ['""', ''],
    ['"plain"', 'plain'],
    ['"\\"q\\""', '"q"'],
    ['"a\\\\b"', 'a\\b'],
    ['"\\n\\t\\r"', '\n\t\r'],
    ['"\\u0041\\u00e9\\u00E9"', 'Aéé'],
    ['"\\u0000"', '\u0000'],
    ['"\\u001f\\u007f"', '\u001f\u007f'],
    ['"\\ud83d\\ude00"', '😀'],
    ['"\\uD83D\\uDE00"', '😀'],
    ['"\\uffff"', '\uffff'],
    ['"line\none"', 'line\none'],
    ['"cr\r\nlf"', 'cr\r\nlf'],
    ['"tab\there"', 'tab\there'],
    ['"é 中 😀 \u2028"', 'é 中 😀 \u2028'],
    ['"; not a comment ( )"', '; not a comment ( )'],
  ])('%s reads as %j', (text, value) => {
    expect(parse(text)).toBe(value);
    expect(parse(utf8(text))).toBe(value);
  });

  test.each([
    ['"\\x41"', 1, /unknown escape: "\\" then "x"/],
    ['"\\101"', 1, /unknown escape: "\\" then "1"/],
    ['"\\/"', 1, /unknown escape/],
    ['"\\a"', 1, /unknown escape/],
    ['"\\N"', 1, /unknown escape/],
    ['"ab\\\n"', 3, /unknown escape: "\\" then U\+000A/],
    ['"\\u41"', 5, /exactly 4 hex digits/],
    ['"\\u004g"', 6, /exactly 4 hex digits/],
    ['"\\U0041"', 1, /unknown escape/],
    ['"\\ud83d"', 1, /lone surrogate \\ud83d/],
    ['"\\ud83dx"', 1, /lone surrogate/],
    ['"\\ud83d\\u0041"', 1, /lone surrogate/],
    ['"\\ud83d\\ud83d"', 1, /lone surrogate/],
    ['"\\ude00"', 1, /lone surrogate \\ude00: a low surrogate/],
    ['"\\ude00\\ud83d"', 1, /lone surrogate/],
    ['"\\', 0, /never closed/],
    ['"\\u00', 0, /never closed/],
    ['"\\ud83d\\ude', 0, /never closed/],
    ['"abc', 0, /string never closed/],
    ['(a "b)', 3, /string never closed/],
    ['"\u0000"', 1, /raw control character U\+0000/],
    ['"a\u0001"', 2, /raw control character U\+0001/],
    ['"\u001b[0m"', 1, /raw control character U\+001B/],
    ['"\u007f"', 1, /U\+007F/],
    ['"\ud800"', 1, /lone surrogate/],
    ['"\udc00\ud800"', 1, /lone surrogate/],
    ['"a\ud83d"', 2, /lone surrogate/],
  ])('%j is an error at byte %i', (text, offset, reason) => {
    expectMalformed(text, offset, reason);
  });

  test('a surrogate pair written raw in a JS string is one character', () => {
    expect(parse('"\ud83d\ude00"')).toBe('😀');
  });
});

describe('spec/wire.md §3.5 symbols, keywords and reserved words', () => {
  test.each(['GET', 'relate', '/', 'set!', 'a:b', 'x#1', '-', '...', 'a1', '_', '~!?*+-/<>=&%$^.', 'A.b/c', 'True', 'NIL', 'nil?', 'falsey'])(
    'symbol %s',
    (name) => {
      expect(parse(name)).toStrictEqual(sym(name));
      expect(stringify(sym(name))).toBe(name);
    },
  );

  test('every start character starts a symbol, and every continue character continues one', () => {
    const start = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_~!?*+-/<>=&%$^.';
    for (const c of start) {
      // `+` `-` `.` alone are symbols; followed by a digit they start a number.
      expect(parse(c + 'x')).toStrictEqual(sym(c + 'x'));
      expect(parse('a' + c)).toStrictEqual(sym('a' + c));
    }
    for (const c of '0123456789:#') expect(parse('a' + c)).toStrictEqual(sym('a' + c));
    for (const c of '#') expectMalformed(c + 'a', 0);
  });

  test('every ASCII character that is not in the sets ends or breaks a symbol', () => {
    const allowed = /[A-Za-z0-9_~!?*+\-/<>=&%$^.:#]/;
    const delimiters = ' \t\n\r(){}";';
    for (let code = 0; code < 128; code++) {
      const c = String.fromCharCode(code);
      if (allowed.test(c) || delimiters.includes(c)) continue;
      expect(() => parse(`(a${c}b)`), `a${JSON.stringify(c)}b`).toThrow(MalformedError);
    }
  });

  test.each<[string, Value]>([
    ['true', true],
    ['false', false],
    ['nil', null],
    ['(nil true false)', [null, true, false]],
  ])('reserved word %s', (text, value) => {
    expect(parse(text)).toStrictEqual(value);
  });

  test.each(['params', 'a:b', 'nil', 'true', '-1', '.5', '+', 'a#', 'Z'])('keyword :%s', (name) => {
    expect(parse(':' + name)).toStrictEqual(keyword(name));
    expect(stringify(keyword(name))).toBe(':' + name);
  });

  test.each([
    [':', 0, /needs a name after ":"/],
    ['::a', 0, /cannot start with ":"/],
    [':1', 0, /cannot start with "1"/],
    [': a', 0, /needs a name/],
    [':"a"', 0, /needs a name/],
    ['(:)', 1, /needs a name/],
    [':#a', 0, /cannot start with "#"/],
    [':é', 0, /cannot start with U\+00E9/],
  ])('keyword %j is an error', (text, offset, reason) => {
    expectMalformed(text, offset, reason);
  });
});

describe('spec/wire.md §3.6 lists and maps', () => {
  test('lists nest', () => {
    expect(parse('(a (b (c ())) d)')).toStrictEqual([sym('a'), [sym('b'), [sym('c'), []]], sym('d')]);
    expect(parse('( )')).toStrictEqual([]);
  });

  test('a map reads into a Map keyed by keyword name or string, in order', () => {
    const map = parse('{:id 42 "two words" 1 :nested {:a (1 2)} :id2 nil}') as Map<string, Value>;
    expect(map).toBeInstanceOf(Map);
    expect([...map.keys()]).toEqual(['id', 'two words', 'nested', 'id2']);
    expect(map.get('nested')).toStrictEqual(new Map([['a', [1, 2]]]));
    expect(map.get('id2')).toBe(null);
    expect(parse('{}')).toStrictEqual(new Map());
    expect(parse('{"id" 1}')).toStrictEqual(parse('{:id 1}'));
  });

  test.each([
    ['{:a 1 :a 2}', 6, /duplicate map key "a"/],
    ['{:a 1 "a" 2}', 6, /duplicate map key "a"/],
    ['{"" 1 "" 2}', 6, /duplicate map key ""/],
    ['{:a}', 3, /key with no value/],
    ['{:a 1 :b}', 8, /key with no value/],
    ['{a 1}', 1, /key must be a keyword or a string/],
    ['{1 2}', 1, /key must be a keyword or a string/],
    ['{(a) 2}', 1, /key must be a keyword or a string/],
    ['{nil 2}', 1, /key must be a keyword or a string/],
    ['{{} 2}', 1, /key must be a keyword or a string/],
    ['(a}', 2, /"}" cannot close the list "\(" opened at line 1, column 1/],
    ['{:a 1)', 5, /"\)" cannot close the map "\{" opened at line 1, column 1/],
    [')', 0, /nothing is open/],
    ['(a))', 3, /nothing is open/],
    ['(a) (b)', 4, /expected the end of the input/],
    ['}', 0, /nothing is open/],
    ['(a (b)', 0, /list never closed/],
    ['((a) (b', 5, /list never closed/],
    ['{:a (1)', 0, /map never closed/],
  ])('%s is an error at byte %i', (text, offset, reason) => {
    expectMalformed(text, offset, reason);
  });

  test('a HEADER dict is written as a map', () => {
    const header = new Map<string, Value>([
      ['id', 42],
      ['verb', 'GET'],
      ['path', '/internal/data/q'],
    ]);
    expect(stringify(header)).toBe('{:id 42 :verb "GET" :path "/internal/data/q"}');
    expect(parse(stringify(header))).toStrictEqual(header);
  });
});

describe('spec/wire.md §3.7 extensions', () => {
  test('#; drops the next datum at its level', () => {
    expect(parse('(a #; (b c) d)')).toStrictEqual([sym('a'), sym('d')]);
    expect(parse('(a #;b)')).toStrictEqual([sym('a')]);
    expect(parse('#; #; a b c')).toStrictEqual(sym('c'));
    expect(parse('#;\n ; comment\n (dropped) kept')).toStrictEqual(sym('kept'));
    expect(parse('kept #; (dropped)')).toStrictEqual(sym('kept'));
    expect(parse('{:a #;1 2 #; :b #; 3}')).toStrictEqual(new Map([['a', 2]]));
    expect(parse('(#;(#;x))')).toStrictEqual([]);
    expect(parseAll('a #;b c')).toStrictEqual([sym('a'), sym('c')]);
  });

  test.each([
    ['(a #;)', 5, /"#;" has no datum before "\)"/],
    ['#;', 0, /"#;" has no datum after it/],
    ['1 #;', 2, /"#;" has no datum after it/],
    ['{:a 1 #;}', 8, /no datum before "}"/],
    ['#; a b c', 7, /expected the end of the input/],
    ['# ;a', 0, /only the datum comment/],
  ])('%s is an error at byte %i', (text, offset, reason) => {
    expectMalformed(text, offset, reason);
  });

  test('a dropped datum must still be valid', () => {
    expectMalformed('(a #; (b 1x))', 10, /invalid character "x"/);
    expectMalformed('#; (', 3, /list never closed/);
  });

  test.each([
    ['[1 2]', 0, /square brackets are not supported/],
    ['(a [b])', 3, /square brackets/],
    ['(a]', 2, /square brackets/],
    ['a]', 1, /square brackets/],
    ['#t', 0, /"#t" is not supported: write true/],
    ['#f', 0, /"#f" is not supported: write false/],
    ['(1, 2)', 2, /comma is not whitespace/],
    ['a,b', 1, /comma/],
    ["'x", 0, /quote is not supported/],
    ["(a 'x)", 3, /quote is not supported/],
    ["a'", 1, /quote/],
    ['#(1)', 0, /only the datum comment/],
    ['#|c|#', 0, /only the datum comment/],
  ])('unsupported extension %s is an error at byte %i', (text, offset, reason) => {
    expectMalformed(text, offset, reason);
  });
});

describe('spec/wire.md §3.8 canonical output', () => {
  test.each<[Value, string]>([
    [[], '()'],
    [new Map(), '{}'],
    [{}, '{}'],
    [[1, [2, []], 'x'], '(1 (2 ()) "x")'],
    [null, 'nil'],
    [true, 'true'],
    [false, 'false'],
    [0, '0'],
    [-7, '-7'],
    [9007199254740991, '9007199254740991'],
    [9007199254740992, '9007199254740992.0'],
    [2n ** 64n, '18446744073709551616'],
    [-(2n ** 64n), '-18446744073709551616'],
    [5n, '5'],
    [1.5, '1.5'],
    [-0, '-0.0'],
    [new Float(0), '0.0'],
    [new Float(-0), '-0.0'],
    [new Float(1), '1.0'],
    [new Float(-3), '-3.0'],
    [new Float(1.5), '1.5'],
    [1e300, '1e+300'],
    [1e21, '1e+21'],
    [1.2345678901234568e21, '1.2345678901234568e+21'],
    [123456789012345680000, '123456789012345680000.0'],
    [5e-324, '5e-324'],
    [1e-7, '1e-7'],
    [0.1, '0.1'],
    ['', '""'],
    ['say "hi"\\', '"say \\"hi\\"\\\\"'],
    ['\n\t\r', '"\\n\\t\\r"'],
    ['\u0000\u0001\u001f\u007f', '"\\u0000\\u0001\\u001f\\u007f"'],
    ['é中😀\u2028\u0080', '"é中😀\u2028\u0080"'],
    [sym('GET'), 'GET'],
    [keyword('params'), ':params'],
    [new Map<string, Value>([['id', 42], ['two words', 1], ['', 2], ['nil', 3], ['1a', 4]]), '{:id 42 "two words" 1 "" 2 :nil 3 "1a" 4}'],
    [{ id: 42, name: 'x' }, '{:id 42 :name "x"}'],
  ])('%s is written as %s', (value, text) => {
    expect(stringify(value)).toBe(text);
  });

  test('non-canonical text is made canonical, and canonical text is a fixed point', () => {
    const text = ' ( a\n\t007  -0 "\\u0041" ; c\n {"id" 1 :b #;x 2}   1E3 2.50 )';
    const canonical = '(a 7 0 "A" {:id 1 :b 2} 1000.0 2.5)';
    expect(stringify(parse(text))).toBe(canonical);
    expect(stringify(parse(canonical))).toBe(canonical);
  });

  test.each<[Value, string, RegExp]>([
    [new Uint8Array([1]), '$', /bytes have no s-expression form/],
    [[1, [2, new Uint8Array()]], '$[1][1]', /bytes/],
    [new Map<string, Value>([['body', new Uint8Array()]]), '$.body', /bytes/],
    [new Map<string, Value>([['two words', [NaN]]]), '$["two words"][0]', /NaN/],
    [NaN, '$', /NaN has no s-expression form/],
    [Infinity, '$', /Infinity/],
    [-Infinity, '$', /-Infinity/],
    [new Float(NaN), '$', /NaN/],
    [new Float(Infinity), '$', /Infinity/],
    [undefined as unknown as Value, '$', /undefined is not in the data model/],
    [[() => 1] as unknown as Value, '$[0]', /a function/],
    [new Date(0) as unknown as Value, '$', /an instance of Date/],
    [Symbol('x') as unknown as Value, '$', /a JS symbol/],
    [sym('nil'), '$', /would not read back as a symbol/],
    [sym('true'), '$', /would not read back/],
    [sym('1a'), '$', /would not read back/],
    [sym('-1'), '$', /would not read back/],
    [sym('+1'), '$', /would not read back/],
    [sym('.5'), '$', /would not read back/],
    [sym('-.5'), '$', /would not read back/],
    [sym(''), '$', /would not read back/],
    [sym('a b'), '$', /would not read back/],
    [sym(':a'), '$', /would not read back/],
    [sym('é'), '$', /would not read back/],
    [keyword(''), '$', /not an identifier/],
    [keyword(':a'), '$', /not an identifier/],
    [keyword('1'), '$', /not an identifier/],
    [keyword('a b'), '$', /not an identifier/],
    ['\ud800', '$', /lone surrogate U\+D800 at index 0/],
    [['ok', 'a\udc00b'], '$[1]', /lone surrogate U\+DC00 at index 1/],
    [['😀\ud83d'], '$[0]', /lone surrogate U\+D83D at index 2/],
    [new Map<string, Value>([['\ud800', 1]]), '$["\\ud800"]', /lone surrogate/],
    [new Map<string | Uint8Array, Value>([[new Uint8Array([1]), 1]]), '$[bytes]', /bytes keys/],
    [10n ** 4300n, '$', /more than 4300 digits/],
  ])('%s is refused at %s', (value, path, reason) => {
    let error: unknown;
    try {
      stringify(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnencodableError);
    expect((error as UnencodableError).path).toBe(path);
    expect((error as UnencodableError).message).toMatch(reason);
  });

  test('integers of exactly 4,300 digits are written', () => {
    expect(stringify(10n ** 4299n)).toBe('1' + '0'.repeat(4299));
    expect(stringify(-(10n ** 4300n - 1n))).toBe('-' + '9'.repeat(4300));
  });

  test('a cycle is refused, a shared (acyclic) part is not', () => {
    const list: Value[] = [1];
    list.push(list);
    expect(() => stringify(list)).toThrow(/cycle/);
    const map = new Map<string, Value>();
    map.set('self', [map]);
    expect(() => stringify(map)).toThrow(UnencodableError);
    const shared = [1];
    expect(stringify([shared, shared, { a: shared }])).toBe('((1) (1) {:a (1)})');
  });

  test('deep values are written without recursion', () => {
    let value: Value = [];
    for (let i = 0; i < 100_000; i++) value = [value];
    const text = stringify(value);
    expect(text.length).toBe(2 * 100_001);
    expect(text.startsWith('((((')).toBe(true);
  });
});

describe('spec/wire.md §3.9 messages, errors and positions', () => {
  test('parse wants exactly one datum', () => {
    expectMalformed('', [0, 1, 1], /expected a datum/);
    expectMalformed('  ; nothing\n', [12, 2, 1], /expected a datum/);
    expectMalformed('#;a', 3, /expected a datum/);
    expectMalformed('a b', [2, 1, 3], /expected the end of the input after one datum/);
    expectMalformed('(a) ; c\n (b)', [9, 2, 2], /expected the end/);
    expect(parse(' ; lead\n (a) ; trail\n')).toStrictEqual([sym('a')]);
  });

  test('a second datum is refused at its start, before it is read', () => {
    expectMalformed('a (((((((((', 2, /expected the end/);
  });

  test('parseAll reads every datum, in order', () => {
    expect(parseAll('a (b) "c" 1 ; d\n:e')).toStrictEqual([sym('a'), [sym('b')], 'c', 1, keyword('e')]);
    expect(parseAll('')).toStrictEqual([]);
    expect(parseAll(utf8('1 2'))).toStrictEqual([1, 2]);
    expect(() => parseAll('1 2 (')).toThrow(/list never closed/);
  });

  test('offsets count UTF-8 bytes; columns count characters; LF, CR and CRLF each break a line', () => {
    expectMalformed('"é" @', [5, 1, 5]);
    expectMalformed('"😀" @', [7, 1, 5]);
    expectMalformed('"中\n中" @', [10, 2, 4]);
    expectMalformed('(a\r\nb\rc\n\nd @)', [11, 5, 3]);
    expectMalformed('a\n\r@', [3, 3, 1]);
    expectMalformed(utf8('; é\n("😀" 1x)'), [14, 2, 7]);
  });

  test('MalformedError names its reason and its position in the message', () => {
    const error = expectMalformed('(a\n  1.)', [7, 2, 5]);
    expect(error.code).toBe('WIRE_MALFORMED');
    expect(error.reason).toBe('a float needs a digit after its "."');
    expect(error.message).toBe('a float needs a digit after its "." at line 2, column 5 (byte 7)');
  });

  test('maxDepth bounds open lists and maps, without using the call stack', () => {
    expect(parse('(((1)))', { limits: { maxDepth: 3 } })).toStrictEqual([[[1]]]);
    expect(parse('({:a (1)})', { limits: { maxDepth: 3 } })).toStrictEqual([new Map([['a', [1]]])]);
    const error = catchError(() => parse('  ((({:a 1}))) ', { limits: { maxDepth: 3 } }));
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ limit: 'maxDepth', max: 3, actual: 4, offset: 5 });
    const deep = '('.repeat(1_000_000);
    expect(catchError(() => parse(deep))).toMatchObject({ limit: 'maxDepth', max: 64, actual: 65, offset: 64 });
    const ok = '('.repeat(1000) + ')'.repeat(1000);
    expect(stringify(parse(ok, { limits: { maxDepth: 1000 } }))).toBe(ok);
  });

  test('maxCollectionLength bounds list items, map pairs and parseAll data', () => {
    const limits = { maxCollectionLength: 3 };
    expect(parse('(1 2 3)', { limits })).toStrictEqual([1, 2, 3]);
    expect(parse('(1 #;x 2 3)', { limits })).toStrictEqual([1, 2, 3]);
    expect(catchError(() => parse('(1 2 3 "é")', { limits }))).toMatchObject({ limit: 'maxCollectionLength', actual: 4, offset: 7 });
    expect(parse('{:a 1 :b 2 :c 3}', { limits })).toBeInstanceOf(Map);
    expect(catchError(() => parse('{:a 1 :b 2 :c 3 :d 4}', { limits }))).toMatchObject({ limit: 'maxCollectionLength', offset: 16 });
    expect(parseAll('1 2 3', { limits })).toStrictEqual([1, 2, 3]);
    expect(catchError(() => parseAll('1 2 3 4', { limits }))).toMatchObject({ limit: 'maxCollectionLength', offset: 6 });
  });

  test('maxElementBytes bounds the bytes of one atom', () => {
    const limits = { maxElementBytes: 4 };
    expect(parse('("abcd" "éé" abcd :abc 1234 1.25)', { limits })).toStrictEqual(['abcd', 'éé', sym('abcd'), keyword('abc'), 1234, 1.25]);
    const cases: [string, number, number][] = [
      ['(x "abcde")', 3, 5],
      ['(x "ééé")', 3, 6],
      ['(x "😀a")', 3, 5],
      ['(x abcde)', 3, 5],
      ['(x :abcd)', 3, 5],
      ['(x 12345)', 3, 5],
      ['(x -1234)', 3, 5],
      ['(x 1.125)', 3, 5],
    ];
    for (const [text, offset, actual] of cases) {
      expect(catchError(() => parse(text, { limits })), text).toMatchObject({ limit: 'maxElementBytes', max: 4, actual, offset });
    }
    // An escape counts as written: "\n" is two bytes of input.
    expect(catchError(() => parse('"\\n\\n\\n"', { limits }))).toMatchObject({ limit: 'maxElementBytes', actual: 6 });
  });

  test('limits are validated', () => {
    expect(() => parse('1', { limits: { maxDepth: 0 } })).toThrow(RangeError);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
