/**
 * The rpc handshake (spec/rpc.md §1): `serverHandshake` fed a hostile hello and `clientHandshake`
 * a hostile answer, through the preamble reader, in random chunks. The server always answers
 * with one well-formed tnetstring message (or says nothing when the stream ended) and resolves
 * with the peer or null; the client resolves or rejects with an RpcSessionError only; nothing
 * hangs past the handshake timeout; the sink never throws.
 */
import fc from 'fast-check';
import { encodeMessage, MessageDecoder, type CodecName, type Message, type Value } from '@petrichor/wire';
import { RpcSessionError } from '../../packages/rpc/src/errors.js';
import { clientHandshake, serverHandshake, type Handshaken } from '../../packages/rpc/src/handshake/handshake.js';
import { FuzzStream, settle } from '../fuzz-stream.js';
import { chunked, FuzzFailure, hex, invariant, tally, typed, type Target } from '../harness.js';
import { ascii, decimalPrefixes, hostileBytes } from '../mutate.js';
import { validStream } from '../qmux-format.js';
import { values } from '../values.js';

const text = fc.oneof(fc.constantFrom('', 'alice', 'svc-1', '0.1.0'), fc.string({ maxLength: 12 }));
const anything: fc.Arbitrary<Value> = values({ bytes: true });
const codec = fc.oneof(fc.constantFrom<CodecName>('tnetstring', 'sexpr', 'msgpack'), text);

/** A field that is usually right and sometimes any value. */
const mostly = <T extends Value>(right: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: anything });

const hello = fc.record(
  { petrichor: mostly(fc.constant(1)), user: mostly(text), ident: mostly(text), version: mostly(text), codec: mostly(codec), interface: mostly(fc.constantFrom('data', 'control')), auth: anything },
  { requiredKeys: ['petrichor', 'user', 'ident', 'version', 'codec'] },
);
const answer = fc.record(
  { petrichor: mostly(fc.constant(1)), allowed: mostly(fc.boolean()), code: mostly(fc.integer({ min: 100, max: 999 })), ident: mostly(text), version: mostly(text), codec: mostly(fc.constant('tnetstring')) },
  { requiredKeys: ['petrichor', 'allowed'] },
);
/** The handshake message, sometimes followed by the first qmux bytes of the session. */
const opening = (header: fc.Arbitrary<Record<string, Value>>) =>
  fc.tuple(header, anything, fc.option(validStream, { nil: undefined }))
    .map(([h, body, early]) => new Uint8Array(Buffer.concat([encodeMessage(h, body), ...(early === undefined ? [] : [early])])));

const heads = ['999999999:', '65537:', '0:}999999999:', '4294967295:'].map(ascii);

interface Input {
  side: 'server' | 'client';
  bytes: Uint8Array;
  cuts: number[];
  end: 'end' | 'error' | 'open';
  maxHandshakeBytes: number;
}

/** The handshake timeout in the scenario: short, so that a hello that never completes ends quickly. */
const TIMEOUT_MS = 25;
const SETTLE_MS = 2000;

export const rpcHandshakeTarget: Target<Input> = {
  name: 'rpc-handshake',
  about: 'rpc serverHandshake / clientHandshake fed a hostile hello or answer through the preamble reader',
  runs: 25_000,
  input: fc.oneof(
    ...(['server', 'client'] as const).map((side) =>
      fc.record({
        side: fc.constant(side),
        bytes: hostileBytes({ valid: opening(side === 'server' ? hello : answer), lengthFields: decimalPrefixes, hostileHeads: heads }),
        cuts: fc.array(fc.nat(), { maxLength: 6 }),
        end: fc.constantFrom('end' as const, 'error' as const, 'open' as const),
        maxHandshakeBytes: fc.constantFrom(16, 200, 64 * 1024),
      }),
    ),
  ),
  examples: [
    { side: 'server', bytes: ascii('999999999:'), cuts: [], end: 'open', maxHandshakeBytes: 64 * 1024 },
    { side: 'client', bytes: ascii('999999999:'), cuts: [], end: 'open', maxHandshakeBytes: 64 * 1024 },
    { side: 'server', bytes: ascii('2:{}999999999:'), cuts: [], end: 'end', maxHandshakeBytes: 64 * 1024 },
  ],
  size: (i) => i.bytes.length,
  async check(input) {
    const start = performance.now();
    await (input.side === 'server' ? server(input) : client(input));
    const took = performance.now() - start;
    // Every scenario either finishes or waits out one handshake timeout; more means a hang or super-linear work.
    invariant(took < 500, () => `the ${input.side} handshake took ${took.toFixed(0)} ms on ${input.bytes.length} bytes`);
  },
};

async function feed(stream: FuzzStream, { bytes, cuts, end }: Input): Promise<void> {
  for (const chunk of chunked(bytes, cuts)) {
    if (stream.sink === null) return;
    try {
      stream.sink.data(chunk);
    } catch (error) {
      throw new FuzzFailure(`sink.data threw ${String(error)} (input ${hex(bytes)})`);
    }
    await settle();
  }
  if (end === 'end') stream.sink?.end();
  else if (end === 'error') stream.sink?.end(new Error('connection reset by the fuzzer'));
}

async function server(input: Input): Promise<void> {
  const stream = new FuzzStream();
  const done = settled(serverHandshake(stream, { ident: 'fuzz-server', version: '1', handshakeTimeoutMs: TIMEOUT_MS, maxHandshakeBytes: input.maxHandshakeBytes }));
  await feed(stream, input);
  const outcome = await within(done);
  if ('error' in outcome) throw new FuzzFailure(`serverHandshake rejected (it resolves with the peer or null): ${String(outcome.error)} (input ${hex(input.bytes)})`);
  const result: Handshaken | null = outcome.value;
  tally(result === null ? 'server: refused or ended' : 'server: allowed');
  result?.stream.close();
  // What the server wrote: nothing, or exactly one answer message.
  const written = Buffer.concat(stream.written);
  if (written.length === 0) {
    invariant(result === null, () => 'the server allowed a peer without answering it');
    return;
  }
  const decoder = new MessageDecoder({ text: true, objects: true });
  let messages: readonly Message[];
  try {
    messages = decoder.push(written);
    decoder.end();
  } catch (error) {
    throw new FuzzFailure(`the server's answer does not decode: ${String(error)} (${hex(written)})`);
  }
  const header = messages[0]?.header as Record<string, Value> | undefined;
  invariant(messages.length === 1 && header !== undefined && header['petrichor'] === 1 && typeof header['allowed'] === 'boolean', () => `the server's answer is not one {petrichor: 1, allowed} message (${hex(written)})`);
  invariant((header['allowed'] === true) === (result !== null), () => `the server answered allowed: ${String(header['allowed'])} but resolved with ${result === null ? 'null' : 'a peer'}`);
  if (result === null) invariant(stream.closed, () => 'the server refused a peer but left the stream open');
}

async function client(input: Input): Promise<void> {
  const stream = new FuzzStream();
  const done = settled(clientHandshake(stream, { user: 'fuzz', ident: 'fuzz-client', version: '1', codec: 'tnetstring', handshakeTimeoutMs: TIMEOUT_MS, maxHandshakeBytes: input.maxHandshakeBytes }));
  await settle();
  await feed(stream, input);
  const outcome = await within(done);
  if ('value' in outcome) {
    tally('client: allowed');
    outcome.value.stream.close();
  } else {
    const e = typed('clientHandshake', RpcSessionError, outcome.error);
    tally(`client: ${e.code}`);
    invariant(stream.closed, () => `clientHandshake rejected with ${e.code} but left the stream open`);
  }
}

/** `promise` observed at once (so its rejection is handled), as a value or an error. */
function settled<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown }> {
  return promise.then((value) => ({ value }), (error: unknown) => ({ error }));
}

async function within<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FuzzFailure(`the handshake did not settle within ${SETTLE_MS} ms (timeout ${TIMEOUT_MS} ms): a hang`)), SETTLE_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

