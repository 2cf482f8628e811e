import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  LimitError,
  MalformedError,
  MessageDecoder,
  ProtocolError,
  UnencodableError,
  WireError,
  codecs,
  encodeMessage,
  tnetstring,
  type CodecName,
  type Header,
  type Message,
  type Value,
} from '@petrichor/wire';
import { bytes, hex, latin1, onlyWireErrors, thrown, toHex, values, type ValueShape } from './helpers/values.js';

/** The example message of spec/wire.md §6: HEADER {op: "GET", id: 7}, BODY ["/users", {limit: 10}]. */
const header = new Map<string, Value>([['op', 'GET'], ['id', 7]]);
const body: Value = ['/users', new Map([['limit', 10]])];

/** The same message in each codec, as spec/wire.md §6.2 to §6.4 give it. */
const EXAMPLES: Record<CodecName, string> = {
  tnetstring: '32303a323a6f702c333a4745542c323a69642c313a37237d' + '32363a363a2f75736572732c31333a353a6c696d69742c323a3130237d5d',
  sexpr: '31373a7b3a6f70202247455422203a696420377d2c' + '32323a28222f757365727322207b3a6c696d69742031307d292c',
  msgpack: '82a26f70a3474554a2696407' + '92a62f757365727381a56c696d69740a',
};

const CODECS: CodecName[] = ['tnetstring', 'sexpr', 'msgpack'];

/** Pushes `data` cut at `points` (sorted offsets); returns every message. */
function pushSplit(decoder: MessageDecoder, data: Uint8Array, points: number[]): Message[] {
  const out: Message[] = [];
  let from = 0;
  for (const to of [...points, data.length]) {
    if (to < from) continue;
    out.push(...decoder.push(data.subarray(from, to)));
    from = to;
  }
  return out;
}

describe('spec/wire.md §6.1 a message is a HEADER dict and a BODY', () => {
  test('encodeMessage takes a Map or a plain object as HEADER, nothing else', () => {
    expect(latin1(encodeMessage({ op: 'x' }, null))).toBe('9:2:op,1:x,}0:~');
    expect(latin1(encodeMessage(new Map([['op', 'x']]), null))).toBe('9:2:op,1:x,}0:~');
    for (const bad of [[1], 'op', null, new Uint8Array(1)]) {
      const error = thrown(() => encodeMessage(bad as unknown as Header, null));
      expect(error).toBeInstanceOf(UnencodableError);
      expect((error as UnencodableError).path).toBe('header');
    }
  });

  test('each message owns its bytes, small ones in a shared buffer; tnetstring.encode gives a buffer of its own', () => {
    const sent: Uint8Array[] = [];
    // Enough small messages to span several shared buffers, with a big one and a wide dict between.
    for (let i = 0; i < 1000; i++) {
      const wide = i % 100 === 0 ? Object.fromEntries(Array.from({ length: 5000 }, (_, k) => [`k${k}`, k])) : null;
      sent.push(encodeMessage({ id: i }, wide ?? String(i).repeat(i % 7)));
    }
    sent.forEach((message, i) => {
      const decoder = new MessageDecoder();
      const [got] = decoder.push(message);
      expect(got!.header).toEqual(new Map([['id', i]]));
      if (i % 100 !== 0) expect(latin1(got!.body as Uint8Array)).toBe(String(i).repeat(i % 7));
      else expect((got!.body as Map<string, Value>).size).toBe(5000);
    });
    expect(sent[1]!.buffer).toBe(sent[2]!.buffer);
    expect(sent[2]!.byteOffset).toBe(sent[1]!.byteOffset + sent[1]!.byteLength);
    const own = tnetstring.encode('x');
    expect(own.byteOffset === 0 && own.buffer.byteLength === own.byteLength).toBe(true);
  });

  test('the codec defaults to tnetstrings; an unknown codec name is a RangeError', () => {
    expect(encodeMessage(header, body)).toStrictEqual(encodeMessage(header, body, 'tnetstring'));
    expect(encodeMessage(header, body, codecs.msgpack)).toStrictEqual(encodeMessage(header, body, 'msgpack'));
    expect(() => encodeMessage(header, body, 'json' as CodecName)).toThrow(RangeError);
    expect(() => new MessageDecoder({ codec: 'json' as CodecName })).toThrow(RangeError);
  });
});

describe.each(CODECS)('spec/wire.md §6.2–§6.4 the example message in %s', (codec) => {
  test('encodes to the bytes of the spec', () => {
    expect(toHex(encodeMessage(header, body, codec))).toBe(EXAMPLES[codec]);
  });

  test('decodes back to the message', () => {
    const decoder = new MessageDecoder({ codec, text: true });
    const [message, ...more] = decoder.push(hex(EXAMPLES[codec]));
    expect(more).toEqual([]);
    expect(message).toStrictEqual({ header, body });
    decoder.end();
  });
});

test('spec/wire.md §6.2, §6.3 the examples as text', () => {
  expect(latin1(hex(EXAMPLES.tnetstring))).toBe('20:2:op,3:GET,2:id,1:7#}26:6:/users,13:5:limit,2:10#}]');
  expect(latin1(hex(EXAMPLES.sexpr))).toBe('17:{:op "GET" :id 7},22:("/users" {:limit 10}),');
});

/** Messages with a codec's share of the data model. */
const shapes: Record<CodecName, ValueShape> = {
  tnetstring: { bytes: true, floats: true, bigints: true, hugeIntegers: true, objects: true, byteKeys: true },
  sexpr: { floats: true, bigints: true, hugeIntegers: true, symbols: true, objects: true },
  msgpack: { bytes: true, bigints: true, objects: true },
};

function messages(codec: CodecName): fc.Arbitrary<[Header, Value][]> {
  const shape = shapes[codec];
  const head = fc.uniqueArray(fc.tuple(fc.string({ maxLength: 6 }), values(shape, 2)), { maxLength: 4, selector: ([k]) => k })
    .map((entries) => new Map<string, Value>(entries) as Header);
  return fc.array(fc.tuple(head, values(shape)), { minLength: 1, maxLength: 5 });
}

describe.each(CODECS)('spec/wire.md §6.5 MessageDecoder over %s', (codec) => {
  test('yields the same messages however the stream is chunked', () => {
    fc.assert(
      fc.property(messages(codec), fc.array(fc.nat(), { maxLength: 12 }), (list, cuts) => {
        const stream = Uint8Array.from(list.flatMap(([h, b]) => [...encodeMessage(h, b, codec)]));
        const whole = new MessageDecoder({ codec }).push(stream);
        expect(whole.length).toBe(list.length);
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const decoder = new MessageDecoder({ codec });
        expect(pushSplit(decoder, stream, points)).toStrictEqual(whole);
        expect(decoder.bufferedBytes).toBe(0);
        decoder.end();
        // And each message is what decoding its parts alone gives.
        list.forEach(([h, b], i) => {
          expect(whole[i]).toStrictEqual({ header: codecs[codec].decode(codecs[codec].encode(h)), body: codecs[codec].decode(codecs[codec].encode(b)) });
        });
      }),
      { numRuns: 150 },
    );
  });

  test('one byte at a time', () => {
    const stream = Uint8Array.from([...encodeMessage(header, body, codec), ...encodeMessage({ n: 1 }, [true, null], codec)]);
    const decoder = new MessageDecoder({ codec, text: true, objects: true });
    const out: Message[] = [];
    for (let i = 0; i < stream.length; i++) {
      out.push(...decoder.push(stream.subarray(i, i + 1)));
      expect(decoder.push(new Uint8Array(0))).toEqual([]); // empty chunks change nothing
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(i + 1);
    }
    expect(out).toStrictEqual([
      { header: { op: 'GET', id: 7 }, body: ['/users', { limit: 10 }] },
      { header: { n: 1 }, body: [true, null] },
    ]);
    decoder.end();
  });

  test('a HEADER that is not a dict is a ProtocolError; the stream stays broken', () => {
    const good = encodeMessage(header, body, codec);
    const bad = codecs[codec].framing.encode([[1, 2], null]);
    const decoder = new MessageDecoder({ codec });
    const error = thrown(() => decoder.push(Uint8Array.from([...good, ...bad])));
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).offset).toBe(good.length);
    expect(thrown(() => decoder.push(good))).toBe(error);
    expect(thrown(() => decoder.end())).toBe(error);
  });

  test('end() inside a message is a ProtocolError', () => {
    const stream = encodeMessage(header, body, codec);
    const mid = new MessageDecoder({ codec });
    mid.push(stream.subarray(0, 3));
    expect(thrown(() => mid.end())).toMatchObject({ code: 'WIRE_PROTOCOL', reason: 'stream ended inside a frame', offset: 0 });
    const afterHeader = new MessageDecoder({ codec });
    afterHeader.push(codecs[codec].framing.encode([header]));
    expect(thrown(() => afterHeader.end())).toMatchObject({ code: 'WIRE_PROTOCOL', reason: /before its BODY/ });
    const clean = new MessageDecoder({ codec });
    clean.push(stream);
    expect(() => clean.end()).not.toThrow();
  });

  test('a message inside one chunk is decoded from the chunk: bytes alias it', () => {
    if (codec === 'sexpr') return; // s-expressions have no bytes
    const blob = new Uint8Array(1 << 20).fill(5);
    const chunk = encodeMessage({ op: 'put' }, blob, codec);
    const [message] = new MessageDecoder({ codec }).push(chunk);
    expect((message!.body as Uint8Array).buffer).toBe(chunk.buffer);
    expect((message!.body as Uint8Array).length).toBe(1 << 20);
  });

  test('HEADER over maxHeaderBytes is refused before it is buffered', () => {
    const big = { pad: 'x'.repeat(200) };
    const stream = encodeMessage(big, null, codec);
    const decoder = new MessageDecoder({ codec, limits: { maxHeaderBytes: 100 } });
    let error: unknown;
    for (let i = 0; i < stream.length && error === undefined; i++) {
      try {
        decoder.push(stream.subarray(i, i + 1));
      } catch (e) {
        error = e;
      }
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(100);
    }
    expect(error).toBeInstanceOf(LimitError);
    expect(error).toMatchObject({ limit: 'maxHeaderBytes', max: 100 });
  });

  test('a message over maxMessageBytes is refused, counting HEADER and BODY together', () => {
    const stream = encodeMessage({ a: 1 }, 'y'.repeat(300), codec);
    const decoder = new MessageDecoder({ codec, limits: { maxMessageBytes: 200, maxHeaderBytes: 100 } });
    const error = thrown(() => decoder.push(stream));
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).limit).toBe('maxMessageBytes');
    expect((error as LimitError).max).toBe(200);
    expect((error as LimitError).actual).toBeGreaterThan(200);
    expect(decoder.bufferedBytes).toBe(0);
  });

  test('random bytes raise only WireErrors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.nat(60), (noise, cut) => {
        const decoder = new MessageDecoder({ codec, limits: { maxHeaderBytes: 40, maxMessageBytes: 50, maxDepth: 3 } });
        onlyWireErrors(() => {
          decoder.push(noise.subarray(0, cut));
          decoder.push(noise.subarray(cut));
          decoder.end();
        });
        expect(decoder.bufferedBytes).toBeLessThanOrEqual(50);
      }),
      { numRuns: 500 },
    );
  });
});

describe('spec/wire.md §6.5 sizes are learned up front', () => {
  test('a tnetstring HEADER claiming 999,999,999 bytes is refused from its 10-byte prefix', () => {
    const decoder = new MessageDecoder();
    const error = thrown(() => decoder.push(bytes('999999999:')));
    expect(error).toMatchObject({ limit: 'maxHeaderBytes', actual: 999_999_999 + 11, offset: 0 });
    expect(decoder.bufferedBytes).toBe(0);
  });

  test('split prefixes are refused as soon as they end', () => {
    const decoder = new MessageDecoder({ codec: 'sexpr' });
    for (const piece of ['99', '99', '999', '99']) expect(decoder.push(bytes(piece))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(9);
    expect(thrown(() => decoder.push(bytes(':')))).toMatchObject({ limit: 'maxHeaderBytes' });
  });

  test('a BODY over budget is refused from its prefix, after a HEADER that fits', () => {
    const decoder = new MessageDecoder({ limits: { maxMessageBytes: 1000 } });
    decoder.push(bytes('0:}'));
    expect(thrown(() => decoder.push(bytes('998:')))).toMatchObject({ limit: 'maxMessageBytes', max: 1000, actual: 3 + 1003, offset: 3 });
  });

  test('msgpack: a bin 32 header claiming 4 GiB is refused at its length field', () => {
    const decoder = new MessageDecoder({ codec: 'msgpack' });
    decoder.push(hex('80'));
    expect(thrown(() => decoder.push(hex('c6 ff ff ff ff')))).toMatchObject({ code: 'WIRE_LIMIT', offset: 1 });
    expect(decoder.bufferedBytes).toBe(0);
  });

  test('msgpack: a body growing past the budget is refused as the bytes arrive', () => {
    const decoder = new MessageDecoder({ codec: 'msgpack', limits: { maxMessageBytes: 64 } });
    decoder.push(hex('80 dc 00 20')); // an empty HEADER, then an array of 32 items
    let error: unknown;
    for (let i = 0; i < 32 && error === undefined; i++) {
      try {
        decoder.push(hex('a4 61 61 61 61'));
      } catch (e) {
        error = e;
      }
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(64);
    }
    expect(error).toMatchObject({ limit: 'maxMessageBytes', max: 64, offset: 1 + 3 + 12 * 5 });
  });

  test('msgpack: a count the budget cannot hold bytes for is refused at once', () => {
    const decoder = new MessageDecoder({ codec: 'msgpack', limits: { maxMessageBytes: 64 } });
    expect(thrown(() => decoder.push(hex('80 dc 03 e8')))).toMatchObject({ limit: 'maxMessageBytes', offset: 1 });
  });

  test('a large body arriving in pieces is buffered as it comes, never ahead of it', () => {
    const blob = new Uint8Array(100_000).fill(1);
    const stream = encodeMessage({}, blob);
    const decoder = new MessageDecoder();
    let messages: readonly Message[] = [];
    for (let i = 0; i < stream.length; i += 4096) {
      messages = decoder.push(stream.subarray(i, i + 4096));
      expect(decoder.bufferedBytes).toBeLessThanOrEqual(i + 4096);
    }
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toStrictEqual(blob);
  });
});

describe('spec/wire.md §7.2 errors from the stream', () => {
  test('offsets count from the stream start', () => {
    const good = encodeMessage(header, body);
    const decoder = new MessageDecoder();
    decoder.push(good);
    decoder.push(bytes('2'));
    const error = thrown(() => decoder.push(bytes('x:')));
    expect(error).toBeInstanceOf(MalformedError);
    expect((error as MalformedError).offset).toBe(good.length + 1);
  });

  test('a malformed BODY is reported at its own offset', () => {
    const decoder = new MessageDecoder();
    const error = thrown(() => decoder.push(bytes('0:}2:-x#')));
    expect(error).toBeInstanceOf(MalformedError);
    expect((error as MalformedError).offset).toBe(3 + 3);
    expect(error).toBeInstanceOf(WireError);
  });
});
