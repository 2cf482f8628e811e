/**
 * What one hostile connection can make the server hold, over a real TCP socket, and that each
 * bound holds: idle channels (a server session's default channel limit, 1,024; the heap each
 * costs is measured and printed), calls in flight (`maxInFlight`: the rest are answered 429 at
 * once), requests that never finish (`maxPendingBytes`: past it 429) and a request trickled a
 * byte at a time (`requestTimeoutMs`: 408). A bystander's calls all succeed meanwhile.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SESSION_DEFAULTS } from '@petrichor/rpc';
import { Bystander } from './helpers/bystander.js';
import { RawPeer, frames, requestBytes } from './helpers/raw-peer.js';
import { startStack, type Stack } from './helpers/stack.js';
import { sleep, until } from './helpers/wait.js';
import { sampleHeap } from '../../soak/gc.js';

/** Bytes in ArrayBuffers (where received bytes live) after a full collection. */
function buffersAfterGc(): number {
  sampleHeap(0); // two full collections
  return process.memoryUsage().arrayBuffers;
}

/** The server's default: `mux.maxChannels` is not set here. */
const MAX_CHANNELS = SESSION_DEFAULTS.maxChannels;
const MAX_IN_FLIGHT = 32;
const MAX_MESSAGE = 2 << 20;
/** Two largest messages of unfinished requests at once. */
const MAX_PENDING = 2 * MAX_MESSAGE;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('tcp://127.0.0.1:0', {
    maxInFlight: MAX_IN_FLIGHT,
    maxPendingBytes: MAX_PENDING,
    limits: { maxMessageBytes: MAX_MESSAGE, maxElementBytes: MAX_MESSAGE },
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
  test(`idle channels: at most the server's default maxChannels (${MAX_CHANNELS}), then OPEN_FAILURE; the heap each one costs`, async () => {
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
        `at a server's default maxChannels (${MAX_CHANNELS}) one connection can hold ~${((perChannel * MAX_CHANNELS) / 2 ** 20).toFixed(1)} MiB ` +
        `(at qmux's 65,536 it was ~${Math.round((perChannel * 65_536) / 2 ** 20)} MiB)`,
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

  test(`incomplete requests: the session holds at most maxPendingBytes (${MAX_PENDING / 2 ** 20} MiB) of them, the rest are answered 429; a longer one is 413`, async () => {
    const bystander = await Bystander.start(stack.url);
    const raw = await RawPeer.handshaken(stack.url, 'hoarder-2');
    const session = await stack.session('hoarder-2');
    const CHANNELS = 16;
    await openMany(raw, 0, CHANNELS + 1);
    const confirms = raw.frames.filter((f) => f.type === 101) as { recipientId: number; senderId: number }[];
    const buffers = buffersAfterGc();
    // Each request: a HEADER, then a BODY frame that claims MAX_MESSAGE - 64 bytes and never ends.
    const claimed = MAX_MESSAGE - 64;
    const head = requestBytes('PUT', '/echo', null).subarray(0, -3); // the request without its BODY frame
    const prefix = new Uint8Array([...head, ...new TextEncoder().encode(`${claimed}:`)]);
    const filler = new Uint8Array(64 * 1024).fill(0x61);
    const PER_CHANNEL = 15; // 15 × 64 KiB: ~0.94 MiB each, inside the 1 MiB window (this peer never reads its WINDOW_ADJUSTs)
    const each = prefix.length + PER_CHANNEL * filler.length;
    const fit = Math.floor(MAX_PENDING / each); // 4 of them; the 5th would pass the budget
    // Bounded: stopped below, after the last write.
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, session.pendingBytes)), 1);
    try {
      for (const c of confirms.slice(0, CHANNELS)) {
        await raw.write(frames.data(c.senderId, prefix));
        for (let i = 0; i < PER_CHANNEL; i++) await raw.write(frames.data(c.senderId, filler));
      }
      const refused = (): { data: Uint8Array }[] =>
        raw.frames.filter((f) => f.type === 104) as { data: Uint8Array }[];
      await until(() => refused().length >= CHANNELS - fit, 5000, `${CHANNELS - fit} requests refused`);
      await until(() => session.pendingBytes === fit * each, 5000, 'the held requests counted, the refused ones given back');
      most = Math.max(most, session.pendingBytes);
      for (const reply of refused()) expect(new TextDecoder().decode(reply.data)).toMatch(/status,3:429#/);
      expect(refused()).toHaveLength(CHANNELS - fit);
    } finally {
      clearInterval(sampler);
    }
    expect(most).toBeLessThanOrEqual(MAX_PENDING);
    expect(session.inFlight).toBe(0);
    // What the server really holds: the held requests' bytes (and little else: both ends are this process).
    const grown = buffersAfterGc() - buffers;
    expect(grown).toBeLessThan(2 * MAX_PENDING);
    console.log(
      `incomplete requests: ${CHANNELS} channels of ~${(each / 2 ** 20).toFixed(2)} MiB each; the session held at most ` +
        `${(most / 2 ** 20).toFixed(2)} MiB (maxPendingBytes ${MAX_PENDING / 2 ** 20} MiB), ${CHANNELS - fit} answered 429; ` +
        `the process's buffers grew ${(grown / 2 ** 20).toFixed(1)} MiB ` +
        `(after a full collection; without the budget all ${CHANNELS}, ~${((CHANNELS * each) / 2 ** 20).toFixed(0)} MiB, were held)`,
    );
    // A request that claims more than maxMessageBytes is answered 413 from its length prefix.
    const last = confirms[CHANNELS]!;
    await raw.write(frames.data(last.senderId, new Uint8Array([...head, ...new TextEncoder().encode(`${MAX_MESSAGE * 2}:`)])));
    const reply = await raw.waitFrame((f) => f.type === 104 && f.recipientId === last.recipientId, 5000, 'the 413');
    expect(new TextDecoder().decode((reply as { data: Uint8Array }).data)).toMatch(/status,3:413#/);
    await bystander.progress(5, 5000);
    raw.destroy();
    await session.closed;
    await until(() => session.pendingBytes === 0, 5000, 'every unfinished request given back');
    const seen = await bystander.stop();
    expect(seen.failures).toEqual([]);
  });

  test('a request trickled a byte at a time: 408 requestTimeoutMs after its first byte, its channel closed; an idle channel is not timed out', async () => {
    const slow = await startStack('tcp://127.0.0.1:0', { requestTimeoutMs: 400 });
    try {
      const bystander = await Bystander.start(slow.url);
      const raw = await RawPeer.handshaken(slow.url, 'trickler');
      const session = await slow.session('trickler');
      await openMany(raw, 0, 2);
      const [idle, trickled] = raw.frames.filter((f) => f.type === 101) as { recipientId: number; senderId: number }[];
      // The idle channel sits open for longer than the timeout: it starts no clock.
      await sleep(600);
      const bytes = requestBytes('PUT', '/echo', 'x'.repeat(200));
      const answered = (): boolean => raw.frames.some((f) => f.type === 104 && f.recipientId === trickled!.recipientId);
      let sent = 0;
      // Bounded: at most one write per byte of the request (~4.5 s); it is cut off long before.
      for (; sent < bytes.length && !answered(); sent++) {
        await raw.write(frames.data(trickled!.senderId, bytes.subarray(sent, sent + 1)));
        await sleep(20);
      }
      const reply = await raw.waitFrame((f) => f.type === 104 && f.recipientId === trickled!.recipientId, 2000, 'the 408');
      expect(new TextDecoder().decode((reply as { data: Uint8Array }).data)).toMatch(/status,3:408#/);
      expect(sent).toBeLessThan(bytes.length);
      await raw.waitFrame((f) => f.type === 106 && f.recipientId === trickled!.recipientId, 2000, 'its CLOSE');
      expect(session.pendingBytes).toBe(0);
      // Nothing was sent on the idle channel, and a whole request on it is served.
      expect(raw.frames.filter((f) => f.type !== 101 && 'recipientId' in f && f.recipientId === idle!.recipientId)).toEqual([]);
      await raw.write(frames.data(idle!.senderId, requestBytes('PUT', '/echo', 'hi')));
      const ok = await raw.waitFrame((f) => f.type === 104 && f.recipientId === idle!.recipientId, 2000, 'the idle channel served');
      expect(new TextDecoder().decode((ok as { data: Uint8Array }).data)).toMatch(/status,3:200#/);
      await bystander.progress(5, 5000);
      raw.destroy();
      await session.closed;
      const seen = await bystander.stop();
      expect(seen.failures).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});
