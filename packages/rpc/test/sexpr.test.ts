import { MessageDecoder, ProtocolError, codecs, encodeMessage, isDict, keyword, sym, type Header, type Message, type Value } from '@petrichor/wire';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { RpcError, errorBody } from '../src/index.js';
import { callForm } from '../src/sexpr-header.js';
import { sessionCodec, sexprCallCodec } from '../src/session-codec.js';

const utf8 = new TextEncoder();
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A netstring frame around `text`: `LEN:TEXT,` (LEN counted in UTF-8 bytes). */
const frame = (text: string): string => `${utf8.encode(text).length}:${text},`;

/** `value` with every dict as a `Map` (`maps`) or a plain object, at every depth. */
function shaped(value: Value, maps: boolean): Value {
  if (Array.isArray(value)) return (value as Value[]).map((item) => shaped(item, maps));
  if (value instanceof Map || isDict(value)) {
    const entries = (value instanceof Map ? [...(value as Map<string, Value>)] : Object.entries(value)).map(([k, v]) => [k, shaped(v, maps)] as [string, Value]);
    return maps ? new Map(entries) : Object.fromEntries(entries);
  }
  return value;
}

/**
 * Encodes one message with the call form and checks it byte for byte (HEADER text, BODY text);
 * decodes it back in both shapes, whole and byte by byte, with the field order kept.
 */
function roundTrip(header: Header, body: Value, headerText: string, bodyText: string): void {
  const bytes = encodeMessage(header, body, sexprCallCodec);
  expect(text(bytes)).toBe(frame(headerText) + frame(bodyText));
  const whole = new MessageDecoder({ codec: sexprCallCodec, objects: true }).push(bytes);
  expect(whole).toEqual([{ header: shaped(header, false), body: shaped(body, false) }]);
  const decoder = new MessageDecoder({ codec: sexprCallCodec });
  const pieces: Message[] = [];
  for (let i = 0; i < bytes.length; i++) pieces.push(...decoder.push(bytes.subarray(i, i + 1)));
  expect(pieces).toEqual([{ header: shaped(header, true), body: shaped(body, true) }]);
  expect([...(pieces[0]!.header as Map<string, Value>).keys()]).toEqual(Object.keys(whole[0]!.header));
}

describe('spec/rpc.md §9 the call form of request HEADERs (sexpr)', () => {
  test('fetch_data: (GET "/internal/data/q" :params {:id 42})', () => {
    const header = { verb: 'GET', path: '/internal/data/q', params: new Map([['id', 42]]) };
    roundTrip(header, null, '(GET "/internal/data/q" :params {:id 42})', 'nil');
  });

  test('call_action: (relate "/internal/") with the payload as BODY', () => {
    const body = new Map<string, Value>([['actor', 'alice'], ['object', 'post/7']]);
    roundTrip({ verb: 'relate', path: '/internal/' }, body, '(relate "/internal/")', '{:actor "alice" :object "post/7"}');
  });

  test('send_internal_activity: (deliver "/internal/activity" :to blog :oneway true), the activity as BODY', () => {
    const header = { verb: 'deliver', path: '/internal/activity', to: sym('blog'), oneway: true };
    const body = [sym('like'), keyword('actor'), 'alice', keyword('object'), 'post/7'];
    roundTrip(header, body, '(deliver "/internal/activity" :to blog :oneway true)', '(like :actor "alice" :object "post/7")');
  });

  test('fetch_fragment with the other request fields: timeout, stream, iface, meta', () => {
    const header = { verb: 'GET', path: '/internal/fragments/nav', params: { lang: 'en' }, timeout: 250, iface: 'data', meta: { trace: 'ab12' } };
    roundTrip(header, null, '(GET "/internal/fragments/nav" :params {:lang "en"} :timeout 250 :iface "data" :meta {:trace "ab12"})', 'nil');
  });

  test('replies and stream items stay dicts; the error BODY is (err :code 404 :message "not found")', () => {
    const body = [sym('err'), keyword('code'), 404, keyword('message'), 'not found'];
    roundTrip({ status: 404 }, body, '{:status 404}', '(err :code 404 :message "not found")');
    expect(text(encodeMessage({ status: 404 }, body, sexprCallCodec))).toBe('13:{:status 404},36:(err :code 404 :message "not found"),');
    roundTrip({ status: 200, stream: true }, 'first', '{:status 200 :stream true}', '"first"');
    roundTrip({}, 1, '{}', '1');
  });

  test('the table of spec/rpc.md §9.3, literally', () => {
    const rows: [Header, Value, string][] = [
      [{ verb: 'GET', path: '/internal/data/q', params: new Map([['id', 42]]) }, null, '41:(GET "/internal/data/q" :params {:id 42}),3:nil,'],
      [{ verb: 'relate', path: '/internal/' }, { actor: 'alice', object: 'post/7' }, '21:(relate "/internal/"),33:{:actor "alice" :object "post/7"},'],
      [
        { verb: 'GET', path: '/internal/fragments/nav', params: { lang: 'en' }, timeout: 250, iface: 'data', meta: { trace: 'ab12' } },
        null,
        '101:(GET "/internal/fragments/nav" :params {:lang "en"} :timeout 250 :iface "data" :meta {:trace "ab12"}),3:nil,',
      ],
      [
        { verb: 'deliver', path: '/internal/activity', to: sym('blog'), oneway: true },
        [sym('like'), keyword('actor'), 'alice', keyword('object'), 'post/7'],
        '52:(deliver "/internal/activity" :to blog :oneway true),38:(like :actor "alice" :object "post/7"),',
      ],
      // The error BODY as the server writes it.
      [{ status: 404 }, errorBody(RpcError.notFound(), sexprCallCodec), '13:{:status 404},36:(err :code 404 :message "not found"),'],
    ];
    for (const [header, body, expected] of rows) expect(text(encodeMessage(header, body, sexprCallCodec))).toBe(expected);
  });

  test('a BODY that looks like a call form is left alone', () => {
    const body = [sym('GET'), '/x', keyword('a'), 1];
    roundTrip({ status: 200 }, body, '{:status 200}', '(GET "/x" :a 1)');
  });

  test('HEADERs with no call form stay dicts: a verb that is not a symbol, a key that is not an identifier, no path', () => {
    for (const [header, expected] of [
      [{ verb: 'two words', path: '/p' }, '{:verb "two words" :path "/p"}'],
      [{ verb: 'nil', path: '/p' }, '{:verb "nil" :path "/p"}'],
      [{ verb: '1st', path: '/p' }, '{:verb "1st" :path "/p"}'],
      [new Map<string, Value>([['verb', 'GET'], ['path', '/p'], ['two words', 1]]), '{:verb "GET" :path "/p" "two words" 1}'],
      [{ verb: 'GET' }, '{:verb "GET"}'],
    ] as [Header, string][]) {
      roundTrip(header, null, expected, 'nil');
    }
  });

  test('verb and path come first, whatever the order of the dict', () => {
    const bytes = encodeMessage({ timeout: 5, path: '/p', verb: 'PUT' }, null, sexprCallCodec);
    expect(text(bytes)).toBe(frame('(PUT "/p" :timeout 5)') + frame('nil'));
  });

  test('malformed call forms are ProtocolErrors that say why, at the HEADER frame', () => {
    const cases: [string, string][] = [
      ['("GET" "/p")', 'a call-form HEADER starts with the verb as a symbol'],
      ['(GET)', 'a call-form HEADER has the path as a string after the verb'],
      ['(GET /p)', 'a call-form HEADER has the path as a string after the verb'],
      ['(GET "/p" :a)', 'a call-form HEADER has a value after each keyword'],
      ['(GET "/p" a 1)', 'a call-form HEADER has a keyword before each value'],
      ['(GET "/p" :a 1 :a 2)', 'a call-form HEADER repeats the field a'],
      ['(GET "/p" :verb PUT)', 'a call-form HEADER repeats the field verb'],
    ];
    for (const [form, reason] of cases) {
      const prefix = '2:{},1:1,'; // one good message first, so the offset is the second HEADER's
      const stream = utf8.encode(`${prefix}${utf8.encode(form).length}:${form},3:nil,`);
      let error: unknown;
      try {
        new MessageDecoder({ codec: sexprCallCodec }).push(stream);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ reason, offset: prefix.length });
    }
    expect(() => new MessageDecoder({ codec: sexprCallCodec }).push(utf8.encode('2:42,3:nil,'))).toThrow(/HEADER is not a dict/);
  });

  test('__proto__ as a field is an own property, never the prototype', () => {
    const [message] = new MessageDecoder({ codec: sexprCallCodec, objects: true }).push(utf8.encode(frame('(GET "/p" :__proto__ {:admin true})') + frame('nil')));
    const header = message!.header as Record<string, Value>;
    expect(Object.getPrototypeOf(header)).toBe(Object.prototype);
    expect(Object.hasOwn(header, '__proto__')).toBe(true);
    expect((header as { admin?: unknown }).admin).toBeUndefined();
  });

  test('sessionCodec: the call form for sexpr only; the other codecs are the built-in ones', () => {
    expect(sessionCodec('sexpr')).toBe(sexprCallCodec);
    expect(sessionCodec('tnetstring')).toBe(codecs.tnetstring);
    expect(sessionCodec('msgpack')).toBe(codecs.msgpack);
    expect(sexprCallCodec.name).toBe('sexpr');
    expect(sexprCallCodec.header).toBe(callForm);
  });

  test('property: any request HEADER reads back as the same dict, in the same order after verb and path', () => {
    const identifier = fc.stringMatching(/^[a-z_][a-z0-9_:#-]{0,7}$/);
    const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), identifier.map(sym));
    const value = fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(identifier, leaf, { maxKeys: 3 }).map((o) => new Map(Object.entries(o))));
    const verb = fc.oneof(fc.constantFrom('GET', 'relate', 'deliver', 'set!', 'x->y'), identifier.filter((v) => v !== 'nil' && v !== 'true' && v !== 'false'));
    const path = fc.string({ maxLength: 20 }).map((p) => `/${p}`);
    fc.assert(
      fc.property(verb, path, fc.dictionary(identifier.filter((k) => k !== 'verb' && k !== 'path'), value, { maxKeys: 5 }), (v, p, rest) => {
        const header = new Map<string, Value>([['verb', v], ['path', p], ...Object.entries(rest)]);
        const bytes = encodeMessage(header, null, sexprCallCodec);
        expect(text(bytes)).toMatch(/^\d+:\(/);
        const [message] = new MessageDecoder({ codec: sexprCallCodec }).push(bytes);
        expect(message!.header).toEqual(header);
        expect([...(message!.header as Map<string, Value>).keys()]).toEqual([...header.keys()]);
      }),
      { numRuns: 300 },
    );
  });
});
