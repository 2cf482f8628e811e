/**
 * A large byte-string BODY is sent by reference (format.ts `message`, `writeMessage`) where the
 * caller cannot change it before the peer has it: a unary call's request, a oneway delivery, a
 * handler's value reply. Its bytes go to the transport as views of the caller's own memory, and the
 * message on the wire is byte for byte the one-buffer encoding. Messages whose sender carries on
 * at once (send(), stream items, the first message of open()/stream()) are still copied.
 */
import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { memoryPipe, type ByteStream } from '@petrichor/mux';
import { socketStream } from '@petrichor/mux/node';
import { codecs, type Value } from '@petrichor/wire';
import { Client, Server, type ClientOptions } from '@petrichor/rpc/all';
import { MessageFormat } from '../src/format.js';
import { listen } from './helpers/setup.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** `bytes` bytes of a pattern that a shifted or dropped piece would not reproduce. */
function pattern(bytes: number, seed = 7): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = seed;
  for (let i = 0; i < bytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const concat = (pieces: readonly Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(pieces));
/** Byte equality (vitest's deep equality takes seconds over megabytes). */
const same = (a: Value | undefined, b: Uint8Array): boolean => a instanceof Uint8Array && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
/** The qmux outbox copies a DATA payload this small next to its header (the tail of a body cut into packets). */
const MUX_COPIES = 2048;

describe('MessageFormat.message: a large byte-string BODY by reference', () => {
  const header = { verb: 'echo', path: '/echo' };
  for (const codec of [codecs.tnetstring, codecs.msgpack]) {
    test(`${codec.name}: the pieces are the one-buffer message, the BODY itself among them`, () => {
      const format = new MessageFormat(codec, undefined, undefined);
      const body = pattern(256 * KiB);
      const message = format.message(header, body);
      expect(message).toBeInstanceOf(Array);
      const pieces = message as readonly Uint8Array[];
      expect(pieces).toContain(body);
      expect(same(concat(pieces), format.encode(header, body))).toBe(true);
      // A small BODY, or one that is not bytes, stays one buffer.
      const small = pattern(100);
      expect(same(format.message(header, small) as Uint8Array, format.encode(header, small))).toBe(true);
      expect(format.message(header, { list: [body] })).toBeInstanceOf(Uint8Array);
    });
  }

  test('sexpr (no byte strings on its wire): always one buffer', () => {
    const format = new MessageFormat(codecs.sexpr, undefined, undefined);
    const text = 'x'.repeat(256 * KiB);
    const message = format.message(header, text);
    expect(message).toBeInstanceOf(Uint8Array);
    expect(same(message as Uint8Array, format.encode(header, text))).toBe(true);
  });
});

/** A transport that keeps every chunk it is given (the views themselves, not copies). */
function keeping(inner: ByteStream, kept: Uint8Array[]): ByteStream {
  return {
    start: (sink) => inner.start(sink),
    write(chunk) {
      kept.push(chunk);
      return inner.write(chunk);
    },
    writev(chunks) {
      kept.push(...chunks);
      return inner.writev!(chunks);
    },
    close: () => inner.close(),
  };
}

/** How many bytes of `kept` are views of `body`'s own memory. */
function sharedBytes(kept: readonly Uint8Array[], body: Uint8Array): number {
  let bytes = 0;
  for (const chunk of kept) {
    if (chunk.buffer === body.buffer && chunk.byteOffset >= body.byteOffset && chunk.byteOffset + chunk.length <= body.byteOffset + body.length) {
      bytes += chunk.length;
    }
  }
  return bytes;
}

/** `server` and a client over loopback TCP, each end's transport writes kept. */
async function keptPair(server: Server, options: ClientOptions) {
  const serverKept: Uint8Array[] = [];
  const clientKept: Uint8Array[] = [];
  const listener = net.createServer((socket) => void server.serve(keeping(socketStream(socket), serverKept)));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  const client = await Client.connect(keeping(socketStream(net.connect(port, '127.0.0.1')), clientKept), { user: 'test', ...options });
  return {
    client,
    serverKept,
    clientKept,
    close: async () => {
      await client.close();
      await server.close({ deadlineMs: 100 });
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

describe('a large body by reference end to end (loopback TCP)', () => {
  for (const codec of ['tnetstring', 'msgpack'] as const) {
    test(`${codec}: call() and a value reply send the body itself; stream(), open() and send() copy it`, async () => {
      const server = new Server({ decode: { text: false } });
      const replied: Uint8Array[] = [];
      server.route('echo', '/echo', (ctx) => {
        replied.push(ctx.body as Uint8Array);
        return ctx.body;
      });
      server.route('sum', '/in', async (ctx) => {
        const parts: Uint8Array[] = [ctx.body as Uint8Array];
        for await (const part of ctx.messages) parts.push(part as Uint8Array);
        return concat(parts);
      });
      const { client, serverKept, clientKept, close } = await keptPair(server, { codec, decode: { text: false } });
      try {
        // Around the threshold, and past the channel's 1 MiB window (the body waits in the channel's queue).
        for (const size of [32 * KiB - 1, 32 * KiB, 3 * MiB + 5]) {
          for (const how of ['call', 'stream'] as const) {
            const body = pattern(size, size);
            const reply = how === 'call' ? await client.call('echo', '/echo', body) : await client.stream('echo', '/echo', body).result;
            expect(same(reply, body)).toBe(true);
            const sent = sharedBytes(clientKept, body);
            const back = sharedBytes(serverKept, replied.at(-1)!);
            if (size < 32 * KiB) {
              expect([sent, back]).toEqual([0, 0]); // copied into one message buffer
              continue;
            }
            // The mux copies a small last packet next to its header; the rest is the body's own memory.
            expect(size - back).toBeLessThanOrEqual(MUX_COPIES);
            if (how === 'call') expect(size - sent).toBeLessThanOrEqual(MUX_COPIES);
            else expect(sent).toBe(0);
          }
        }
        const first = pattern(64 * KiB, 1);
        const more = [pattern(2 * MiB, 2), pattern(100 * KiB, 3)];
        const call = client.open('sum', '/in', first, { stream: 'in' });
        for (const part of more) await call.send(part);
        await call.end();
        expect(same(await call.result, concat([first, ...more]))).toBe(true);
        for (const part of [first, ...more]) expect(sharedBytes(clientKept, part)).toBe(0);
      } finally {
        await close();
      }
    });
  }

  test('a streamed reply of large items: each arrives intact', async () => {
    const items = [pattern(1 * MiB + 3, 1), pattern(40 * KiB, 2), pattern(2 * MiB, 3)];
    const server = new Server({ decode: { text: false } });
    server.route('GET', '/items', async function* () {
      yield* items;
    });
    const { client, close } = await keptPair(server, { codec: 'msgpack', decode: { text: false } });
    try {
      const got: Value[] = [];
      for await (const item of client.stream('GET', '/items')) got.push(item);
      expect(got).toHaveLength(items.length);
      items.forEach((item, i) => expect(same(got[i], item)).toBe(true));
    } finally {
      await close();
    }
  });
});

/**
 * A transport that hands chunks on a turn later, keeping the views it was given meanwhile (as a
 * socket with a full buffer does), so a body sent by reference and changed too early would show.
 */
function lagging(inner: ByteStream): ByteStream {
  return {
    start: (sink) => inner.start(sink),
    write: (chunk) => void setImmediate(() => inner.write(chunk)),
    writev: (chunks) => void setImmediate(() => inner.write(concat(chunks))),
    close: () => void setImmediate(() => inner.close()),
  };
}

describe('a buffer reused after send() or yield', () => {
  test('send(): the callee gets each message as it was when sent', async () => {
    const server = new Server({ decode: { text: false } });
    server.route('sum', '/in', async (ctx) => {
      const parts: Uint8Array[] = [ctx.body as Uint8Array];
      for await (const part of ctx.messages) parts.push(part as Uint8Array);
      return concat(parts);
    });
    const [a, b] = memoryPipe();
    void server.serve(lagging(b));
    const client = await Client.connect(lagging(a), { user: 'test', decode: { text: false } });
    try {
      const buffer = new Uint8Array(256 * KiB);
      const call = client.open('sum', '/in', buffer.fill(1), { stream: 'in' });
      for (const fill of [2, 3, 4]) await call.send(buffer.fill(fill));
      await call.end();
      const expected = concat([1, 2, 3, 4].map((fill) => new Uint8Array(256 * KiB).fill(fill)));
      expect(same(await call.result, expected)).toBe(true);
    } finally {
      await client.close();
      await server.close({ deadlineMs: 100 });
    }
  });

  test('a streamed reply: each item arrives as it was when yielded', async () => {
    const server = new Server({ decode: { text: false } });
    server.route('GET', '/items', async function* () {
      const buffer = new Uint8Array(256 * KiB);
      for (const fill of [1, 2, 3]) yield buffer.fill(fill);
    });
    const [a, b] = memoryPipe();
    void server.serve(lagging(b));
    const client = await Client.connect(lagging(a), { user: 'test', decode: { text: false } });
    try {
      const got: Value[] = [];
      for await (const item of client.stream('GET', '/items')) got.push(item);
      expect(got).toHaveLength(3);
      [1, 2, 3].forEach((fill, i) => expect(same(got[i], new Uint8Array(256 * KiB).fill(fill))).toBe(true));
    } finally {
      await client.close();
      await server.close({ deadlineMs: 100 });
    }
  });
});

describe('a cancel while a large body is on its way', () => {
  test('the caller cancels while its request body is queued: 499, and the session goes on', async () => {
    const server = new Server({ decode: { text: false } });
    let started = 0;
    server.route('echo', '/echo', (ctx) => {
      started++;
      return ctx.body;
    });
    const listener = await listen(server);
    const { port } = listener.address() as net.AddressInfo;
    const client = await Client.connect(socketStream(net.connect(port, '127.0.0.1')), { user: 'test', decode: { text: false } });
    try {
      const controller = new AbortController();
      const body = pattern(4 * MiB);
      const call = client.stream('echo', '/echo', body, { signal: controller.signal });
      const result = call.result;
      // The request's first window is on its way; most of the body waits in the channel's queue.
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      await expect(result).rejects.toMatchObject({ code: 499 });
      expect(started).toBe(0); // the callee never saw a whole request
      const after = pattern(64 * KiB, 9);
      expect(same(await client.call('echo', '/echo', after), after)).toBe(true);
      expect([...server.sessions][0]!.pendingBytes).toBe(0);
    } finally {
      await client.close();
      await server.close({ deadlineMs: 100 });
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    }
  });

  test('the caller cancels while the reply body is queued: 499, the call ends on both ends, the session goes on', async () => {
    const server = new Server({ decode: { text: false } });
    const controller = new AbortController();
    const big = pattern(4 * MiB);
    server.route('GET', '/big', () => {
      // The caller gives up as the reply starts: most of it is still queued on this end.
      setImmediate(() => controller.abort());
      return big;
    });
    server.route('GET', '/small', () => pattern(100));
    const listener = await listen(server);
    const { port } = listener.address() as net.AddressInfo;
    const client = await Client.connect(socketStream(net.connect(port, '127.0.0.1')), { user: 'test', decode: { text: false } });
    const session = [...server.sessions][0]!;
    try {
      await expect(client.call('GET', '/big', null, { signal: controller.signal })).rejects.toMatchObject({ code: 499 });
      expect(same(await client.call('GET', '/small'), pattern(100))).toBe(true);
      for (let i = 0; i < 100 && session.inFlight > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(session.inFlight).toBe(0);
    } finally {
      await client.close();
      await server.close({ deadlineMs: 100 });
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    }
  });
});
