/**
 * A session's bounds on requests that have not arrived (spec/rpc.md §5.2): the bytes held in
 * unfinished first messages (`maxPendingBytes`), how long one may take from its first byte
 * (`requestTimeoutMs`), and a server's channel limit. The peer here writes raw bytes on channels
 * it opens through its qmux session, over a memory pipe.
 */
import { describe, expect, test } from 'vitest';
import { encodeMessage } from '@petrichor/wire';
import type { Channel } from '@petrichor/mux';
import { SESSION_DEFAULTS, Server, type Client } from '@petrichor/rpc';
import { replyOn } from './helpers/reply.js';
import { memoryPair, tick, until } from './helpers/setup.js';

/** A `PUT /size` request whose BODY is `size` bytes of text. */
function request(size: number): Uint8Array {
  return encodeMessage({ verb: 'PUT', path: '/size' }, 'a'.repeat(size));
}

function sizeServer(options: ConstructorParameters<typeof Server>[0]): Server {
  const server = new Server(options);
  server.route('PUT', '/size', (ctx) => (ctx.body as string).length);
  server.route('GET', '/ping', () => 'pong');
  return server;
}

describe('spec/rpc.md §5.2 maxPendingBytes: bytes held in unfinished requests', () => {
  test('a request that would pass the budget is answered 429 and dropped; the others and the session go on', async () => {
    // 100 KB messages, 200 KB of unfinished requests at once.
    const server = sizeServer({ limits: { maxMessageBytes: 100_000 }, maxPendingBytes: 200_000 });
    const { client, session, close } = await memoryPair(server);
    const bytes = request(90_000);
    const head = bytes.subarray(0, 80_000); // more than one 64 KiB packet: the request is unfinished
    const [first, second, third] = [await client.mux.open(), await client.mux.open(), await client.mux.open()];
    await first.write(head);
    await second.write(head);
    await until(() => session.pendingBytes === 160_000, 3000, 'two unfinished requests counted');
    await third.write(head); // 240,000 would pass 200,000
    expect(await replyOn(third)).toMatchObject({ status: 429 });
    expect(await third.read()).toBeNull(); // closed
    // The refused request's bytes are given back; the two others are still held.
    expect(session.pendingBytes).toBe(160_000);
    expect(await client.call('GET', '/ping')).toBe('pong');
    // The unfinished ones finish and are served; then nothing is held.
    await first.write(bytes.subarray(80_000));
    expect(await replyOn(first)).toMatchObject({ status: 200 });
    await second.write(bytes.subarray(80_000));
    expect(await replyOn(second)).toMatchObject({ status: 200 });
    expect(session.pendingBytes).toBe(0);
    expect(await client.call('PUT', '/size', 'b'.repeat(90_000))).toBe(90_000);
    await close();
  });

  test('the default is 32 MiB or the largest message if that is more; below the largest message is a RangeError', () => {
    expect(SESSION_DEFAULTS.maxPendingBytes).toBe(32 * 1024 * 1024);
    expect(() => new Server({ maxPendingBytes: 1000 })).toThrow(RangeError); // below 16 MiB messages
    expect(() => new Server({ maxPendingBytes: 1000, limits: { maxMessageBytes: 1000 } })).not.toThrow();
    expect(() => new Server({ maxPendingBytes: 2 ** 25 + 0.5 })).toThrow(RangeError);
    expect(() => new Server({ limits: { maxMessageBytes: 2 ** 26 } })).not.toThrow(); // the default follows it
  });
});

describe('spec/rpc.md §5.2 requestTimeoutMs: a request must arrive in time', () => {
  test('a request trickled a byte at a time is answered 408 mid-trickle, its channel closed; idle pre-opened channels are not touched', async () => {
    const server = sizeServer({ requestTimeoutMs: 150 });
    const { client, session, close } = await memoryPair(server); // the client pre-opens 4 channels
    await until(() => session.mux.channelCount === 4, 3000, 'the client pool open at the server');
    const channel = await client.mux.open();
    const bytes = request(1000);
    const reply = replyOn(channel);
    let answered = false;
    void reply.finally(() => (answered = true));
    // Bounded: one byte every 20 ms, at most the whole request (it must be cut off long before).
    let sent = 0;
    for (; sent < bytes.length && !answered; sent++) {
      await channel.write(bytes.subarray(sent, sent + 1)).catch(() => undefined);
      await tick(20);
    }
    expect(await reply).toMatchObject({ status: 408 });
    expect(sent).toBeLessThan(bytes.length);
    expect(await channel.read()).toBeNull();
    await until(() => session.pendingBytes === 0, 1000, 'its bytes given back');
    // The pool's channels, idle for longer than the timeout, were never timed out: they start no clock.
    await until(() => session.mux.channelCount === 4, 3000, 'the trickled channel gone');
    expect(await client.call('PUT', '/size', 'x'.repeat(100_000))).toBe(100_000);
    await close();
  });

  test('a request sent whole is served however long its channel sat idle first', async () => {
    const server = sizeServer({ requestTimeoutMs: 50 });
    const { client, close } = await memoryPair(server);
    const channel = await client.mux.open();
    await tick(150);
    await channel.write(request(200_000)); // many packets, well within the timeout
    expect(await replyOn(channel)).toMatchObject({ status: 200 });
    await close();
  });

  test('0 turns it off; a negative or fractional value is a RangeError', () => {
    expect(SESSION_DEFAULTS.requestTimeoutMs).toBe(30_000);
    expect(() => new Server({ requestTimeoutMs: 0 })).not.toThrow();
    expect(() => new Server({ requestTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => new Server({ requestTimeoutMs: 1.5 })).toThrow(RangeError);
    expect(() => new Server({ requestTimeoutMs: 2 ** 31 })).toThrow(RangeError);
  });
});

describe('spec/rpc.md §5.2 a server session holds at most 1,024 channels by default', () => {
  /** Opens `count` channels from the client, 200 at a time (under the accept backlog); the confirmed ones. */
  async function openMany(client: Client, count: number): Promise<Channel[]> {
    const confirmed: Channel[] = [];
    // Bounded: count / 200 batches.
    for (let done = 0; done < count; done += 200) {
      const batch = Math.min(200, count - done);
      const results = await Promise.allSettled(Array.from({ length: batch }, () => client.mux.open()));
      for (const r of results) if (r.status === 'fulfilled') confirmed.push(r.value);
    }
    return confirmed;
  }

  test('opens past 1,024 are refused; the session goes on serving', async () => {
    expect(SESSION_DEFAULTS.maxChannels).toBe(1024);
    const server = sizeServer({});
    const { client, session, close } = await memoryPair(server, { poolSize: 0 });
    const channels = await openMany(client, 1100);
    expect(channels).toHaveLength(1024);
    expect(session.mux.channelCount).toBe(1024);
    // A channel given back makes room for a call.
    await channels[0]!.close();
    expect(await client.call('GET', '/ping')).toBe('pong');
    await close();
  });

  test('4 × maxInFlight when that is more, and mux.maxChannels when given', async () => {
    const big = await memoryPair(sizeServer({ maxInFlight: 300 }), { poolSize: 0 });
    expect(await openMany(big.client, 1300)).toHaveLength(1200);
    await big.close();
    const given = await memoryPair(sizeServer({ mux: { maxChannels: 10 } }), { poolSize: 0 });
    expect(await openMany(given.client, 20)).toHaveLength(10);
    await given.close();
  });
});
