/**
 * Pings and keepalive (spec/qmux.md §5.3): OPEN with window 0 and max packet 0 is a request every
 * conforming peer answers with OPEN_FAILURE, and that creates nothing.
 */
import { describe, expect, test } from 'vitest';
import { ChannelLimitError, KeepaliveTimeoutError, Session, memoryPipe, type ByteStream, type ByteStreamSink } from '@petrichor/mux';
import { hex } from './helpers/bytes.js';
import { ScriptedStream, settle } from './helpers/scripted.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One end of a memory pipe whose writes can be dropped silently: a peer that has vanished. */
class Vanishing implements ByteStream {
  dropping = false;
  constructor(readonly inner: ByteStream) {}
  start(sink: ByteStreamSink): void {
    this.inner.start(sink);
  }
  write(chunk: Uint8Array): void | Promise<void> {
    if (!this.dropping) return this.inner.write(chunk);
  }
  close(): void {
    this.inner.close();
  }
}

/** Counts the OPEN messages (type 100) a session writes, assuming one message per write. */
function countingOpens(stream: ByteStream): { stream: ByteStream; opens: () => number } {
  let opens = 0;
  return {
    stream: {
      start: (sink) => stream.start(sink),
      write: (chunk) => {
        if (chunk[0] === 0x64) opens++;
        return stream.write(chunk);
      },
      close: () => stream.close(),
    },
    opens: () => opens,
  };
}

describe('spec/qmux.md §5.3 ping', () => {
  test('is OPEN(id, window 0, max packet 0); OPEN_FAILURE answers it and frees the id', async () => {
    const stream = new ScriptedStream();
    const session = new Session(stream, { keepaliveIntervalMs: 0 });
    const rtt = session.ping();
    await settle();
    expect(hex(stream.take())).toBe('64' + '00000000' + '00000000' + '00000000');
    expect(session.channelCount).toBe(1); // the id is reserved while the ping is out
    stream.send('66 00000000');
    expect(await rtt).toBeGreaterThanOrEqual(0);
    expect(session.channelCount).toBe(0);
    session.close();
  });

  test('two of our sessions: the peer refuses the ping and nothing is created on either side', async () => {
    const [a, b] = memoryPipe();
    const client = new Session(a, { keepaliveIntervalMs: 0 });
    const server = new Session(b, { keepaliveIntervalMs: 0 });
    const rtts = await Promise.all([client.ping(), client.ping(), server.ping()]);
    for (const rtt of rtts) expect(rtt).toBeGreaterThanOrEqual(0);
    expect(client.channelCount).toBe(0);
    expect(server.channelCount).toBe(0);
    // Nothing was queued for accept(): the next channel accepted is a real one.
    const accepted = server.accept();
    const opened = await client.open();
    expect((await accepted).remoteId).toBe(opened.id);
    client.close();
  });

  test('a peer that confirms it anyway (not conforming) still counts as an answer; we close the channel', async () => {
    const stream = new ScriptedStream();
    const session = new Session(stream, { keepaliveIntervalMs: 0 });
    const rtt = session.ping();
    await settle();
    stream.take();
    stream.send('65 00000000 00000005 00001000 00001000');
    expect(await rtt).toBeGreaterThanOrEqual(0);
    await settle();
    expect(hex(stream.take())).toBe('6a00000005'); // CLOSE to the peer's id
    stream.send('6a 00000000');
    expect(session.channelCount).toBe(0);
    session.close();
  });

  test('no answer within keepaliveTimeoutMs: KeepaliveTimeoutError, the session goes on, a late answer frees the id', async () => {
    const stream = new ScriptedStream();
    const session = new Session(stream, { keepaliveIntervalMs: 0, keepaliveTimeoutMs: 30 });
    const error = await session.ping().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeepaliveTimeoutError);
    expect(error).toMatchObject({ code: 'MUX_KEEPALIVE_TIMEOUT' });
    expect(session.channelCount).toBe(1);
    stream.send('66 00000000');
    expect(session.channelCount).toBe(0);
    const opening = session.open();
    await settle();
    expect(hex(stream.take()).slice(0, 10)).toBe('6400000000'); // OPEN reuses id 0
    stream.send('65 00000000 00000001 00001000 00001000');
    await opening;
    session.close();
  });

  test('at maxChannels a ping is refused with ChannelLimitError; after the end, with the session error', async () => {
    const stream = new ScriptedStream();
    const session = new Session(stream, { keepaliveIntervalMs: 0, maxChannels: 1 });
    void session.open().catch(() => {});
    await expect(session.ping()).rejects.toBeInstanceOf(ChannelLimitError);
    session.close();
    await expect(session.ping()).rejects.toMatchObject({ code: 'MUX_SESSION_CLOSED' });
  });
});

describe('spec/qmux.md §5.3 keepalive', () => {
  test('a peer that stops answering is detected: the session ends with KeepaliveTimeoutError', async () => {
    const [a, b] = memoryPipe();
    const vanishing = new Vanishing(b);
    const client = new Session(a, { keepaliveIntervalMs: 40, keepaliveTimeoutMs: 40 });
    const server = new Session(vanishing, { keepaliveIntervalMs: 0 });
    const channel = await client.open();
    vanishing.dropping = true;
    const started = Date.now();
    const error = await client.closed;
    expect(error).toBeInstanceOf(KeepaliveTimeoutError);
    // Detected after an interval of silence plus the timeout, not before.
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    await expect(channel.write(new Uint8Array(1))).rejects.toBeInstanceOf(KeepaliveTimeoutError);
    server.close();
  });

  test('an idle but live peer is pinged, answers, and the session stays up', async () => {
    const [a, b] = memoryPipe();
    const counted = countingOpens(a);
    const client = new Session(counted.stream, { keepaliveIntervalMs: 20, keepaliveTimeoutMs: 50 });
    const server = new Session(b, { keepaliveIntervalMs: 0 });
    await sleep(150);
    expect(counted.opens()).toBeGreaterThanOrEqual(2);
    const ended = await Promise.race([client.closed.then(() => 'ended'), sleep(0).then(() => 'up')]);
    expect(ended).toBe('up');
    expect(client.channelCount).toBe(0);
    client.close();
    server.close();
  });

  test('a peer that keeps sending is not pinged', async () => {
    const [a, b] = memoryPipe();
    const counted = countingOpens(a);
    const client = new Session(counted.stream, { keepaliveIntervalMs: 100, keepaliveTimeoutMs: 100 });
    const server = new Session(b, { keepaliveIntervalMs: 0 });
    const channel = await server.open();
    const opensBefore = counted.opens();
    // Four intervals long, never silent for one.
    for (const end = Date.now() + 400; Date.now() < end; ) {
      await channel.write(new Uint8Array(10));
      await sleep(10);
    }
    expect(counted.opens()).toBe(opensBefore);
    client.close();
    server.close();
  });

  test('a busy peer whose answer is late is not killed: any byte is proof of life', async () => {
    const stream = new ScriptedStream();
    // Margins wide enough that a loaded machine's timer delays cannot pass for silence.
    const session = new Session(stream, { keepaliveIntervalMs: 100, keepaliveTimeoutMs: 100 });
    stream.send('64 00000007 00100000 00010000'); // the peer opens a channel
    const channel = await session.accept();
    const drain = (async () => {
      while ((await channel.read()) !== null);
    })();
    // Silence until a ping goes out …
    for (let i = 0; i < 200 && !stream.writes.some((w) => w[0] === 0x64); i++) await sleep(5);
    expect(stream.writes.some((w) => w[0] === 0x64)).toBe(true);
    // … then the peer streams data for three timeouts and never answers the ping.
    for (const end = Date.now() + 300; Date.now() < end; ) {
      stream.send('68 00000000 00000001 00');
      await sleep(5);
    }
    const state = await Promise.race([session.closed.then(() => 'ended'), sleep(0).then(() => 'up')]);
    expect(state).toBe('up');
    expect(session.channelCount).toBeGreaterThanOrEqual(2); // the peer's channel and the unanswered ping
    session.close();
    await drain.catch(() => {});
  });

  test('keepaliveIntervalMs: 0 sends no pings', async () => {
    const [a, b] = memoryPipe();
    const counted = countingOpens(a);
    const client = new Session(counted.stream, { keepaliveIntervalMs: 0, keepaliveTimeoutMs: 1 });
    const server = new Session(b, { keepaliveIntervalMs: 0 });
    await sleep(50);
    expect(counted.opens()).toBe(0);
    client.close();
    server.close();
  });

  test('defaults 30 s / 10 s; values out of range are RangeErrors', () => {
    const session = new Session(memoryPipe()[0]);
    expect(session.options.keepaliveIntervalMs).toBe(30_000);
    expect(session.options.keepaliveTimeoutMs).toBe(10_000);
    session.close();
    expect(() => new Session(memoryPipe()[0], { keepaliveIntervalMs: -1 })).toThrow(RangeError);
    expect(() => new Session(memoryPipe()[0], { keepaliveTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => new Session(memoryPipe()[0], { keepaliveTimeoutMs: 2 ** 31 })).toThrow(RangeError);
  });
});
