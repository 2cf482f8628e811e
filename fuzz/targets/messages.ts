/**
 * MessageDecoder for each codec (spec/wire.md §6.5), fed the same bytes whole, in random chunks
 * (empty ones included) and one byte at a time. Only WireErrors come out; how the bytes were cut
 * never changes the messages or the error; it never holds more bytes than it was given.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { encodeMessage, MessageDecoder, WireError, type CodecName, type DecodeOptions, type Limits, type Message } from '@petrichor/wire';
import { attempt, chunked, tally, hex, invariant, typed, type Target } from '../harness.js';
import { ascii, decimalPrefixes, hostileBytes, type Format } from '../mutate.js';
import { values } from '../values.js';
import { OPTION_COMBOS } from './tnetstring.js';

const SHAPES = {
  tnetstring: { bytes: true, hugeIntegers: true, byteKeys: true },
  sexpr: { symbols: true, hugeIntegers: true },
  msgpack: { bytes: true },
} as const;

function stream(codec: CodecName): fc.Arbitrary<Uint8Array> {
  const header = fc.uniqueArray(fc.tuple(fc.string({ maxLength: 8 }), values(SHAPES[codec])), { maxLength: 4, selector: ([k]) => k })
    .map((entries) => new Map(entries));
  return fc.array(fc.tuple(header, values(SHAPES[codec])), { minLength: 1, maxLength: 4 })
    .map((messages) => Buffer.concat(messages.map(([h, b]) => encodeMessage(h, b, codec))))
    .map((b) => new Uint8Array(b));
}

const msgpackHeads = ['c6ffffffff', 'dbffffffff', 'ddffffffff', 'dfffffffff', 'c63b9ac9ff', 'de0000'].map((h) => new Uint8Array(Buffer.from(h, 'hex')));
const FORMATS: Record<CodecName, Format> = {
  tnetstring: { valid: stream('tnetstring'), lengthFields: decimalPrefixes, hostileHeads: ['999999999:', '4294967295:', '65537:', '0:}'].map(ascii) },
  sexpr: { valid: stream('sexpr'), lengthFields: decimalPrefixes, hostileHeads: ['999999999:', '4294967295:', '65537:', '2:{},'].map(ascii) },
  msgpack: { valid: stream('msgpack'), hostileHeads: msgpackHeads },
};

/** Small limits, sometimes, so the limit paths run on small inputs. */
const limits: fc.Arbitrary<Partial<Limits> | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.record({
    maxMessageBytes: fc.integer({ min: 1, max: 4096 }),
    maxHeaderBytes: fc.integer({ min: 1, max: 512 }),
    maxElementBytes: fc.integer({ min: 1, max: 4096 }),
    maxDepth: fc.integer({ min: 1, max: 8 }),
    maxCollectionLength: fc.integer({ min: 1, max: 50 }),
  }, { requiredKeys: [] }) },
);

interface Input {
  codec: CodecName;
  bytes: Uint8Array;
  cuts: number[];
  options: DecodeOptions;
}

const input: fc.Arbitrary<Input> = fc.oneof(
  ...(['tnetstring', 'sexpr', 'msgpack'] as const).map((codec) =>
    fc.record({
      codec: fc.constant(codec),
      bytes: hostileBytes(FORMATS[codec]),
      cuts: fc.array(fc.nat(), { maxLength: 12 }),
      options: fc.tuple(fc.constantFrom(...OPTION_COMBOS), limits).map(([flags, l]) => (l === undefined ? flags : { ...flags, limits: l })),
    }),
  ),
);

interface Outcome {
  messages: Message[];
  error?: { code: string; offset: unknown };
}

export const messagesTarget: Target<Input> = {
  name: 'messages',
  about: 'MessageDecoder × 3 codecs, whole / random chunks / 1-byte chunks, random limits',
  runs: 15_000,
  input,
  examples: [
    ...(['tnetstring', 'sexpr'] as const).flatMap((codec) => ['999999999:', '999999999:abc', '2:{},999999999:abc', '0:}999999999:'].map((t) => ({ codec, bytes: ascii(t), cuts: [3], options: {} }))),
    ...['c6ffffffff', 'dfffffffff', '80c63b9ac9ff6162', '80dbffffffff'].map((h) => ({ codec: 'msgpack' as const, bytes: new Uint8Array(Buffer.from(h, 'hex')), cuts: [1], options: {} })),
  ],
  size: (i) => i.bytes.length,
  check({ codec, bytes, cuts, options }) {
    const runs = [
      ['whole', [bytes]],
      ['random chunks', chunked(bytes, cuts)],
      ['1-byte chunks', chunked(bytes, 'bytes')],
    ] as const;
    const outcomes = runs.map(([how, chunks]) => {
      const label = `MessageDecoder(${codec}, ${JSON.stringify(options)}) fed ${how}`;
      const result = attempt(label, WireError, bytes.length, () => feed(label, codec, options, chunks), { pushes: chunks.length });
      return result.ok ? result.value : { messages: [], error: result.error }; // feed catches typed errors itself
    });
    const [whole] = outcomes;
    for (let i = 1; i < outcomes.length; i++) {
      const other = outcomes[i]!;
      const how = runs[i]![0];
      invariant(isDeepStrictEqual(whole!.error, other.error), () => `${codec}: fed whole the stream ends with ${JSON.stringify(whole!.error)}, fed in ${how} with ${JSON.stringify(other.error)} (${hex(bytes)})`);
      if (whole!.error === undefined) {
        invariant(isDeepStrictEqual(whole!.messages, other.messages), () => `${codec}: fed in ${how}, the messages differ from fed whole (${hex(bytes)})`);
      } else {
        // A push that throws returns nothing, so smaller chunks may deliver more messages before the error.
        const [short, long] = whole!.messages.length <= other.messages.length ? [whole!, other] : [other, whole!];
        invariant(isDeepStrictEqual(short.messages, long.messages.slice(0, short.messages.length)), () => `${codec}: fed in ${how}, the messages before the error differ (${hex(bytes)})`);
      }
    }
  },
};

function feed(label: string, codec: CodecName, options: DecodeOptions, chunks: readonly Uint8Array[]): Outcome {
  const decoder = new MessageDecoder({ ...options, codec });
  const messages: Message[] = [];
  let pushed = 0;
  try {
    for (const chunk of chunks) {
      pushed += chunk.length;
      messages.push(...decoder.push(chunk));
      invariant(decoder.bufferedBytes <= pushed, () => `${label}: holds ${decoder.bufferedBytes} bytes after receiving ${pushed}`);
    }
    decoder.end();
    tally(messages.length === 0 ? 'stream ok, no message' : messages.length === 1 ? 'stream ok, 1 message' : 'stream ok, 2+ messages');
    return { messages };
  } catch (error) {
    const e = typed(label, WireError, error) as WireError & { offset?: unknown };
    tally(`stream ${e.code}`);
    // After an error the decoder stays broken and rethrows it.
    let again: unknown;
    try {
      decoder.push(new Uint8Array(1));
    } catch (later) {
      again = later;
    }
    invariant(again === error, () => `${label}: after ${e.code} the decoder did not rethrow the same error`);
    return { messages, error: { code: e.code, offset: e.offset } };
  }
}
