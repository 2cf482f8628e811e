/**
 * `@petrichor/mux/node` over real loopback TCP: `socketStream` (the ByteStream contract on a Node
 * socket: spec/qmux.md §1 framing rides on it unchanged) and `channelDuplex` (a Channel as a Node
 * Duplex: §3 lifecycle, §4 flow control seen through Node streams).
 */
import net from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { Session, type ByteStreamSink, type Channel, type SessionOptions } from '@petrichor/mux';
import { channelDuplex, socketStream } from '@petrichor/mux/node';
import { concat } from './helpers/bytes.js';

const KiB = 1024;
const MiB = 1024 * KiB;

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

/** A connected loopback pair: [client socket, server socket]. */
async function socketPair(serverOptions: net.ServerOpts = {}): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer(serverOptions);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const serverSocket = await accepted;
  cleanup.push(() => {
    client.destroy();
    serverSocket.destroy();
    server.close();
  });
  return [client, serverSocket];
}

/** A session on each end of a loopback connection: [opener, acceptor]. */
async function sessionPair(
  options: SessionOptions = {},
  acceptorOptions: SessionOptions = options,
): Promise<{ opener: Session; acceptor: Session; client: net.Socket; server: net.Socket }> {
  const [client, server] = await socketPair();
  const opener = new Session(socketStream(client), options);
  const acceptor = new Session(socketStream(server), acceptorOptions);
  cleanup.push(() => {
    opener.close();
    acceptor.close();
  });
  return { opener, acceptor, client, server };
}

/** A sink that records what a ByteStream delivers. */
function recorder(): ByteStreamSink & { chunks: Uint8Array[]; ends: (Error | undefined)[]; ended: Promise<void> } {
  let onEnd!: () => void;
  const ended = new Promise<void>((resolve) => (onEnd = resolve));
  const chunks: Uint8Array[] = [];
  const ends: (Error | undefined)[] = [];
  return {
    chunks,
    ends,
    ended,
    data: (chunk) => chunks.push(chunk),
    end: (error) => {
      ends.push(error);
      onEnd();
    },
  };
}

/** `length` bytes of a pattern in which every offset is recognisable (mod 251, a prime). */
function pattern(length: number, from = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (from + i) % 251;
  return out;
}

/** Settles with 'pending' when `promise` has not settled after `ms` (a stall, as far as a test can tell). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  return Promise.race([promise, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('socketStream: the ByteStream contract on a Node socket', () => {
  test('delivers every chunk as a plain Uint8Array, then ends once, cleanly, on the peer FIN', async () => {
    const [client, server] = await socketPair();
    const stream = socketStream(server);
    const sink = recorder();
    stream.start(sink);
    const sent = pattern(300 * KiB);
    client.end(sent);
    await sink.ended;
    await new Promise((resolve) => server.once('close', resolve));
    expect(sink.ends).toEqual([undefined]);
    expect(Buffer.compare(concat(sink.chunks), sent)).toBe(0);
    // Not Buffers: a Buffer's slice() would share memory where the session expects a copy.
    for (const chunk of sink.chunks) expect(Object.getPrototypeOf(chunk)).toBe(Uint8Array.prototype);
  });

  test('bytes that arrive before start() are kept for the sink', async () => {
    const [client, server] = await socketPair();
    const stream = socketStream(server);
    client.write('early');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const sink = recorder();
    stream.start(sink);
    client.end();
    await sink.ended;
    expect(new TextDecoder().decode(concat(sink.chunks))).toBe('early');
  });

  test('a reset ends it once, with the socket error (ECONNRESET)', async () => {
    const [client, server] = await socketPair();
    const sink = recorder();
    socketStream(server).start(sink);
    client.resetAndDestroy();
    await sink.ended;
    await new Promise((resolve) => server.once('close', resolve));
    expect(sink.ends).toHaveLength(1);
    expect((sink.ends[0] as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  test('close() ends it cleanly; a destroy behind its back ends it with ERR_SOCKET_CLOSED', async () => {
    const [clientA, serverA] = await socketPair();
    const closing = socketStream(clientA);
    const sinkA = recorder();
    closing.start(sinkA);
    closing.write(new TextEncoder().encode('flushed before FIN'));
    closing.close();
    closing.close(); // idempotent
    await sinkA.ended;
    expect(sinkA.ends).toEqual([undefined]);
    const received: Buffer[] = [];
    serverA.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise((resolve) => serverA.once('end', resolve));
    expect(Buffer.concat(received).toString()).toBe('flushed before FIN');

    const [clientB] = await socketPair();
    const sinkB = recorder();
    socketStream(clientB).start(sinkB);
    clientB.destroy();
    await sinkB.ended;
    expect(sinkB.ends).toHaveLength(1);
    expect((sinkB.ends[0] as NodeJS.ErrnoException).code).toBe('ERR_SOCKET_CLOSED');
  });

  test('a socket that is already over ends the stream as soon as it starts, once', async () => {
    const [client, server] = await socketPair();
    server.resume();
    client.end();
    await new Promise((resolve) => server.once('close', resolve));
    const clean = recorder();
    socketStream(server).start(clean);
    expect(clean.ends).toEqual([undefined]);

    const [clientB, serverB] = await socketPair();
    serverB.on('error', () => {});
    clientB.resetAndDestroy();
    await new Promise((resolve) => serverB.once('close', resolve));
    const reset = recorder();
    socketStream(serverB).start(reset);
    expect(reset.ends).toHaveLength(1);
    expect((reset.ends[0] as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  test('knows both addresses', async () => {
    const [client, server] = await socketPair();
    const stream = socketStream(client);
    expect(stream.localAddress).toBe(`127.0.0.1:${client.localPort}`);
    expect(stream.remoteAddress).toBe(`127.0.0.1:${server.localPort}`);
  });

  test('write returns a promise exactly when socket.write says full; a paused reader stalls it; resuming releases it', async () => {
    const [client, server] = await socketPair({ pauseOnConnect: true });
    const stream = socketStream(client);
    stream.start(recorder());
    const write = client.write.bind(client);
    let socketSaid: boolean | undefined;
    client.write = ((chunk: Uint8Array) => (socketSaid = write(chunk))) as typeof client.write;

    const CHUNK = 64 * KiB;
    const LIMIT = 256 * MiB; // far beyond any loopback socket buffer: reaching it means no back-pressure
    let sent = 0;
    let stalled: Promise<void> | undefined;
    while (sent < LIMIT) {
      const result = stream.write(pattern(CHUNK, sent));
      expect(result === undefined).toBe(socketSaid);
      sent += CHUNK;
      if (result !== undefined && (await within(result, 200)) === 'pending') {
        stalled = result;
        break;
      }
    }
    expect(stalled).toBeDefined();
    expect(sent).toBeLessThan(LIMIT);

    // The reader resumes: the writer is released and every byte arrives, in order.
    const received: Buffer[] = [];
    let count = 0;
    const all = new Promise<void>((resolve) =>
      server.on('data', (chunk: Buffer) => {
        received.push(chunk);
        count += chunk.length;
        if (count === sent) resolve();
      }),
    );
    server.resume();
    await stalled;
    await all;
    expect(Buffer.compare(Buffer.concat(received), pattern(sent))).toBe(0);
  });

  test('close() with bytes queued for a peer that never reads drops the socket once they stop leaving', async () => {
    const [client, server] = await socketPair({ pauseOnConnect: true });
    server.on('error', () => {});
    const stream = socketStream(client);
    stream.start(recorder());
    // Fill the kernel's buffers and then the socket's own, as replies to a non-reading peer would.
    let full: void | Promise<void> = undefined;
    for (let sent = 0; sent < 256 * MiB && full === undefined; sent += 64 * KiB) full = stream.write(pattern(64 * KiB));
    expect(full).toBeInstanceOf(Promise);
    expect(client.writableLength).toBeGreaterThan(0);
    stream.close();
    // Before the fix the socket stayed open with its bytes for as long as the peer stayed silent.
    const closed = new Promise((resolve) => client.once('close', resolve));
    expect(await within(closed, 10_000)).not.toBe('pending');
    expect(client.destroyed).toBe(true);
  });

  test('close() still flushes everything queued to a peer that reads, however late it starts', async () => {
    const [client, server] = await socketPair({ pauseOnConnect: true });
    const stream = socketStream(client);
    stream.start(recorder());
    let sent = 0;
    let full: void | Promise<void> = undefined;
    for (; sent < 256 * MiB && full === undefined; sent += 64 * KiB) full = stream.write(pattern(64 * KiB, sent));
    stream.close();
    await new Promise((resolve) => setTimeout(resolve, 500)); // a slow reader, well within the stall limit
    const received: Buffer[] = [];
    server.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise((resolve) => server.once('end', resolve));
    server.resume();
    await ended;
    expect(Buffer.compare(Buffer.concat(received), pattern(sent))).toBe(0);
  });

  test('writev sends its chunks in order', async () => {
    const [client, server] = await socketPair();
    const stream = socketStream(client);
    stream.start(recorder());
    const parts = [pattern(9), pattern(100 * KiB, 9), pattern(5, 9 + 100 * KiB)];
    await stream.writev!(parts);
    stream.close();
    const received: Buffer[] = [];
    server.on('data', (chunk: Buffer) => received.push(chunk));
    await new Promise((resolve) => server.once('end', resolve));
    expect(Buffer.compare(Buffer.concat(received), pattern(9 + 100 * KiB + 5))).toBe(0);
  });
});

describe('Session over socketStream: back-pressure end to end (spec/qmux.md §4)', () => {
  /** Writes 64 KiB chunks until one stays pending; returns the bytes written and the pending write. */
  async function writeUntilStalled(channel: Channel, limit: number): Promise<{ sent: number; stalled: Promise<void> | undefined }> {
    let sent = 0;
    while (sent < limit) {
      const write = channel.write(pattern(64 * KiB, sent));
      sent += 64 * KiB;
      if ((await within(write, 200)) === 'pending') return { sent, stalled: write };
    }
    return { sent, stalled: undefined };
  }

  async function readBytes(channel: Channel, n: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let have = 0;
    while (have < n) {
      const chunk = await channel.read();
      if (chunk === null) throw new Error(`EOF after ${have} of ${n} bytes`);
      parts.push(chunk);
      have += chunk.length;
    }
    return concat(parts);
  }

  test('a slow channel reader stalls the writer at the window', async () => {
    const { opener, acceptor } = await sessionPair({ windowSize: 256 * KiB, maxPacketSize: 32 * KiB });
    const [mine, theirs] = await Promise.all([opener.open(), acceptor.accept()]);
    const { sent, stalled } = await writeUntilStalled(mine, 64 * MiB);
    expect(stalled).toBeDefined();
    // Writes resolve once queued within the window: the 256 KiB window plus the write that waits.
    expect(sent).toBe(256 * KiB + 64 * KiB);
    const received = await readBytes(theirs, sent);
    await stalled;
    expect(Buffer.compare(received, pattern(sent))).toBe(0);
  });

  test('a peer that stops reading its socket stalls channel writes, even with a huge window', async () => {
    const { opener, acceptor, server } = await sessionPair({}, { windowSize: 2 ** 30 });
    const [mine, theirs] = await Promise.all([opener.open(), acceptor.accept()]);
    server.pause(); // the accepting process stops reading the connection
    const LIMIT = 512 * MiB;
    const { sent, stalled } = await writeUntilStalled(mine, LIMIT);
    expect(stalled).toBeDefined();
    expect(sent).toBeLessThan(LIMIT);
    server.resume();
    const received = await readBytes(theirs, sent);
    await stalled;
    expect(Buffer.compare(received, pattern(sent))).toBe(0);
  });

  test('the session reports both addresses from the socket', async () => {
    const { opener, acceptor, client } = await sessionPair();
    expect(opener.localAddress).toBe(`127.0.0.1:${client.localPort}`);
    expect(acceptor.remoteAddress).toBe(`127.0.0.1:${client.localPort}`);
  });
});

describe('channelDuplex: a Channel as a Node Duplex', () => {
  test('stream.pipeline through Duplex views at both ends echoes every byte; both channels then close', async () => {
    const { opener, acceptor } = await sessionPair();
    const served = (async () => {
      const channel = await acceptor.accept();
      const duplex = channelDuplex(channel);
      await pipeline(duplex, duplex); // echo; the end of its input half-closes its output
      await channel.closed;
    })();
    const channel = await opener.open();
    const duplex = channelDuplex(channel);
    const sent = pattern(5 * MiB);
    const chunks = Array.from({ length: 80 }, (_, i) => sent.subarray(i * 64 * KiB, (i + 1) * 64 * KiB));
    const received: Buffer[] = [];
    await pipeline(Readable.from(chunks), duplex, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) received.push(chunk);
    });
    expect(Buffer.compare(Buffer.concat(received), sent)).toBe(0);
    // Both sides ended and finished: the Duplex destroys itself, which closes the channel.
    await channel.closed;
    await served;
    expect(opener.channelCount).toBe(0);
    expect(acceptor.channelCount).toBe(0);
  });

  test('end() half-closes: the peer reads EOF and can still answer', async () => {
    const { opener, acceptor } = await sessionPair();
    const duplex = channelDuplex(await opener.open());
    const theirs = await acceptor.accept();
    duplex.end('question');
    const asked: Uint8Array[] = [];
    for await (const chunk of theirs) asked.push(chunk);
    expect(new TextDecoder().decode(concat(asked))).toBe('question');
    await theirs.write(new TextEncoder().encode('answer'));
    await theirs.close();
    const answer: Buffer[] = [];
    for await (const chunk of duplex) answer.push(chunk as Buffer);
    expect(Buffer.concat(answer).toString()).toBe('answer');
  });

  test('a consumer that does not read leaves bytes in the channel, so the peer writer stalls', async () => {
    const window = 256 * KiB;
    const { opener, acceptor } = await sessionPair({ windowSize: window, maxPacketSize: 32 * KiB });
    const theirs = await opener.open();
    const duplex = channelDuplex(await acceptor.accept(), { highWaterMark: 64 * KiB });
    // A 'readable' listener that never calls read(): Node fills the Duplex buffer up to its
    // highWaterMark and must then stop pulling from the channel.
    const onReadable = () => {};
    duplex.on('readable', onReadable);
    let sent = 0;
    let stalled: Promise<void> | undefined;
    while (sent < 64 * MiB) {
      const write = theirs.write(pattern(16 * KiB, sent));
      sent += 16 * KiB;
      if ((await within(write, 200)) === 'pending') {
        stalled = write;
        break;
      }
    }
    expect(stalled).toBeDefined();
    // At most: the Duplex's buffer (one highWaterMark, give or take a chunk), the channel's window, one write.
    expect(sent).toBeLessThanOrEqual(64 * KiB + 32 * KiB + window + 16 * KiB);
    const received: Buffer[] = [];
    duplex.off('readable', onReadable);
    const all = (async () => {
      let count = 0;
      for await (const chunk of duplex) {
        received.push(chunk as Buffer);
        count += (chunk as Buffer).length;
        if (count === sent) return;
      }
    })();
    await stalled;
    await all;
    expect(Buffer.compare(Buffer.concat(received), pattern(sent))).toBe(0);
  });

  test('a reset connection destroys the Duplex with the session error (MUX_TRANSPORT, cause ECONNRESET)', async () => {
    const { opener, acceptor, server } = await sessionPair();
    const duplex = channelDuplex(await opener.open());
    await acceptor.accept();
    const failed = new Promise<Error>((resolve) => duplex.once('error', resolve));
    duplex.resume();
    server.resetAndDestroy();
    const error = (await failed) as Error & { code?: string; cause?: { code?: string } };
    expect(error.code).toBe('MUX_TRANSPORT');
    expect(error.cause?.code).toBe('ECONNRESET');
    expect(duplex.destroyed).toBe(true);
    expect(await opener.closed).toBe(error);
  });

  test('writing after the peer closed the channel fails with MUX_CHANNEL_CLOSED; end() alone does not', async () => {
    const { opener, acceptor } = await sessionPair();
    const writer = channelDuplex(await opener.open());
    const theirs = await acceptor.accept();
    await theirs.close();
    await tick();
    const failed = new Promise<Error>((resolve) => writer.once('error', resolve));
    writer.write('too late');
    expect(((await failed) as Error & { code?: string }).code).toBe('MUX_CHANNEL_CLOSED');

    const ender = channelDuplex(await opener.open());
    const other = await acceptor.accept();
    await other.close();
    await tick();
    ender.resume();
    await new Promise<void>((resolve, reject) => {
      ender.once('error', reject);
      ender.end(() => resolve());
    });
  });

  test('destroy() closes the channel: the peer reads end of stream', async () => {
    const { opener, acceptor } = await sessionPair();
    const channel = await opener.open();
    const duplex = channelDuplex(channel);
    const theirs = await acceptor.accept();
    duplex.destroy();
    expect(await theirs.read()).toBeNull();
    await channel.closed;
    expect(opener.channelCount).toBe(0);
  });
});
