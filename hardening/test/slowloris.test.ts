/**
 * Peers that never read, over a real TCP socket (spec/qmux.md §4, §5.3, §6.2): their calls' replies
 * fill the socket and the server stops producing (memory bounded); a silent one is ended by
 * keepalive (`MUX_KEEPALIVE_TIMEOUT`), one that keeps sending by the outbox bound
 * (`MUX_TRANSPORT`). Handlers are aborted, and a bystander's calls all succeed meanwhile.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConnectionLostError } from '@petrichor/rpc';
import { watchedByBystander } from './helpers/bystander.js';
import { expectSessionEnded } from './helpers/expect.js';
import { RawPeer, frames, requestBytes } from './helpers/raw-peer.js';
import { startStack, type Stack } from './helpers/stack.js';
import { steady, until } from './helpers/wait.js';

const CALLS = 16;
const KIB_PER_CALL = 16 * 1024; // 16 MiB asked for by each call: 256 MiB in all
const MAX_QUEUED = 256 * 1024;

let stack: Stack;
let peer: RawPeer | undefined;
let users = 0;

beforeAll(async () => {
  stack = await startStack('tcp://127.0.0.1:0', {
    mux: { keepaliveIntervalMs: 500, keepaliveTimeoutMs: 500, maxQueuedBytes: MAX_QUEUED, maxChannels: 1024 },
  });
});
afterAll(async () => {
  await stack.close();
});
// Calls made during each attack and after it must all succeed, with the right answers.
watchedByBystander(
  () => stack.url,
  () => {
    peer?.destroy();
    peer = undefined;
  },
);

/**
 * A peer past the handshake with `CALLS` calls for big streamed replies sent, each on a channel
 * it opened with the largest window (so only the socket holds the server back), then stops reading.
 */
async function reader() {
  const user = `sloth-${++users}`;
  const raw = (peer = await RawPeer.handshaken(stack.url, user));
  const session = await stack.session(user);
  const opens: Uint8Array[] = [];
  for (let id = 0; id < CALLS; id++) opens.push(frames.open(id, 0xffff_ffff, 1 << 16));
  await raw.write(Buffer.concat(opens));
  await until(() => raw.frames.filter((f) => f.type === 101).length === CALLS, 5000, 'every channel confirmed');
  raw.socket.pause(); // from here on it reads nothing: the kernel buffers fill, then TCP's window closes
  const calls = raw.frames
    .filter((f) => f.type === 101)
    .map((f) => Buffer.concat([frames.data((f as { senderId: number }).senderId, requestBytes('GET', `/blob/${KIB_PER_CALL}`, null)), frames.eof((f as { senderId: number }).senderId)]));
  await raw.write(Buffer.concat(calls));
  return { raw, session };
}

describe('a peer that never reads its replies (slowloris)', () => {
  test('silent: production stops at what the socket holds, and keepalive ends the session', async () => {
    const before = stack.stats.produced;
    const abortsBefore = stack.stats.aborts.length;
    const { raw, session } = await reader();
    await expectSessionEnded(session, 'MUX_KEEPALIVE_TIMEOUT', /nothing received/, 10_000);
    // Its socket is dropped too, with what was queued for it (mux/node close(): 2 s without progress).
    await raw.waitDropped(10_000);
    const produced = (await steady(() => stack.stats.produced, 200, 5000)) - before;
    console.log(`slowloris (silent): ${(produced / 2 ** 20).toFixed(1)} MiB produced of ${(CALLS * KIB_PER_CALL) / 1024} MiB asked before the session ended`);
    expect(produced).toBeLessThan(48 * 2 ** 20);
    expect(stack.stats.aborts.length).toBe(abortsBefore); // /blob handlers see their writes fail, not a signal
  });

  test('still sending (a flood of OPENs, never reading the answers): the session ends with MUX_TRANSPORT', async () => {
    const { raw, session } = await reader();
    let ended = false;
    void session.closed.then(() => (ended = true));
    const batch = Buffer.concat(Array.from({ length: 5000 }, (_, i) => frames.open(1000 + i, 1 << 20, 1 << 16)));
    let sent = 0;
    // Bounded: at most 2,000 batches (130 MB); it stops as soon as the server has ended the session.
    for (let i = 0; i < 2000 && !ended && !raw.socket.destroyed; i++) {
      raw.socket.write(batch);
      sent += batch.length;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const error = await expectSessionEnded(session, 'MUX_TRANSPORT', /blocked|queued/, 10_000);
    console.log(`slowloris (flooding): ended after ${(sent / 2 ** 20).toFixed(1)} MiB of OPENs sent: ${error.message}`);
    await raw.waitDropped(10_000);
    expect(session.mux.channelCount).toBe(0);
  });

  test('its handlers are aborted when it goes: none keeps running for a dead peer', async () => {
    const user = `sloth-${++users}`;
    const raw = (peer = await RawPeer.handshaken(stack.url, user));
    const session = await stack.session(user);
    const opens = Array.from({ length: 4 }, (_, id) => frames.open(id, 1 << 20, 1 << 16));
    await raw.write(Buffer.concat(opens));
    await until(() => raw.frames.filter((f) => f.type === 101).length === 4, 5000, 'the channels confirmed');
    raw.socket.pause();
    const holds = raw.frames.filter((f) => f.type === 101).map((f) => frames.data((f as { senderId: number }).senderId, requestBytes('PUT', '/hold', null)));
    const abortsBefore = stack.stats.aborts.length;
    await raw.write(Buffer.concat(holds));
    await until(() => stack.stats.holding === 4, 5000, 'four handlers holding');
    await expectSessionEnded(session, 'MUX_KEEPALIVE_TIMEOUT', /nothing received/, 10_000);
    await until(() => stack.stats.holding === 0, 5000, 'the handlers aborted');
    const aborts = stack.stats.aborts.slice(abortsBefore);
    expect(aborts).toHaveLength(4);
    for (const reason of aborts) expect(reason).toBeInstanceOf(ConnectionLostError);
  });
});
