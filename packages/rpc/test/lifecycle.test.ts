import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { socketStream } from '@petrichor/mux/node';
import { memoryPipe, type ByteStream } from '@petrichor/mux';
import {
  Client,
  ConnectionLostError,
  RpcError,
  Server,
  SessionClosedError,
  type CallContext,
  type RpcSession,
} from '@petrichor/rpc/all';
import { Client as PlainClient, Service } from '../src/index.js';
import { listen, memoryPair, tcpPair, tick, until } from './helpers/setup.js';

describe('spec/rpc.md §2.6 a peer that vanishes', () => {
  for (const transport of ['memory', 'tcp'] as const) {
    test(`${transport}: calls and streams in flight reject with ConnectionLostError, never hang`, async () => {
      const server = new Server();
      server.route('GET', '/ticks', async function* () {
        for (let i = 0; ; i++) {
          yield i;
          await tick(2);
        }
      });
      server.route('GET', '/hang', () => new Promise(() => {}));
      const pair = transport === 'memory' ? await memoryPair(server) : await tcpPair(server);
      const { client, session } = pair;
      const unary = client.call('GET', '/hang');
      const stream = client.stream('GET', '/ticks')[Symbol.asyncIterator]();
      expect((await stream.next()).value).toBe(0);
      // The server's end of the connection disappears (no goodbye).
      session.mux.close(new Error('the server process died'));
      const [u, s] = await Promise.all([unary.catch((e: unknown) => e), (async () => {
        for (;;) await stream.next();
      })().catch((e: unknown) => e)]);
      expect(u).toBeInstanceOf(ConnectionLostError);
      expect(s).toBeInstanceOf(ConnectionLostError);
      expect(u).toMatchObject({ code: 'RPC_CONNECTION_LOST' });
      expect(await client.closed).toBeUndefined(); // the transport ended cleanly from the client's view
      await expect(client.call('GET', '/ticks')).rejects.toBeInstanceOf(ConnectionLostError);
      await pair.close();
    });
  }

  test('the server side: a client vanishing mid-call fires the handler signal with ConnectionLostError', async () => {
    const server = new Server();
    let reason: unknown;
    server.route('GET', '/hang', (ctx: CallContext) => {
      ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason));
      return new Promise(() => {});
    });
    const { client, session, close } = await tcpPair(server);
    void client.call('GET', '/hang').catch(() => {});
    await until(() => session.inFlight === 1);
    client.mux.close(new Error('gone'));
    await until(() => reason !== undefined);
    expect(reason).toBeInstanceOf(ConnectionLostError);
    expect(session.inFlight).toBe(0);
    await close();
  });

  test('a socket reset mid-stream (TCP RST) rejects the reader with ConnectionLostError', async () => {
    const server = new Server();
    server.route('GET', '/ticks', async function* () {
      for (let i = 0; ; i++) {
        yield i;
        await tick(2);
      }
    });
    const listener = await listen(server);
    const { port } = listener.address() as net.AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    const client = await Client.connect(socketStream(socket));
    const stream = client.stream('GET', '/ticks')[Symbol.asyncIterator]();
    await stream.next();
    socket.resetAndDestroy();
    const error = await (async () => {
      for (;;) await stream.next();
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect(await client.closed).toBeInstanceOf(ConnectionLostError);
    await server.close({ deadlineMs: 50 });
    await new Promise<void>((resolve) => listener.close(() => resolve()));
  });
});

describe('spec/rpc.md §2.6 closing', () => {
  test('client.close(): calls in flight reject with SessionClosedError; later calls at once', async () => {
    const server = new Server();
    server.route('GET', '/hang', () => new Promise(() => {}));
    const { client, close } = await memoryPair(server);
    const pending = client.call('GET', '/hang');
    const streaming = client.stream('GET', '/hang');
    await tick(5);
    await client.close();
    await expect(pending).rejects.toBeInstanceOf(SessionClosedError);
    await expect(streaming.result).rejects.toBeInstanceOf(SessionClosedError);
    await expect(client.call('GET', '/hang')).rejects.toMatchObject({ code: 'RPC_SESSION_CLOSED' });
    expect(() => client.stream('GET', '/x')).not.toThrow();
    await expect(client.stream('GET', '/x').result).rejects.toBeInstanceOf(SessionClosedError);
    await expect(client.deliver('GET', '/x')).rejects.toBeInstanceOf(SessionClosedError);
    expect(await client.closed).toBeUndefined();
    await close();
  });

  test('server.close(): in-flight calls finish, new calls get 503, then sessions close', async () => {
    const server = new Server();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    server.route('GET', '/slow', async () => {
      await gate;
      return 'finished';
    });
    server.route('GET', '/fast', () => 'fast');
    const { client, session } = await memoryPair(server);
    const slow = client.call('GET', '/slow');
    await until(() => session.inFlight === 1);
    const closing = server.close({ deadlineMs: 5000 });
    await tick(5);
    await expect(client.call('GET', '/fast')).rejects.toMatchObject({ code: 503 });
    release();
    expect(await slow).toBe('finished');
    await closing;
    expect(server.sessions.size).toBe(0);
    await client.closed;
  });

  test('server.close(): past the deadline, calls end with 503 and their signals fire', async () => {
    const server = new Server();
    let reason: unknown;
    server.route('GET', '/forever', (ctx: CallContext) => {
      ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason));
      return new Promise(() => {});
    });
    const { client, session } = await memoryPair(server);
    const call = client.call('GET', '/forever');
    await until(() => session.inFlight === 1);
    const started = Date.now();
    await server.close({ deadlineMs: 30 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    await expect(call).rejects.toMatchObject({ code: 503, message: 'the server is shutting down' });
    expect(reason).toBeInstanceOf(RpcError);
    expect((reason as RpcError).code).toBe(503);
  });
});

describe('spec/rpc.md §2.7 both ends call: push', () => {
  test('a handler calls the client back through ctx.session; the client answers with its routes', async () => {
    const server = new Server();
    server.route('subscribe', '/news', async (ctx) => {
      const reply = await ctx.session.call('notify', '/news', { headline: 'hello' });
      return { delivered: reply };
    });
    const { client, close } = await memoryPair(server);
    const got: unknown[] = [];
    client.route('notify', '/news', (ctx) => {
      got.push(ctx.body);
      expect(ctx.peer.ident).toBe(server.ident);
      return 'thanks';
    });
    expect(await client.call('subscribe', '/news')).toEqual({ delivered: 'thanks' });
    expect(got).toEqual([{ headline: 'hello' }]);
    await close();
  });

  test("@petrichor/rpc's plain Client answers a push 404; given a Service, with its routes", async () => {
    const server = new Server();
    const [a, b] = memoryPipe();
    const served = server.serve(b);
    const plain = await PlainClient.connect(a, { user: 'plain' });
    const toPlain = await served;
    await expect(toPlain?.call('notify', '/news')).rejects.toMatchObject({ code: 404, message: 'no route for notify /news' });
    await expect(toPlain?.call('notify', '/news', null, { iface: 'admin' })).rejects.toMatchObject({ code: 404 });
    const service = new Service();
    service.interface('data').route('notify', '/news', (ctx) => `got ${String(ctx.body)}`);
    const [c, d] = memoryPipe();
    const servedToo = server.serve(d);
    const routed = await PlainClient.connect(c, { user: 'routed', service });
    expect(await (await servedToo)?.call('notify', '/news', 'hi')).toBe('got hi');
    await Promise.all([plain.close(), routed.close(), server.close()]);
  });

  test('the server reaches every client through server.sessions: streams and one-way pushes', async () => {
    const server = new Server();
    const pairs = await Promise.all([memoryPair(server), memoryPair(server)]);
    const received: string[][] = [[], []];
    pairs.forEach(({ client }, i) => {
      client.route('deliver', '/push', (ctx) => void received[i]!.push(ctx.body as string));
      client.route('GET', '/numbers', async function* () {
        yield* [1, 2, 3];
      });
    });
    expect(server.sessions.size).toBe(2);
    for (const session of server.sessions as Set<RpcSession>) await session.deliver('deliver', '/push', 'ping');
    await until(() => received.every((r) => r.length === 1));
    const first = [...server.sessions][0]!;
    const numbers: unknown[] = [];
    for await (const n of first.stream('GET', '/numbers')) numbers.push(n);
    expect(numbers).toEqual([1, 2, 3]);
    await expect(first.call('GET', '/unknown')).rejects.toMatchObject({ code: 404 });
    for (const pair of pairs) await pair.close();
  });

  test('pull: calls no route takes wait for a loop over session.incoming; 404 again once it stops', async () => {
    const server = new Server();
    server.route('GET', '/routed', () => 'routed');
    const { client, session, close } = await memoryPair(server);
    client.route('notify', '/routed', () => 'by a route');
    const seen: string[] = [];
    const loop = (async () => {
      for await (const call of client.incoming) {
        seen.push(`${call.ctx.verb} ${call.ctx.path}`);
        if (call.ctx.path === '/fail') call.fail(RpcError.conflict('pulled and refused'));
        else if (call.ctx.path === '/stream') call.reply((async function* () { yield* ['a', 'b']; })());
        else call.reply({ got: call.ctx.body });
        if (seen.length === 3) break;
      }
    })();
    expect(await session.call('notify', '/routed')).toBe('by a route'); // routes still win
    expect(await session.call('notify', '/news', 7)).toEqual({ got: 7 });
    await expect(session.call('notify', '/fail')).rejects.toMatchObject({ code: 409, message: 'pulled and refused' });
    const items: unknown[] = [];
    for await (const item of session.stream('notify', '/stream')) items.push(item);
    expect(items).toEqual(['a', 'b']);
    await loop;
    expect(seen).toEqual(['notify /news', 'notify /fail', 'notify /stream']);
    await expect(session.call('notify', '/news')).rejects.toMatchObject({ code: 404 });
    await close();
  });
});

describe('spec/rpc.md §2.5 a one-way call resolves once the callee has it', () => {
  test('a deliver whose bytes never reach the callee does not resolve; it rejects when the connection goes', async () => {
    const server = new Server();
    let runs = 0;
    server.route('deliver', '/x', () => void runs++);
    const [a, b] = memoryPipe();
    // The client's line: after hold(), writes vanish (accepted locally, never delivered), as on a cut network.
    let holding = false;
    const line: ByteStream = {
      start: (sink) => a.start(sink),
      write: (chunk) => (holding ? undefined : a.write(chunk)),
      close: () => a.close(),
    };
    void server.serve(b);
    const client = await Client.connect(line, { user: 'test' });
    await client.deliver('deliver', '/x');
    await until(() => runs === 1, 2000, 'the first delivery');
    await tick(5); // the pool's refill is confirmed: the next deliver writes at once
    holding = true;
    let settled = false;
    const lost = client.deliver('deliver', '/x');
    lost.then(() => (settled = true), () => (settled = true));
    await tick(20);
    expect(settled).toBe(false); // no CLOSE from the callee yet: it does not have the message
    a.close(); // the connection goes
    await expect(lost).rejects.toBeInstanceOf(ConnectionLostError);
    expect(runs).toBe(1);
    await server.close({ deadlineMs: 10 });
  });

  test('with a timeout, a deliver the callee never acknowledges rejects with 408 when it passes', async () => {
    const server = new Server();
    server.route('deliver', '/x', () => undefined);
    const [a, b] = memoryPipe();
    let holding = false;
    const line: ByteStream = {
      start: (sink) => a.start(sink),
      write: (chunk) => (holding ? undefined : a.write(chunk)),
      close: () => a.close(),
    };
    void server.serve(b);
    const client = await Client.connect(line, { user: 'test' });
    await client.deliver('deliver', '/x', null, { timeout: 1000 }); // acknowledged: resolves
    await tick(5);
    holding = true;
    await expect(client.deliver('deliver', '/x', null, { timeout: 30 })).rejects.toMatchObject({ code: 408 });
    a.close();
    await server.close({ deadlineMs: 10 });
  });
});
