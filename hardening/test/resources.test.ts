/**
 * What one hostile connection can make the server hold, over a real TCP socket: idle channels
 * (bounded by qmux's `maxChannels`; the heap each costs is measured and printed) and calls in
 * flight (bounded by `maxInFlight`: the rest are answered 429 at once). A bystander's calls all
 * succeed meanwhile.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Bystander } from './helpers/bystander.js';
import { RawPeer, frames, requestBytes } from './helpers/raw-peer.js';
import { startStack, type Stack } from './helpers/stack.js';
import { until } from './helpers/wait.js';

const MAX_CHANNELS = 4096;
const MAX_IN_FLIGHT = 32;
const MAX_MESSAGE = 2 << 20;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('tcp://127.0.0.1:0', {
    maxInFlight: MAX_IN_FLIGHT,
    limits: { maxMessageBytes: MAX_MESSAGE, maxElementBytes: MAX_MESSAGE },
    mux: { maxChannels: MAX_CHANNELS },
  });
});
afterAll(async () => {
  await stack.close();
});

/** Sends `count` OPENs from id `from`, 256 at a time (the accept backlog), each batch answered before the next. */
async function openMany(raw: RawPeer, from: number, count: number): Promise<void> {
  const answered = raw.frames.length;
  // Bounded: count / 256 batches.
  for (let sent = 0; sent < count; sent += 256) {
    const batch = Math.min(256, count - sent);
    await raw.write(Buffer.concat(Array.from({ length: batch }, (_, i) => frames.open(from + sent + i))));
    await until(() => raw.frames.length >= answered + sent + batch, 10_000, 'an answer to every OPEN');
  }
}

describe('what one connection can make the server hold', () => {
  test(`idle channels: at most maxChannels (${MAX_CHANNELS}), then OPEN_FAILURE; the heap each one costs`, async () => {
    const bystander = await Bystander.start(stack.url);
    const raw = await RawPeer.handshaken(stack.url, 'hoarder');
    const session = await stack.session('hoarder');
    const heap = process.memoryUsage().heapUsed;
    await openMany(raw, 0, MAX_CHANNELS + 512);
    const perChannel = (process.memoryUsage().heapUsed - heap) / MAX_CHANNELS;
    expect(raw.frames.filter((f) => f.type === 101)).toHaveLength(MAX_CHANNELS);
    expect(raw.frames.filter((f) => f.type === 102)).toHaveLength(512);
    expect(session.mux.channelCount).toBe(MAX_CHANNELS);
    console.log(
      `idle channels: ~${Math.round(perChannel)} bytes of server heap each (mux and rpc together); ` +
        `at the default maxChannels (65,536) one connection can hold ~${Math.round((perChannel * 65_536) / 2 ** 20)} MiB`,
    );
    await bystander.progress(5, 5000);
    raw.destroy();
    await session.closed;
    expect(session.mux.channelCount).toBe(0);
    const seen = await bystander.stop();
    expect(seen.failures).toEqual([]);
  });

  test(`calls in flight: at most maxInFlight (${MAX_IN_FLIGHT}) run; the rest are answered 429 at once`, async () => {
    const bystander = await Bystander.start(stack.url);
    const raw = await RawPeer.handshaken(stack.url, 'flooder');
    const session = await stack.session('flooder');
    const calls = MAX_IN_FLIGHT + 40;
    await openMany(raw, 0, calls);
    const confirms = raw.frames.filter((f) => f.type === 101) as { recipientId: number; senderId: number }[];
    const holdingBefore = stack.stats.holding;
    await raw.write(Buffer.concat(confirms.map((c) => frames.data(c.senderId, requestBytes('PUT', '/hold', null)))));
    await until(() => stack.stats.holding === holdingBefore + MAX_IN_FLIGHT, 5000, 'maxInFlight handlers holding');
    // The other 40 got their answer: 429, each on its own channel.
    await until(() => raw.frames.filter((f) => f.type === 104).length >= 40, 5000, 'forty replies');
    const replies = raw.frames.filter((f) => f.type === 104) as { data: Uint8Array }[];
    for (const reply of replies) expect(new TextDecoder().decode(reply.data)).toMatch(/status,3:429#/);
    expect(session.inFlight).toBe(MAX_IN_FLIGHT);
    await bystander.progress(5, 5000);
    raw.destroy();
    await session.closed;
    await until(() => stack.stats.holding === holdingBefore, 5000, 'the held handlers aborted');
    const seen = await bystander.stop();
    expect(seen.failures).toEqual([]);
  });

  test('incomplete requests: each channel buffers up to maxMessageBytes (a longer one is 413); their sum is bounded only by the channel count', async () => {
    const bystander = await Bystander.start(stack.url);
    const raw = await RawPeer.handshaken(stack.url, 'hoarder-2');
    const session = await stack.session('hoarder-2');
    const CHANNELS = 16;
    await openMany(raw, 0, CHANNELS + 1);
    const confirms = raw.frames.filter((f) => f.type === 101) as { recipientId: number; senderId: number }[];
    const held = process.memoryUsage().arrayBuffers;
    // Each request: a HEADER, then a BODY frame that claims MAX_MESSAGE - 64 bytes and never ends.
    const claimed = MAX_MESSAGE - 64;
    const head = requestBytes('PUT', '/echo', null).subarray(0, -3); // the request without its BODY frame
    const prefix = new Uint8Array([...head, ...new TextEncoder().encode(`${claimed}:`)]);
    const filler = new Uint8Array(64 * 1024).fill(0x61);
    const PER_CHANNEL = 31; // 31 × 64 KiB: ~1.9 MiB each, past the 1 MiB window: the reader returns window as it buffers
    for (const c of confirms.slice(0, CHANNELS)) {
      await raw.write(frames.data(c.senderId, prefix));
      for (let i = 0; i < PER_CHANNEL; i++) await raw.write(frames.data(c.senderId, filler));
    }
    await until(() => process.memoryUsage().arrayBuffers - held >= CHANNELS * PER_CHANNEL * filler.length * 0.75, 5000, 'the server buffering the partial requests');
    console.log(
      `incomplete requests: ${CHANNELS} channels made the server buffer ~${((process.memoryUsage().arrayBuffers - held) / 2 ** 20).toFixed(0)} MiB ` +
        `(no call admitted: session.inFlight ${session.inFlight}); at the defaults the bound is maxChannels × maxMessageBytes`,
    );
    expect(session.inFlight).toBe(0);
    // A request that claims more than maxMessageBytes is answered 413 from its length prefix.
    const last = confirms[CHANNELS]!;
    await raw.write(frames.data(last.senderId, new Uint8Array([...head, ...new TextEncoder().encode(`${MAX_MESSAGE * 2}:`)])));
    const reply = await raw.waitFrame((f) => f.type === 104 && f.recipientId === last.recipientId, 5000, 'the 413');
    expect(new TextDecoder().decode((reply as { data: Uint8Array }).data)).toMatch(/status,3:413#/);
    await bystander.progress(5, 5000);
    raw.destroy();
    await session.closed;
    const seen = await bystander.stop();
    expect(seen.failures).toEqual([]);
  });
});
