/**
 * The plain `Client` of `@petrichor/rpc` answers every call its server makes 404 (spec/rpc.md
 * §2.7) without the machinery that runs handlers, yet a hostile server still cannot break the
 * session's bounds (§5.2): the message limit (413), `maxPendingBytes` (429), `requestTimeoutMs`
 * (408). The server here writes raw bytes on channels it opens to the client, over a memory pipe.
 */
import { describe, expect, test } from 'vitest';
import { memoryPipe } from '@petrichor/mux';
import { encodeMessage } from '@petrichor/wire';
import { Client, Server, type ClientOptions, type RpcSession } from '../src/index.js';
import { replyOn } from './helpers/reply.js';
import { tick, until } from './helpers/setup.js';

async function plainPair(options: ClientOptions): Promise<{ client: Client; session: RpcSession; close: () => Promise<void> }> {
  const server = new Server();
  const [a, b] = memoryPipe();
  const served = server.serve(b);
  const client = await Client.connect(a, { user: 'plain', ...options });
  const session = await served;
  if (session === null) throw new Error('the handshake was denied');
  return { client, session, close: async () => void (await Promise.all([client.close(), server.close()])) };
}

const request = (size: number): Uint8Array => encodeMessage({ verb: 'PUT', path: '/size' }, 'a'.repeat(size));

describe('spec/rpc.md §2.7 the plain client answers 404 within the session bounds', () => {
  test('404 naming the call; a one-way call is closed unanswered; a drained client answers 503', async () => {
    const { client, session, close } = await plainPair({});
    await expect(session.call('notify', '/news')).rejects.toMatchObject({ code: 404, message: 'no route for notify /news' });
    const oneway = await session.mux.open();
    await oneway.write(encodeMessage({ verb: 'notify', path: '/news', oneway: true }, null));
    await oneway.closeWrite();
    expect(await replyOn(oneway)).toBeNull();
    expect(client.inFlight).toBe(0);
    await client.drain();
    await expect(session.call('notify', '/news')).rejects.toMatchObject({ code: 503 });
    expect(await client.call('GET', '/manifest', null, { iface: 'control' })).toBeTruthy(); // calls out go on
    await close();
  });

  test('a message past the limit is 413, bytes that are not a message 400; the session goes on', async () => {
    const { client, session, close } = await plainPair({ limits: { maxMessageBytes: 1000 } });
    const big = await session.mux.open();
    await big.write(request(5000));
    expect(await replyOn(big)).toMatchObject({ status: 413 });
    const bad = await session.mux.open();
    await bad.write(new TextEncoder().encode('3:abc!'));
    expect(await replyOn(bad)).toMatchObject({ status: 400 });
    await expect(session.call('GET', '/x')).rejects.toMatchObject({ code: 404 });
    expect(client.pendingBytes).toBe(0);
    await close();
  });

  test('maxPendingBytes: a request that would pass it is 429, its bytes given back', async () => {
    const { client, session, close } = await plainPair({ limits: { maxMessageBytes: 100_000 }, maxPendingBytes: 200_000 });
    const head = request(90_000).subarray(0, 80_000); // more than one 64 KiB packet: unfinished
    const [first, second, third] = [await session.mux.open(), await session.mux.open(), await session.mux.open()];
    await first.write(head);
    await second.write(head);
    await until(() => client.pendingBytes === 160_000, 3000, 'two unfinished requests counted');
    await third.write(head);
    expect(await replyOn(third)).toMatchObject({ status: 429 });
    expect(client.pendingBytes).toBe(160_000);
    await first.write(request(90_000).subarray(80_000));
    expect(await replyOn(first)).toMatchObject({ status: 404 });
    expect(client.pendingBytes).toBe(80_000);
    await close();
    expect(client.pendingBytes).toBe(0); // the session's end gives back the rest
  });

  test('requestTimeoutMs: a trickled request is 408 mid-trickle and its channel closed', async () => {
    const { client, session, close } = await plainPair({ requestTimeoutMs: 150 });
    const channel = await session.mux.open();
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
    await until(() => client.pendingBytes === 0, 1000, 'its bytes given back');
    await close();
  });
});
