/**
 * rpc envelopes (spec/rpc.md §3–§4): message streams in each session codec (sexpr with the call
 * form for request HEADERs) decoded by MessageDecoder, then every HEADER read as a request and as
 * a reply, and every BODY as an error reply. Only WireErrors come out of decoding (the call form
 * included); parseRequest throws only RpcError 400, parseReplyHead only RpcProtocolError, and
 * errorFromReply always returns an RpcError with the status as its code.
 */
import fc from 'fast-check';
import { encodeMessage, MessageDecoder, WireError, type CodecName, type Message, type Value } from '@petrichor/wire';
import { errorFromReply, parseReplyHead, parseRequest } from '../../packages/rpc/src/envelope.js';
import { RpcError, RpcProtocolError } from '../../packages/rpc/src/errors.js';
import { sessionCodec } from '../../packages/rpc/src/session-codec.js';
import { attempt, chunked, hex, invariant, tally, type Target } from '../harness.js';
import { ascii, decimalPrefixes, hostileBytes } from '../mutate.js';
import { values } from '../values.js';
import { OPTION_COMBOS } from './tnetstring.js';

const text = fc.oneof(fc.constantFrom('GET', 'PUT', 'call', '/q', '/a/b', ''), fc.string({ maxLength: 10 }));
const mostly = <T extends Value>(right: fc.Arbitrary<T>, any: fc.Arbitrary<Value>) => fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: any });

function header(codec: CodecName): fc.Arbitrary<Record<string, Value>> {
  const any = values(codec === 'sexpr' ? { symbols: true } : { bytes: true });
  return fc.oneof(
    fc.record({
      verb: mostly(text, any),
      path: mostly(text.map((t) => `/${t}`), any),
      timeout: mostly(fc.integer({ min: -1, max: 2 ** 31 }), any),
      stream: mostly(fc.constantFrom('in', 'both', 'out'), any),
      oneway: mostly(fc.boolean(), any),
      iface: mostly(text, any),
      meta: mostly(fc.dictionary(fc.string({ maxLength: 4 }), any, { maxKeys: 3 }), any),
      params: any,
    }, { requiredKeys: ['verb', 'path'] }),
    fc.record({ status: mostly(fc.integer({ min: 0, max: 1000 }), any), stream: mostly(fc.boolean(), any) }, { requiredKeys: [] }),
  );
}

function valid(codec: CodecName): fc.Arbitrary<Uint8Array> {
  const any = values(codec === 'sexpr' ? { symbols: true } : { bytes: true });
  return fc.array(fc.tuple(header(codec), any), { minLength: 1, maxLength: 3 })
    .map((messages) => new Uint8Array(Buffer.concat(messages.map(([h, b]) => encodeMessage(h, b, sessionCodec(codec))))));
}

interface Input {
  codec: CodecName;
  bytes: Uint8Array;
  cuts: number[];
  flags: number;
  status: number;
}

export const rpcEnvelopeTarget: Target<Input> = {
  name: 'rpc-envelope',
  about: 'rpc request / reply HEADERs and error BODYs in each session codec (sexpr call form included)',
  runs: 40_000,
  input: fc.oneof(
    ...(['tnetstring', 'sexpr', 'msgpack'] as const).map((codec) =>
      fc.record({
        codec: fc.constant(codec),
        bytes: hostileBytes({ valid: valid(codec), ...(codec === 'msgpack' ? {} : { lengthFields: decimalPrefixes, hostileHeads: ['999999999:', '4294967295:'].map(ascii) }) }),
        cuts: fc.array(fc.nat(), { maxLength: 6 }),
        flags: fc.nat(OPTION_COMBOS.length - 1),
        status: fc.integer({ min: 100, max: 999 }),
      }),
    ),
  ),
  size: (i) => i.bytes.length,
  check({ codec, bytes, cuts, flags, status }) {
    const options = OPTION_COMBOS[flags]!;
    const label = `MessageDecoder(sessionCodec('${codec}'), ${JSON.stringify(options)})`;
    const decoded = attempt(label, WireError, bytes.length, () => {
      const decoder = new MessageDecoder({ ...options, codec: sessionCodec(codec) });
      const messages: Message[] = [];
      for (const chunk of chunked(bytes, cuts)) messages.push(...decoder.push(chunk));
      return messages;
    });
    if (!decoded.ok) return;
    for (const { header, body } of decoded.value) {
      const request = attempt('parseRequest(header)', RpcError, bytes.length, () => parseRequest(header), { pushes: 1 }, true);
      invariant(request.ok || request.error.code === 400, () => `parseRequest threw RpcError ${request.ok ? '' : request.error.code}, not 400 (${hex(bytes)})`);
      if (request.ok) invariant(request.value.path.startsWith('/') && request.value.verb.length > 0, () => `parseRequest accepted verb ${request.value.verb} path ${request.value.path}`);
      tally(request.ok ? 'request ok' : 'request 400');
      const reply = attempt('parseReplyHead(header)', RpcProtocolError, bytes.length, () => parseReplyHead(header), { pushes: 1 });
      tally(reply.ok ? 'reply head ok' : `reply head ${reply.error.code}`);
      const error = attempt('errorFromReply(status, body)', RpcError, bytes.length, () => errorFromReply(status, body), undefined, true);
      invariant(error.ok && error.value instanceof RpcError && error.value.code === status, () => `errorFromReply(${status}, body) did not return an RpcError ${status} (${hex(bytes)})`);
    }
  },
};
