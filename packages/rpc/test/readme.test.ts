/** The README's examples, as written there: they must run and print what the README says. */
import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { memoryPipe } from '@petrichor/mux';
import { socketStream } from '@petrichor/mux/node';
import { Client, HandshakeDeniedError, RpcError, Server } from '@petrichor/rpc';
import { sexprCodec, tnetstringCodec } from '@petrichor/wire';
import { Client as AllClient } from '@petrichor/rpc/all';

describe('README: quick start (spec/rpc.md §1–§5)', () => {
  test('memory pipe, then TCP, then a denied user', async () => {
    const users = new Map([['7', { id: 7, name: 'ana' }]]);

    const server = new Server({ version: '1.0', welcome: 'WELCOME' });
    server.route('GET', '/users/:id', (ctx) => {
      const user = users.get(ctx.params['id']!);
      if (user === undefined) throw RpcError.notFound(`no user ${ctx.params['id']}`);
      return user;
    });
    server.route('GET', '/count/:n', async function* (ctx) {
      for (let i = 0; i < Number(ctx.params['n']); i++) yield i;
    });

    const [a, b] = memoryPipe();
    void server.serve(b);
    const client = await Client.connect(a, { user: 'ana', version: '2.1' });
    expect(client.welcome).toBe('WELCOME');
    expect(await client.call('GET', '/users/7')).toEqual({ id: 7, name: 'ana' });
    expect(await client.call('GET', '/users/9').catch((e: RpcError) => [e.code, e.message])).toEqual([404, 'no user 9']);
    const counted: unknown[] = [];
    for await (const n of client.stream('GET', '/count/3')) counted.push(n);
    expect(counted).toEqual([0, 1, 2]);
    await client.close();

    const listener = net.createServer((socket) => void server.serve(socketStream(socket)));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as net.AddressInfo;
    const tcp = await Client.connect(socketStream(net.connect(port, '127.0.0.1')), { user: 'ana' });
    expect(await tcp.call('GET', '/users/7')).toEqual({ id: 7, name: 'ana' });
    await tcp.close();
    await server.close({ deadlineMs: 10 });
    await new Promise<void>((resolve) => listener.close(() => resolve()));

    const banned = new Set(['mallory']);
    const guarded = new Server({
      authorize: (peer) => {
        if (banned.has(peer.user)) throw RpcError.forbidden(`${peer.user} is banned`);
      },
    });
    const [c, d] = memoryPipe();
    void guarded.serve(d);
    const denied = await Client.connect(c, { user: 'mallory' }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(HandshakeDeniedError);
    expect(denied).toMatchObject({ status: 403, reason: 'mallory is banned' });
  });

  test('bad options are programming errors (RangeError) where they are given', async () => {
    expect(() => new Server({ maxInFlight: 0 })).toThrow(RangeError);
    expect(() => new Server({ poolSize: -1 })).toThrow(RangeError);
    expect(() => new Server({ handshakeTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => new Server({ codecs: ['json' as 'msgpack'] })).toThrow(RangeError);
    expect(() => new Server().route('GET', 'no-slash', () => null)).toThrow(RangeError);
    expect(() => new Server().route('GET', '/a/*/b', () => null)).toThrow(RangeError);
    expect(() => new Server().route('GET', '/a', () => null).route('GET', '/a', () => null)).toThrow(RangeError);
    const [a] = memoryPipe();
    // The codec is the object itself: a name (even a real one) is refused here, kept for @petrichor/rpc/all.
    await expect(Client.connect(a, { codec: 'sexpr' as never })).rejects.toThrow(/codec object/);
    await expect(Client.connect(a, { codec: { ...tnetstringCodec, name: 'json' as 'tnetstring' } })).rejects.toThrow(RangeError);
    await expect(Client.connect(a, { maxPoolSize: 0 })).rejects.toThrow(RangeError);
  });
});

describe('README: codecs by import', () => {
  test('the client takes the codec object; @petrichor/rpc/all takes its name', async () => {
    const server = new Server();
    server.route('GET', '/echo', (ctx) => ctx.body);
    const [a, b] = memoryPipe();
    const served = server.serve(b);
    const stream = a;
    const client = await Client.connect(stream, { codec: sexprCodec }); // call-form HEADERs (§9)
    expect(client.codec).toBe('sexpr');
    expect((await served)?.codec).toBe('sexpr');
    const [c, d] = memoryPipe();
    void server.serve(d);
    const named = await AllClient.connect(c, { codec: 'msgpack' });
    expect(named).toBeInstanceOf(Client);
    expect(await named.call('GET', '/echo', 'x')).toBe('x');
    await server.close({ deadlineMs: 0 });
  });
});
