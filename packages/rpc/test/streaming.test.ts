import { describe, expect, test } from 'vitest';
import type { Value } from '@petrichor/wire';
import { CallEndedError, RpcError, RpcProtocolError, Server } from '@petrichor/rpc';
import { memoryPair, tcpPair, tick, until } from './helpers/setup.js';

describe('spec/rpc.md §4.2 server streaming', () => {
  test('items arrive in order; the stream ends with EOF', async () => {
    const server = new Server();
    server.route('GET', '/count/:n', async function* (ctx) {
      for (let i = 0; i < Number(ctx.params['n']); i++) yield { i };
    });
    const { client, close } = await memoryPair(server);
    const items: Value[] = [];
    for await (const item of client.stream('GET', '/count/5')) items.push(item);
    expect(items).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }, { i: 3 }, { i: 4 }]);
    const empty: Value[] = [];
    for await (const item of client.stream('GET', '/count/0')) empty.push(item);
    expect(empty).toEqual([]);
    await close();
  });

  test('stream() on a unary reply yields its one value; call() on a stream is a protocol error', async () => {
    const server = new Server();
    server.route('GET', '/one', () => 'one');
    server.route('GET', '/many', async function* () {
      yield 1;
    });
    const { client, close } = await memoryPair(server);
    const items: Value[] = [];
    for await (const item of client.stream('GET', '/one')) items.push(item);
    expect(items).toEqual(['one']);
    await expect(client.call('GET', '/many')).rejects.toBeInstanceOf(RpcProtocolError);
    await close();
  });

  test('an error before the first item is the reply; an error after items ends the stream with it', async () => {
    const server = new Server();
    server.route('GET', '/early', async function* () {
      throw RpcError.forbidden('not you');
      yield 1;
    });
    server.route('GET', '/late', async function* () {
      yield 1;
      yield 2;
      throw RpcError.conflict('changed underneath', { at: 2 });
    });
    server.route('GET', '/crash', async function* () {
      yield 1;
      throw new Error('secret');
    });
    const { client, close } = await memoryPair(server);
    await expect(client.stream('GET', '/early').result).rejects.toMatchObject({ code: 403, message: 'not you' });
    const seen: Value[] = [];
    const error = await (async () => {
      for await (const item of client.stream('GET', '/late')) seen.push(item);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1, 2]);
    expect(error).toMatchObject({ code: 409, message: 'changed underneath', data: { at: 2 } });
    const crash = await (async () => {
      for await (const _ of client.stream('GET', '/crash'));
    })().catch((e: unknown) => e);
    expect(crash).toMatchObject({ code: 500, message: 'internal error' });
    await close();
  });

  test('breaking out of the loop cancels: the handler signal fires (499) and its generator is closed', async () => {
    const server = new Server();
    let finalized = false;
    let reason: unknown;
    server.route('GET', '/forever', async function* (ctx) {
      ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason));
      try {
        for (let i = 0; ; i++) {
          yield i;
          await tick(1);
        }
      } finally {
        finalized = true;
      }
    });
    const { client, session, close } = await memoryPair(server);
    for await (const item of client.stream('GET', '/forever')) if (item === 3) break;
    await until(() => finalized && reason !== undefined);
    expect(reason).toMatchObject({ code: 499 });
    await until(() => session.inFlight === 0);
    await close();
  });
});

describe('spec/rpc.md §4.2 client and bidirectional streaming', () => {
  test('client streaming: the argument, then messages until end(), then one reply', async () => {
    const server = new Server();
    server.route('PUT', '/sum', async (ctx) => {
      let sum = (ctx.body as { start: number }).start;
      for await (const n of ctx.messages) sum += n as number;
      return sum;
    });
    const { client, close } = await memoryPair(server);
    const call = client.open('PUT', '/sum', { start: 100 }, { stream: 'in' });
    for (let i = 1; i <= 10; i++) await call.send(i);
    await call.end();
    expect(await call.result).toBe(155);
    await close();
  });

  test('bidirectional: replies stream while requests stream (an echo that uppercases)', async () => {
    const server = new Server();
    server.route('chat', '/room', async function* (ctx) {
      for await (const line of ctx.messages) yield (line as string).toUpperCase();
    });
    const { client, close } = await memoryPair(server);
    const call = client.open('chat', '/room');
    const replies = call[Symbol.asyncIterator]();
    await call.send('hello');
    expect(await replies.next()).toEqual({ done: false, value: 'HELLO' });
    await call.send('again');
    expect(await replies.next()).toEqual({ done: false, value: 'AGAIN' });
    await call.end(); // half-close: the server's loop ends, so does its stream
    expect(await replies.next()).toEqual({ done: true, value: undefined });
    expect(await call.result).toBeNull();
    await close();
  });

  test('per-message meta reaches the handler through the HEADER; send after end() is refused', async () => {
    const server = new Server();
    server.route('PUT', '/count', async (ctx) => {
      let n = 0;
      for await (const _ of ctx.messages) n++;
      return n;
    });
    const { client, close } = await memoryPair(server);
    const call = client.open('PUT', '/count', null, { stream: 'in' });
    await call.send('a', { seq: 1 });
    await call.end();
    await expect(call.send('b')).rejects.toMatchObject({ code: 'MUX_WRITE_AFTER_EOF' });
    expect(await call.result).toBe(1);
    await close();
  });

  test('a unary request (stream() / call()) cannot send more', async () => {
    const server = new Server();
    server.route('GET', '/x', () => 1);
    const { client, close } = await memoryPair(server);
    const call = client.stream('GET', '/x');
    await expect(call.send('more')).rejects.toMatchObject({ code: 'MUX_WRITE_AFTER_EOF' });
    expect(await call.result).toBe(1);
    await close();
  });

  test('a handler that stops reading early answers; later sends get CallEndedError', async () => {
    const server = new Server();
    server.route('PUT', '/first', async (ctx) => {
      for await (const item of ctx.messages) return item;
      return null;
    });
    const { client, close } = await memoryPair(server);
    const call = client.open('PUT', '/first', null, { stream: 'in' });
    await call.send('one');
    expect(await call.result).toBe('one');
    await expect(call.send('two')).rejects.toBeInstanceOf(CallEndedError);
    await close();
  });
});

describe('spec/rpc.md §4.4 backpressure end to end', () => {
  const ITEM = 64 * 1024;
  const TOTAL = 100 * 1024 * 1024; // what the producer would make if nothing stopped it

  for (const transport of ['memory', 'tcp'] as const) {
    test(`${transport}: a stalled consumer stalls a producer of 100 MiB within a bounded lead`, async () => {
      const server = new Server({ decode: { text: false } });
      let produced = 0;
      let finalized = false;
      const chunk = new Uint8Array(ITEM);
      server.route('GET', '/firehose', async function* () {
        try {
          while (produced * ITEM < TOTAL) {
            produced++;
            yield chunk;
          }
        } finally {
          finalized = true;
        }
      });
      const pair = transport === 'memory' ? await memoryPair(server, { decode: { text: false } }) : await tcpPair(server, { decode: { text: false } });
      const stream = pair.client.stream('GET', '/firehose');
      const items = stream[Symbol.asyncIterator]();
      expect(((await items.next()).value as Uint8Array).length).toBe(ITEM);
      // Wait until the producer stops making progress: it is blocked on the channel window.
      let last = -1;
      while (produced !== last) {
        last = produced;
        await tick(transport === 'tcp' ? 60 : 20);
      }
      const lead = produced * ITEM;
      // The caller's window (1 MiB), the server's outbox (1 MiB), the socket buffers (TCP), a few items.
      const bound = transport === 'tcp' ? 8 * 1024 * 1024 : 3 * 1024 * 1024;
      expect(lead).toBeLessThan(bound);
      expect(lead).toBeGreaterThanOrEqual(1024 * 1024); // it did fill the window
      // Reading on lets it go on: ten more items, then leave (which cancels and ends the generator).
      for (let i = 0; i < 10; i++) expect((await items.next()).done).toBe(false);
      await items.return!();
      await until(() => finalized, 5000, 'the generator to be closed');
      expect(produced * ITEM).toBeLessThan(TOTAL);
      await pair.close();
    });
  }

  test('a stalled server handler stalls the client sender: send() waits for window', async () => {
    const server = new Server({ decode: { text: false } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let received = 0;
    server.route('PUT', '/sink', async (ctx) => {
      await gate;
      for await (const _ of ctx.messages) received++;
      return received;
    });
    const { client, close } = await memoryPair(server, { decode: { text: false } });
    const call = client.open('PUT', '/sink', null, { stream: 'in' });
    const chunk = new Uint8Array(ITEM);
    let sent = 0;
    let stop = false;
    const sender = (async () => {
      while (!stop && sent < 1600) {
        await call.send(chunk);
        sent++;
      }
    })();
    let last = -1;
    while (sent !== last) {
      last = sent;
      await tick(20);
    }
    expect(sent * ITEM).toBeLessThan(3 * 1024 * 1024);
    stop = true;
    release();
    await sender;
    await call.end();
    expect(await call.result).toBe(sent);
    await close();
  });
});
