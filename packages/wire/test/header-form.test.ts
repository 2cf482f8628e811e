import { describe, expect, test } from 'vitest';
import {
  MessageDecoder,
  ProtocolError,
  codecs,
  encodeMessage,
  isDict,
  sym,
  Sym,
  type Codec,
  type Header,
  type HeaderForm,
  type Value,
} from '@petrichor/wire';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/**
 * A toy form: a HEADER with an `op` field travels as the list `(op)`; any other list is refused,
 * and a dict passes through.
 */
const opForm: HeaderForm = {
  write(header: Header): Value {
    const op = header instanceof Map ? header.get('op') : (header as Record<string, Value>)['op'];
    return typeof op === 'string' ? [sym(op)] : header;
  },
  read(value, options) {
    if (!Array.isArray(value)) return value;
    const [op] = value as Value[];
    if (value.length !== 1 || !(op instanceof Sym)) throw new ProtocolError('not an op form', 0);
    return options.objects === true ? { op: op.name } : new Map([['op', op.name]]);
  },
};
const codec: Codec = { ...codecs.sexpr, header: opForm };

describe('spec/wire.md §6.6 a codec form for HEADERs', () => {
  test('encodeMessage writes the HEADER through the form, the BODY as it is', () => {
    expect(text(encodeMessage({ op: 'GET' }, ['a'], codec))).toBe('5:(GET),5:("a"),');
    expect(text(encodeMessage({ id: 7 }, null, codec))).toBe('7:{:id 7},3:nil,');
    // Without the form, the same codec writes the dict.
    expect(text(encodeMessage({ op: 'GET' }, ['a'], 'sexpr'))).toBe('11:{:op "GET"},5:("a"),');
  });

  test('MessageDecoder reads the HEADER back through the form, in the shape asked for; BODY lists are left alone', () => {
    const stream = encodeMessage({ op: 'GET' }, [sym('PUT')], codec);
    expect(new MessageDecoder({ codec }).push(stream)).toEqual([{ header: new Map([['op', 'GET']]), body: [sym('PUT')] }]);
    expect(new MessageDecoder({ codec, objects: true }).push(stream)).toEqual([{ header: { op: 'GET' }, body: [sym('PUT')] }]);
    const plain = new MessageDecoder({ codec }).push(encodeMessage({ id: 7 }, null, codec));
    expect(plain.map((m) => isDict(m.header))).toEqual([true]);
  });

  test("the form's errors carry stream offsets; a value it leaves as a non-dict is a ProtocolError", () => {
    const decoder = new MessageDecoder({ codec });
    const stream = new TextEncoder().encode('7:{:id 7},3:nil,' + '5:(1 2),3:nil,');
    let error: unknown;
    try {
      decoder.push(stream);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ reason: 'not an op form', offset: 16 });
    const other = new MessageDecoder({ codec });
    expect(() => other.push(new TextEncoder().encode('1:7,3:nil,'))).toThrow(/HEADER is not a dict/);
  });
});
