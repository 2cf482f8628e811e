/**
 * Codec throughput: tnetstring, s-expressions and msgpack (ours and `@msgpack/msgpack` itself)
 * against JSON (`JSON.stringify`/`JSON.parse` with `TextEncoder`/`TextDecoder`), on the same
 * payloads, measured in one sitting and printed as ratios to JSON and to `@msgpack/msgpack`.
 *
 * Decoding is measured twice for the binary codecs: in the convenient shapes `@msgpack/msgpack`
 * returns (strings and plain objects: `{ text: true, objects: true }`), which is the fair fight,
 * and lossless (bytes and `Map`s), which is what the data model costs.
 */
import { Buffer } from 'node:buffer';
import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import { MessageDecoder, codecs, encodeMessage, msgpack, tnetstring, type CodecName, type DecodeOptions, type Value } from '@petrichor/wire';
import { micro, type MicroCandidate } from '../../../bench/harness.js';
import { meshPage } from './page.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A ~100-byte message header. */
const header = {
  op: 'call',
  id: 48213,
  path: '/internal/data/users',
  auth: 'hmac:9f86d081884c7d65',
  trace: 'a1b2c3d4e5f6',
  ttl: 30,
};

/** A ~1 KiB record mixing every scalar type, a list and nested dicts. */
const mixed = {
  id: 9_007_199_254,
  kind: 'order',
  created: '2026-11-22T03:04:05.678Z',
  customer: { id: 1234, name: 'Ada Lovelace', email: 'ada@example.org', vip: true, tags: ['math', 'engines', 'poetry'] },
  lines: Array.from({ length: 6 }, (_, i) => ({
    sku: `SKU-${1000 + i}`,
    title: `Analytical engine part ${i}`,
    qty: i + 1,
    price: 19.99 + i * 3.25,
    discount: i % 2 === 0 ? null : 0.15,
    gift: i % 3 === 0,
  })),
  total: 412.37,
  currency: 'EUR',
  note: 'Deliver to the back door; ring twice. Fragile: contains punched cards and brass gears.',
  flags: { paid: true, shipped: false, returned: false },
};

/** A 1 MiB byte blob. JSON carries it as a base64 string (Node's Buffer codec, the fastest at hand). */
const blob = new Uint8Array(1 << 20).map((_, i) => (i * 2_654_435_761) >>> 24);

/** 10,000 integers of mixed magnitude. */
const ints = Array.from({ length: 10_000 }, (_, i) => ((i * 7919) % 2_000_003) - 1_000_000);

interface Payload {
  name: string;
  value: Value;
  /** The options that give the shapes `@msgpack/msgpack` returns. */
  convenient: DecodeOptions;
  /** JSON's form of the payload, and back. */
  toJson: (value: Value) => unknown;
  fromJson: (json: unknown) => unknown;
}

const identity = (value: unknown): unknown => value;
const payloads: Payload[] = [
  { name: 'header ~100 B', value: header, convenient: { text: true, objects: true }, toJson: identity, fromJson: identity },
  { name: 'mixed 1 KiB', value: mixed, convenient: { text: true, objects: true }, toJson: identity, fromJson: identity },
  {
    name: 'blob 1 MiB',
    value: blob,
    convenient: { objects: true },
    toJson: (value) => Buffer.from(value as Uint8Array).toString('base64'),
    fromJson: (json) => new Uint8Array(Buffer.from(json as string, 'base64')),
  },
  { name: 'mesh page ~36 KB', value: meshPage, convenient: { text: true, objects: true }, toJson: identity, fromJson: identity },
  { name: '10,000 ints', value: ints, convenient: { text: true, objects: true }, toJson: identity, fromJson: identity },
];

const BASELINES = ['JSON', '@msgpack/msgpack'];

export async function run(): Promise<void> {
  for (const payload of payloads) {
    const { value, convenient } = payload;
    const tnet = tnetstring.encode(value);
    const ours = msgpack.encode(value);
    const theirs = msgpackEncode(value);
    const jsonValue = payload.toJson(value);
    const json = utf8.encode(JSON.stringify(jsonValue));
    // s-expressions have no byte-string type: the blob has no s-expression form.
    const sexpr = value instanceof Uint8Array ? undefined : codecs.sexpr.encode(value);
    console.log(
      `\n# ${payload.name}: tnetstring ${tnet.length} B, sexpr ${sexpr?.length ?? '–'} B, msgpack ${theirs.length} B, JSON ${json.length} B`,
    );

    const encoders: MicroCandidate[] = [
      { name: 'tnetstring', fn: () => tnetstring.encode(value) },
      ...(sexpr === undefined ? [] : [{ name: 'sexpr', fn: () => codecs.sexpr.encode(value) }]),
      { name: 'msgpack (ours)', fn: () => msgpack.encode(value) },
      { name: '@msgpack/msgpack', fn: () => msgpackEncode(value) },
      { name: 'JSON', fn: () => utf8.encode(JSON.stringify(payload.toJson(value))) },
    ];
    micro(`encode ${payload.name}`, encoders, { baselines: BASELINES, bytesPerOp: tnet.length });

    const decoders: MicroCandidate[] = [
      { name: 'tnetstring', fn: () => tnetstring.decode(tnet, convenient) },
      { name: 'tnetstring lossless', fn: () => tnetstring.decode(tnet) },
      ...(sexpr === undefined ? [] : [{ name: 'sexpr', fn: () => codecs.sexpr.decode(sexpr, { objects: true }) }]),
      { name: 'msgpack (ours)', fn: () => msgpack.decode(ours, { objects: true }) },
      { name: 'msgpack (ours) lossless', fn: () => msgpack.decode(ours) },
      { name: '@msgpack/msgpack', fn: () => msgpackDecode(theirs) },
      { name: 'JSON', fn: () => payload.fromJson(JSON.parse(text.decode(json))) },
    ];
    micro(`decode ${payload.name}`, decoders, { baselines: BASELINES, bytesPerOp: tnet.length });
  }
  messages();
}

/**
 * A stream of 100 messages (the header dict, then the mixed record as BODY) read by
 * MessageDecoder in 16 KiB chunks, so that some frames straddle chunks: framing and buffering
 * on top of each codec.
 */
function messages(): void {
  const names: CodecName[] = ['tnetstring', 'sexpr', 'msgpack'];
  const streams = names.map((codec) => {
    const one = encodeMessage(header, mixed, codec);
    const stream = new Uint8Array(one.length * 100);
    for (let i = 0; i < 100; i++) stream.set(one, i * one.length);
    return stream;
  });
  const read = (codec: CodecName, stream: Uint8Array) => (): number => {
    const decoder = new MessageDecoder({ codec, text: true, objects: true });
    let count = 0;
    for (let i = 0; i < stream.length; i += 16_384) count += decoder.push(stream.subarray(i, i + 16_384)).length;
    decoder.end();
    return count;
  };
  console.log(`\n# 100 messages (header + mixed record) in 16 KiB chunks: ${streams.map((s, i) => `${names[i]} ${s.length} B`).join(', ')}`);
  micro('MessageDecoder, 100 messages', names.map((codec, i) => ({ name: codec, fn: read(codec, streams[i]!) })), {
    baselines: ['msgpack'],
  });
}
