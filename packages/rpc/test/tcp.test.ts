/**
 * The features of spec/rpc.md §1–§5 over real loopback TCP (127.0.0.1, port 0), through
 * `socketStream` from `@petrichor/mux/node`: the same behaviour as over a memory pipe, with real
 * socket chunking, buffering and FIN/RST.
 */
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { socketStream } from '@petrichor/mux/node';
import type { Value } from '@petrichor/wire';
import { Client, HandshakeDeniedError, RpcError, Server, type CallContext } from '@petrichor/rpc/all';
import { listen, tcpPair, until, type Pair } from './helpers/setup.js';

let open: (Pair & { listener: net.Server }) | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

function service(): Server {
  const server = new Server({ maxInFlight: 4, decode: { text: false } });
  server.route('GET', '/users/:id', (ctx) => ({ id: ctx.params['id']! }));
  server.route('PUT', '/echo', (ctx) => ctx.body);
  server.route('GET', '/fail', () => {
    throw RpcError.conflict('busy', { retry: 3 });
  });
  server.route('GET', '/crash', () => {
    throw new Error('internal detail');
  });
  server.route('GET', '/count/:n', async function* (ctx) {
    for (let i = 0; i < Number(ctx.params['n']); i++) yield i;
  });
  server.route('PUT', '/sum', async (ctx) => {
    let sum = 0;
    for await (const n of ctx.messages) sum += n as number;
    return sum;
  });
  server.route('chat', '/upper', async function* (ctx) {
    for await (const line of ctx.messages) yield new TextDecoder().decode(line as Uint8Array).toUpperCase();
  });
  server.route('GET', '/wait', (ctx: CallContext) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error))));
  return server;
}

describe.each(['tnetstring', 'sexpr', 'msgpack'] as const)('spec/rpc.md §2–§5 over loopback TCP (%s)', (codec) => {
  test('unary calls, errors (404, 405, 409 with data, 500), concurrency', async () => {
    open = await tcpPair(service(), { codec, decode: { text: false } });
    const { client } = open;
    expect(await client.call('GET', '/users/7')).toEqual({ id: codec === 'tnetstring' ? new TextEncoder().encode('7') : '7' });
    await expect(client.call('GET', '/nope')).rejects.toMatchObject({ code: 404 });
    await expect(client.call('DELETE', '/users/7')).rejects.toMatchObject({ code: 405 });
    await expect(client.call('GET', '/fail')).rejects.toMatchObject({ code: 409, message: 'busy', data: { retry: 3 } });
    await expect(client.call('GET', '/crash')).rejects.toMatchObject({ code: 500, message: 'internal error', data: undefined });
    const results = await Promise.all([1, 2, 3, 4].map((n) => client.call('PUT', '/echo', n)));
    expect(results).toEqual([1, 2, 3, 4]);
  });

  test('streams both ways, and a bidirectional call', async () => {
    open = await tcpPair(service(), { codec, decode: { text: false } });
    const { client } = open;
    const items: Value[] = [];
    for await (const item of client.stream('GET', '/count/50')) items.push(item);
    expect(items).toEqual([...Array(50).keys()]);
    const sum = client.open('PUT', '/sum', null, { stream: 'in' });
    for (let i = 1; i <= 100; i++) await sum.send(i);
    await sum.end();
    expect(await sum.result).toBe(5050);
    if (codec !== 'sexpr') {
      const chat = client.open('chat', '/upper');
      const replies = chat[Symbol.asyncIterator]();
      await chat.send(new TextEncoder().encode('hi'));
      const reply = (await replies.next()).value as Value;
      expect(typeof reply === 'string' ? reply : new TextDecoder().decode(reply as Uint8Array)).toBe('HI');
      await chat.end();
      expect((await replies.next()).done).toBe(true);
    }
  });
});

describe('spec/rpc.md §3.3, §5.2 over loopback TCP', () => {
  test('cancel (499) and deadline (408) fire the handler signal and close the channel; 429 past maxInFlight', async () => {
    open = await tcpPair(service());
    const { client, session } = open;
    const controller = new AbortController();
    const cancelled = client.call('GET', '/wait', null, { signal: controller.signal });
    await until(() => session.inFlight === 1);
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 499 });
    await expect(client.call('GET', '/wait', null, { timeout: 30 })).rejects.toMatchObject({ code: 408 });
    await until(() => session.inFlight === 0);
    const waiting = [1, 2, 3, 4].map(() => client.call('GET', '/wait', null, { timeout: 300 }).catch((e: RpcError) => e.code));
    await until(() => session.inFlight === 4);
    await expect(client.call('GET', '/users/1')).rejects.toMatchObject({ code: 429 });
    expect(await Promise.all(waiting)).toEqual([408, 408, 408, 408]);
  });

  test('a 4 MiB body each way, past the window', async () => {
    open = await tcpPair(service(), { decode: { text: false } });
    const blob = new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 31) & 0xff);
    const back = (await open.client.call('PUT', '/echo', blob)) as Uint8Array;
    expect(Buffer.compare(back, blob)).toBe(0);
  });

  test('push: the server calls the client on the same connection', async () => {
    const server = new Server();
    server.route('hello', '/', async (ctx) => `${String(await ctx.session.call('whoami', '/'))} says hi`);
    open = await tcpPair(server);
    open.client.route('whoami', '/', () => 'ana');
    expect(await open.client.call('hello', '/')).toBe('ana says hi');
  });

  test('one-way calls arrive in order', async () => {
    const server = new Server();
    const got: Value[] = [];
    server.route('deliver', '/log', (ctx) => void got.push(ctx.body));
    open = await tcpPair(server);
    for (let i = 0; i < 20; i++) await open.client.deliver('deliver', '/log', i);
    await until(() => got.length === 20);
    expect(got).toEqual([...Array(20).keys()]);
  });
});

describe('spec/rpc.md §1.3 a denied handshake over loopback TCP', () => {
  test('HandshakeDeniedError with the reason; the server closes the socket', async () => {
    const server = new Server({
      authorize: (peer) => {
        if (peer.user === 'mallory') throw RpcError.forbidden('mallory is banned');
      },
    });
    const listener = await listen(server);
    const { port } = listener.address() as net.AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const error = await Client.connect(socketStream(socket), { user: 'mallory' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeDeniedError);
    expect(error).toMatchObject({ status: 403, reason: 'mallory is banned' });
    await closed;
    const ok = await Client.connect(socketStream(net.connect(port, '127.0.0.1')), { user: 'ana' });
    expect(ok.welcome).toBeNull();
    await ok.close();
    await server.close({ deadlineMs: 10 });
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });
});
