/** Flow control and write batching (spec/qmux.md §4 and §8). */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MessageType, Session, decodeFrames, memoryPipe, type Message } from '@petrichor/mux';
import type { ByteStream, ByteStreamSink } from '../src/stream.js';
import { concat, hex, pattern, unhex } from './helpers/bytes.js';
import { ScriptedStream, settle } from './helpers/scripted.js';

const u32 = (n: number) => n.toString(16).padStart(8, '0');

/** A peer-opened channel on a scripted session, with the peer's window and max packet. */
async function inbound(window: number, maxPacket: number, options = {}) {
  const peer = new ScriptedStream();
  const session = new Session(peer, { windowSize: 64, maxPacketSize: 32, ...options });
  peer.send(`64 ${u32(7)} ${u32(window)} ${u32(maxPacket)}`);
  const channel = await session.accept();
  await settle();
  peer.take(); // the OPEN_CONFIRM
  return { peer, session, channel };
}

/** Runs queued microtasks (and those they queue) without letting any timer fire. */
async function microtasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const dataLengths = (bytes: Uint8Array): number[] =>
  decodeFrames(bytes).map((m) => (m.type === MessageType.Data ? m.data.length : -m.type));

describe('spec/qmux.md §4.1 sending: never past the window or the max packet', () => {
  test('a write is split to the max packet and stops at the window until WINDOW_ADJUST', async () => {
    const { peer, channel } = await inbound(20, 9);
    let done = false;
    const writing = channel.write(pattern(25)).then(() => (done = true));
    await settle();
    expect(dataLengths(peer.take())).toEqual([9, 9, 2]);
    expect(done).toBe(false);
    peer.send(`67 ${u32(0)} ${u32(1)}`);
    await settle();
    expect(dataLengths(peer.take())).toEqual([1]);
    peer.send(`67 ${u32(0)} ${u32(100)}`);
    await writing;
    await settle();
    expect(dataLengths(peer.take())).toEqual([4]);
  });

  test('writes queue in order behind a blocked one; closeWrite sends EOF after them', async () => {
    const { peer, channel } = await inbound(0, 9);
    const order: string[] = [];
    const first = channel.write(Uint8Array.of(1, 2, 3, 4, 5)).then(() => order.push('first'));
    const second = channel.write(Uint8Array.of(6, 7)).then(() => order.push('second'));
    const eof = channel.closeWrite().then(() => order.push('eof'));
    await settle();
    expect(peer.take().length).toBe(0);
    peer.send(`67 ${u32(0)} ${u32(100)}`);
    await Promise.all([first, second, eof]);
    expect(order).toEqual(['first', 'second', 'eof']);
    await settle();
    const messages = decodeFrames(peer.take());
    expect(messages.map((m) => m.type)).toEqual([104, 104, 105]);
    const payload = concat(messages.flatMap((m) => (m.type === MessageType.Data ? [m.data] : [])));
    expect([...payload]).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test('property: whatever the WINDOW_ADJUSTs and writes, DATA stays within window and max packet', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 9, max: 40 }),
        fc.array(fc.oneof(fc.record({ write: fc.integer({ min: 0, max: 120 }) }), fc.record({ adjust: fc.integer({ min: 0, max: 80 }) })), {
          maxLength: 25,
        }),
        async (initial, maxPacket, steps) => {
          const { peer, channel } = await inbound(initial, maxPacket);
          let granted = initial;
          let sent = 0;
          let offered = 0;
          for (const step of steps) {
            if ('write' in step) {
              void channel.write(pattern(step.write, offered + 1));
              offered += step.write;
            } else {
              peer.send(`67 ${u32(0)} ${u32(step.adjust)}`);
              granted += step.adjust;
            }
            await settle();
            for (const length of dataLengths(peer.take())) {
              expect(length).toBeLessThanOrEqual(maxPacket);
              sent += length;
            }
            expect(sent).toBeLessThanOrEqual(granted);
            expect(sent).toBe(Math.min(granted, offered)); // and nothing is held back needlessly
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('spec/qmux.md §4.2 receiving: the window we advertise bounds what we hold', () => {
  test('a reader that stops reading stalls the writer at exactly the window', async () => {
    const [a, b] = memoryPipe();
    const options = { windowSize: 4096, maxPacketSize: 1024 };
    const client = new Session(a, options);
    const server = new Session(b, options);
    const accepted = server.accept();
    const channel = await client.open();
    const theirs = await accepted;
    const payload = pattern(3 * 4096 + 100);
    let written = false;
    const writing = channel.write(payload).then(() => (written = true));
    await settle();
    const held = theirs as unknown as { bufferedBytes: number };
    expect(held.bufferedBytes).toBe(4096);
    expect(written).toBe(false);
    await settle();
    expect(held.bufferedBytes).toBe(4096); // still stalled: nothing more arrives
    const received: Uint8Array[] = [];
    let total = 0;
    while (total < payload.length) {
      const chunk = (await theirs.read())!;
      received.push(chunk);
      total += chunk.length;
      expect(held.bufferedBytes).toBeLessThanOrEqual(4096);
      if (total % 1024 === 0) await settle();
    }
    await writing;
    expect(Buffer.compare(concat(received), payload)).toBe(0);
  });

  test('window goes back in one WINDOW_ADJUST once half the window is consumed (default policy)', async () => {
    const { peer, channel } = await inbound(0, 32); // our window 64, threshold 32
    peer.send(`68 ${u32(0)} ${u32(20)} ${'61'.repeat(20)} 68 ${u32(0)} ${u32(20)} ${'62'.repeat(20)}`);
    await channel.read();
    await settle();
    expect(peer.take().length).toBe(0); // 20 consumed: below the threshold
    await channel.read();
    await settle();
    expect(hex(peer.take())).toBe(`67${u32(7)}${u32(40)}`);
  });

  test('§7 a buffered payload small next to its transport chunk is copied; a large one is a view', async () => {
    const { peer, channel } = await inbound(0, 32);
    const chunk = unhex(`68 ${u32(0)} ${u32(3)} 616263 ${`67 ${u32(0)} ${u32(0)}`.repeat(10)}`);
    peer.send(chunk); // 3 payload bytes in a 107-byte chunk: buffered (no reader waiting) as a copy
    const small = (await channel.read())!;
    expect(hex(small)).toBe('616263');
    expect(small.buffer).not.toBe(chunk.buffer);
    const big = unhex(`68 ${u32(0)} ${u32(20)} ${'62'.repeat(20)} 69 ${u32(0)}`);
    peer.send(big);
    expect((await channel.read())!.buffer).toBe(big.buffer);
    const waiting = channel.read(); // a reader already waiting takes even a small view as is
    expect(await waiting).toBeNull();
  });

  test('windowUpdateThreshold: 1 returns window on every read, as qtalk-go does', async () => {
    const { peer, channel } = await inbound(0, 32, { windowUpdateThreshold: 1 });
    peer.send(`68 ${u32(0)} ${u32(3)} 616263`);
    await channel.read();
    await settle();
    expect(hex(peer.take())).toBe(`67${u32(7)}${u32(3)}`);
  });

  test('idle return: a drained reader holding a full packet returns it a tick later, below the threshold', async () => {
    // window 64, threshold 32 (half), our max packet 9: one full packet is 9 bytes.
    const { peer, channel } = await inbound(0, 32, { maxPacketSize: 9 });
    peer.send(`68 ${u32(0)} ${u32(9)} ${'61'.repeat(9)}`);
    await channel.read();
    await microtasks(); // the outbox flushes on a microtask: an immediate return would show now
    expect(hex(peer.take())).toBe(''); // not at once: below the threshold
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(hex(peer.take())).toBe(`67${u32(7)}${u32(9)}`);
  });

  test('idle return: less than a packet consumed, or data still buffered, waits for the threshold', async () => {
    const { peer, channel } = await inbound(0, 32, { maxPacketSize: 9 });
    peer.send(`68 ${u32(0)} ${u32(8)} ${'61'.repeat(8)}`);
    await channel.read(); // 8 < one packet: nothing scheduled
    peer.send(`68 ${u32(0)} ${u32(9)} ${'62'.repeat(9)} 68 ${u32(0)} ${u32(9)} ${'63'.repeat(9)}`);
    await channel.read(); // 17 consumed but 9 still buffered: the reader has not caught up
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(hex(peer.take())).toBe('');
    await channel.read(); // 26 consumed, buffer drained: returned on the next tick
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(hex(peer.take())).toBe(`67${u32(7)}${u32(26)}`);
  });

  test('idle return: DATA arriving before the tick (the sender is not stalled) postpones it to a later tick', async () => {
    const { peer, channel } = await inbound(0, 32, { maxPacketSize: 9 });
    peer.send(`68 ${u32(0)} ${u32(9)} ${'61'.repeat(9)}`);
    await channel.read(); // a drained reader holding a packet: a return is asked for on the next tick
    peer.send(`68 ${u32(0)} ${u32(9)} ${'62'.repeat(9)}`); // but more arrives first, and waits unread
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(hex(peer.take())).toBe(''); // the tick returned nothing (before: 9 bytes)
    await channel.read(); // caught up again: the next tick returns both packets in one message
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(hex(peer.take())).toBe(`67${u32(7)}${u32(18)}`);
  });

  test('after our CLOSE nothing is sent for the channel, not even window for late DATA', async () => {
    const { peer, channel } = await inbound(0, 32, { windowUpdateThreshold: 1 });
    const closing = channel.close();
    peer.send(`68 ${u32(0)} ${u32(3)} 616263 6a ${u32(0)}`);
    await closing;
    await settle();
    expect(hex(peer.take())).toBe(`6a${u32(7)}`);
  });
});

/** A transport that records each write call and can hold writes back (backpressure). */
class RecordingStream implements ByteStream {
  sink!: ByteStreamSink;
  calls: Uint8Array[][] = [];
  release: (() => void) | null = null;
  full = false;
  constructor(readonly vectored: boolean) {
    if (!vectored) (this as { writev?: unknown }).writev = undefined;
  }
  start(sink: ByteStreamSink): void {
    this.sink = sink;
  }
  write(chunk: Uint8Array): void | Promise<void> {
    return this.#record([chunk]);
  }
  writev(chunks: Uint8Array[]): void | Promise<void> {
    return this.#record(chunks);
  }
  #record(chunks: Uint8Array[]): void | Promise<void> {
    this.calls.push(chunks);
    if (!this.full) return;
    return new Promise((resolve) => (this.release = resolve));
  }
  close(): void {}
  bytes(): Uint8Array {
    return concat(this.calls.flat());
  }
}

async function peerOpened(stream: RecordingStream, window: number, options = {}) {
  const session = new Session(stream, { maxQueuedBytes: 1 << 20, ...options });
  stream.sink.data(Uint8Array.from(Buffer.from(`64${u32(5)}${u32(window)}${u32(1 << 20)}`, 'hex')));
  const channel = await session.accept();
  await settle();
  stream.calls = [];
  return { session, channel };
}

describe('spec/qmux.md §8 batching and transport backpressure', () => {
  test('frames queued in one turn leave in one write', async () => {
    const stream = new RecordingStream(false);
    const session = new Session(stream);
    const opens = [session.open(), session.open(), session.open()];
    await settle();
    expect(stream.calls).toHaveLength(1);
    expect(decodeFrames(stream.bytes()).map((m: Message) => m.type)).toEqual([100, 100, 100]);
    session.close();
    await Promise.allSettled(opens);
  });

  test('with writev, large payloads go out by reference next to their headers', async () => {
    const stream = new RecordingStream(true);
    const { channel } = await peerOpened(stream, 1 << 20);
    const big = pattern(10_000);
    void channel.write(big);
    void channel.write(Uint8Array.of(1, 2, 3));
    await settle();
    expect(stream.calls).toHaveLength(1);
    const [header, payload, small] = stream.calls[0]!;
    expect(hex(header!)).toBe(`68${u32(5)}${u32(10_000)}`);
    expect(payload).toBe(big); // the very same buffer: not copied
    expect(hex(small!)).toBe(`68${u32(5)}${u32(3)}010203`);
  });

  test('without writev, one joined buffer per flush', async () => {
    const stream = new RecordingStream(false);
    const { channel } = await peerOpened(stream, 1 << 20);
    void channel.write(pattern(10_000));
    void channel.write(Uint8Array.of(1, 2, 3));
    await settle();
    expect(stream.calls).toHaveLength(1);
    expect(stream.calls[0]).toHaveLength(1);
    expect(dataLengths(stream.bytes())).toEqual([10_000, 3]);
  });

  test('a full transport: nothing more is written until it drains; past maxQueuedBytes writers wait', async () => {
    const stream = new RecordingStream(true);
    const { channel } = await peerOpened(stream, 1 << 20, { maxQueuedBytes: 4096 });
    stream.full = true;
    await channel.write(pattern(1000)); // goes out; the transport is now full
    await settle();
    expect(stream.calls).toHaveLength(1);
    await channel.write(pattern(10_000)); // queued whole (one packet): the outbox is now over 4096
    let done = false;
    const waiting = channel.write(pattern(100)).then(() => (done = true));
    await settle();
    expect(stream.calls).toHaveLength(1); // held while the transport is full
    expect(done).toBe(false); // and this writer waits for room
    stream.full = false;
    stream.release!();
    await waiting;
    await settle();
    expect(stream.calls).toHaveLength(3);
    expect(dataLengths(stream.bytes())).toEqual([1000, 10_000, 100]);
  });
});
