/**
 * Property tests: whatever bytes a peer sends in the handshake or on a call's channel, the other
 * side answers with a typed denial or error (or a well-formed result), and never crashes or hangs.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { memoryPipe, type Channel } from '@petrichor/mux';
import { MessageDecoder, encodeMessage, tnetstring, type Value } from '@petrichor/wire';
import {
  Client,
  HandshakeDeniedError,
  HandshakeError,
  HandshakeTimeoutError,
  RpcError,
  RpcProtocolError,
  Server,
} from '@petrichor/rpc';
import { memoryPair, rawServer, scriptedStream } from './helpers/setup.js';

/** Values of the data model tnetstrings carry (no symbols, no floats that re-read as integers). */
const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 12 }),
    fc.uint8Array({ maxLength: 12 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A valid hello, then the same with some of its bytes replaced, cut short or extended. */
const validHello = encodeMessage(
  { petrichor: 1, user: 'ana', ident: '5f2b6c0d', version: '1.0', codec: 'tnetstring' },
  null,
);
const mutatedHello = fc
  .tuple(
    fc.array(fc.tuple(fc.nat(validHello.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    fc.nat(validHello.length),
    fc.uint8Array({ maxLength: 16 }),
  )
  .map(([edits, keep, tail]) => {
    const bytes = validHello.slice();
    for (const [at, byte] of edits) bytes[at] = byte;
    return Uint8Array.from([...bytes.subarray(0, keep), ...tail]);
  });
const helloBytes = fc.oneof(
  mutatedHello,
  fc.uint8Array({ maxLength: 200 }),
  fc
    .tuple(fc.dictionary(fc.string({ maxLength: 10 }), value, { maxKeys: 8 }), value)
    .map(([header, body]) => encodeMessage(header, body)),
);

/** Cuts `bytes` into chunks at the given points. */
function chunks(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    out.push(bytes.subarray(from, point));
    from = point;
  }
  out.push(bytes.subarray(from));
  return out.filter((chunk) => chunk.length > 0);
}

describe('spec/rpc.md §1 the handshake: any bytes as a hello', () => {
  test('the server denies with 400/408 and closes, or allows a well-formed hello; it never throws nor hangs', async () => {
    await fc.assert(
      fc.asyncProperty(helloBytes, fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), async (bytes, cuts, endAfter) => {
        const server = new Server({ handshakeTimeoutMs: 20, maxHandshakeBytes: 256 });
        const script = scriptedStream();
        const served = server.serve(script.stream);
        for (const chunk of chunks(bytes, cuts)) script.push(chunk);
        if (endAfter) script.end();
        const session = await served;
        if (session !== null) {
          // Only a hello that reads as a complete, valid one is allowed.
          await session.close();
          return;
        }
        expect(script.closed()).toBe(true);
        const decoder = new MessageDecoder({ text: true, objects: true });
        const answers = script.sent.flatMap((chunk) => [...decoder.push(chunk)]);
        expect(answers.length).toBeLessThanOrEqual(1);
        if (answers.length === 1) {
          const header = answers[0]!.header as Record<string, Value>;
          expect(header['allowed']).toBe(false);
          expect([400, 408]).toContain(header['code']);
          expect(typeof answers[0]!.body).toBe('string');
        }
      }),
      { numRuns: 150 },
    );
  });

  test('the client meets any answer with a typed error, or connects to a valid one', async () => {
    const answers = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      fc
        .tuple(fc.dictionary(fc.string({ maxLength: 10 }), value, { maxKeys: 6 }), value)
        .map(([header, body]) => encodeMessage({ petrichor: 1, ...header }, body)),
      fc.constantFrom(
        encodeMessage({ petrichor: 1, allowed: true, ident: 's', version: '1', codec: 'tnetstring' }, null),
        encodeMessage({ petrichor: 1, allowed: false, code: 403, ident: 's' }, 'no'),
      ),
    );
    await fc.assert(
      fc.asyncProperty(answers, fc.array(fc.nat(), { maxLength: 3 }), async (bytes, cuts) => {
        const script = scriptedStream();
        const connecting = Client.connect(script.stream, { handshakeTimeoutMs: 20 });
        for (const chunk of chunks(bytes, cuts)) script.push(chunk);
        const outcome = await connecting.catch((error: unknown) => error);
        if (outcome instanceof Client) {
          await outcome.close();
          return;
        }
        expect(
          outcome instanceof HandshakeError || outcome instanceof HandshakeDeniedError || outcome instanceof HandshakeTimeoutError,
        ).toBe(true);
        expect(script.closed()).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('spec/rpc.md §3.1 envelope decoding: any request on a channel', () => {
  test('any request HEADER and BODY is answered with a status (2xx or 4xx), and the session goes on', async () => {
    const server = new Server();
    server.route('*', '/*', (ctx) => ({ verb: ctx.verb, path: ctx.path }));
    const { client, close } = await memoryPair(server);
    const read = async (channel: Channel): Promise<Value[]> => {
      const decoder = new MessageDecoder({ text: true, objects: true });
      const messages: Value[] = [];
      for await (const chunk of channel) for (const message of decoder.push(chunk)) messages.push(message.header);
      return messages;
    };
    const headers = fc.dictionary(
      fc.constantFrom('verb', 'path', 'timeout', 'stream', 'oneway', 'iface', 'meta', 'x'),
      fc.oneof(value, fc.constantFrom('GET', '/a', 'in', 'both', 'data', 10, true)),
      { maxKeys: 7 },
    );
    await fc.assert(
      fc.asyncProperty(headers, value, async (header, body) => {
        const channel = await client.mux.open();
        await channel.write(encodeMessage(header, body));
        await channel.closeWrite();
        const replies = await read(channel);
        if (header['oneway'] === true && typeof header['verb'] === 'string' && header['verb'] !== '') {
          // A one-way call gets nothing back, whatever happened.
          expect(replies.length).toBeLessThanOrEqual(1);
          return;
        }
        expect(replies.length).toBeGreaterThanOrEqual(1);
        const status = (replies[0] as Record<string, Value>)['status'];
        expect([200, 400, 404]).toContain(status);
      }),
      { numRuns: 200 },
    );
    expect(await client.call('GET', '/still', null)).toEqual({ verb: 'GET', path: '/still' });
    await close();
  });

  test('any bytes on a channel: 400 or 413 (or nothing for a cut message), and the session goes on', async () => {
    const server = new Server({ limits: { maxMessageBytes: 512 } });
    server.route('GET', '/ok', () => 'ok');
    const { client, close } = await memoryPair(server);
    const bytes = fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }),
      mutatedHello,
      fc.constant(new TextEncoder().encode('999999999:')),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (data) => {
        const channel = await client.mux.open();
        await channel.write(data);
        await channel.closeWrite();
        const decoder = new MessageDecoder({ text: true, objects: true });
        const statuses: Value[] = [];
        for await (const chunk of channel) for (const message of decoder.push(chunk)) statuses.push((message.header as Record<string, Value>)['status'] ?? null);
        expect(statuses.length).toBeLessThanOrEqual(1);
        if (statuses.length === 1) expect([200, 400, 404, 405, 413]).toContain(statuses[0]);
      }),
      { numRuns: 200 },
    );
    expect(await client.call('GET', '/ok')).toBe('ok');
    await close();
  });

  test('any reply bytes: the caller gets a value, an RpcError or an RpcProtocolError, never hangs', async () => {
    const { client, mux } = await rawServer();
    const replies: Uint8Array[] = [];
    void (async () => {
      for await (const channel of mux) {
        void (async () => {
          if ((await channel.read()) === null) return;
          const reply = replies.shift() ?? new Uint8Array(0);
          if (reply.length > 0) await channel.write(reply);
          await channel.closeWrite();
          await channel.close();
        })().catch(() => {});
      }
    })();
    const replyBytes = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      fc.tuple(fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 4 }), value).map(([h, b]) => encodeMessage(h, b)),
      fc.tuple(fc.integer({ min: 100, max: 999 }), value).map(([status, b]) => encodeMessage({ status }, b)),
    );
    await fc.assert(
      fc.asyncProperty(replyBytes, async (bytes) => {
        replies.push(bytes);
        const outcome = await client.call('GET', '/x').then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
        if ('error' in outcome) {
          expect(outcome.error instanceof RpcError || outcome.error instanceof RpcProtocolError).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
    await client.close();
  });
});

describe('spec/rpc.md §1.4 a session over a memory pipe survives any call sequence', () => {
  test('unary, streamed and failing calls interleaved: every call settles', async () => {
    const lossless = { decode: { text: false, objects: false } };
    const server = new Server({ maxInFlight: 8, ...lossless });
    server.route('GET', '/v', (ctx) => ctx.body);
    server.route('GET', '/s', async function* (ctx) {
      for (let i = 0; i < (ctx.body as number); i++) yield i;
    });
    server.route('GET', '/e', () => {
      throw RpcError.conflict('no');
    });
    const [a, b] = memoryPipe();
    void server.serve(b);
    const client = await Client.connect(a, lossless);
    const op = fc.oneof(
      value.map((v) => ['v', v] as const),
      fc.nat(5).map((n) => ['s', n] as const),
      fc.constant(['e', null] as const),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const results = await Promise.all(
          ops.map(async ([kind, arg]) => {
            if (kind === 'v') {
              // Lossless both ways: the echo is the same bytes.
              return client.call('GET', '/v', arg).then(
                (r) => expect(tnetstring.encode(r)).toEqual(tnetstring.encode(arg)),
                (e: RpcError) => expect(e.code).toBe(429),
              );
            }
            if (kind === 's') {
              const items: Value[] = [];
              try {
                for await (const item of client.stream('GET', '/s', arg)) items.push(item);
                expect(items).toEqual([...Array(arg).keys()]);
              } catch (error) {
                expect((error as RpcError).code).toBe(429);
              }
              return undefined;
            }
            return client.call('GET', '/e').then(
              () => expect.unreachable(),
              (e: RpcError) => expect([409, 429]).toContain(e.code),
            );
          }),
        );
        expect(results).toHaveLength(ops.length);
      }),
      { numRuns: 60 },
    );
    await client.close();
  });
});
