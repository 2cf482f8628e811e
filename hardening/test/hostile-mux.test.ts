/**
 * Hostile peers after the handshake, over a real TCP socket (spec/qmux.md §6.1, §5.2): a peer
 * that breaks qmux ends its own session with a typed error (`MUX_PROTOCOL`), the server keeps
 * serving, and a bystander on another connection keeps calling with every call correct.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConnectionLostError, type RpcSession } from '@petrichor/rpc';
import { watchedByBystander } from './helpers/bystander.js';
import { expectSessionEnded } from './helpers/expect.js';
import { RawPeer, frames, requestBytes } from './helpers/raw-peer.js';
import { startStack, type Stack } from './helpers/stack.js';
import { until } from './helpers/wait.js';

const WINDOW = 1 << 20; // the server's default window
const MAX_PACKET = 1 << 16; // and max packet

let stack: Stack;
let peer: RawPeer | undefined;
let users = 0;

beforeAll(async () => {
  stack = await startStack('tcp://127.0.0.1:0', { mux: { maxChannels: 64 } });
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

/** A hostile peer past the handshake, and the server's session of it. */
async function hostile(): Promise<{ peer: RawPeer; session: RpcSession }> {
  const user = `mallory-${++users}`;
  peer = await RawPeer.handshaken(stack.url, user);
  return { peer, session: await stack.session(user) };
}

/** Opens channel `id` from the hostile side and waits for the server's confirm; returns the server's id. */
async function openChannel(raw: RawPeer, id: number, window = WINDOW): Promise<number> {
  await raw.write(frames.open(id, window, MAX_PACKET));
  const confirm = await raw.waitFrame((f) => f.type === 101 && f.recipientId === id, 5000, `the confirm of channel ${id}`);
  return (confirm as { senderId: number }).senderId;
}

describe('a peer that breaks qmux ends only its own session (spec/qmux.md §6.1)', () => {
  test('it ignores the window: DATA past the 1 MiB window the server advertised', async () => {
    const { peer: raw, session } = await hostile();
    const channel = await openChannel(raw, 0);
    // A call whose handler holds: the server reads the request, then nothing more on the channel.
    await raw.write(frames.data(channel, requestBytes('PUT', '/hold', null)));
    await until(() => stack.stats.holding === 1, 5000, 'the held handler running');
    const chunk = new Uint8Array(MAX_PACKET).fill(0x78);
    for (let sent = 0; sent <= WINDOW; sent += MAX_PACKET) await raw.write(frames.data(channel, chunk));
    await expectSessionEnded(session, 'MUX_PROTOCOL', /past the window/);
    await raw.waitClosed(5000);
    // The held handler heard the end of its session.
    await until(() => stack.stats.holding === 0, 5000, 'the held handler aborted');
    expect(stack.stats.aborts.at(-1)).toBeInstanceOf(ConnectionLostError);
  });

  test('it sends DATA on a channel it never opened', async () => {
    const { peer: raw, session } = await hostile();
    await raw.write(frames.data(77, requestBytes('PUT', '/echo', 'x')));
    await expectSessionEnded(session, 'MUX_PROTOCOL', /channel 77, which is not open/);
    await raw.waitClosed(5000);
  });

  test('it sends a message type that does not exist', async () => {
    const { peer: raw, session } = await hostile();
    await raw.write(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'));
    await expectSessionEnded(session, 'MUX_PROTOCOL', /unknown message number 71/);
    await raw.waitClosed(5000);
  });

  test('it sends an oversized packet: DATA over the max packet, refused from its header', async () => {
    const { peer: raw, session } = await hostile();
    const channel = await openChannel(raw, 0);
    await raw.write(frames.dataHeader(channel, MAX_PACKET + 1));
    await expectSessionEnded(session, 'MUX_PROTOCOL', /DATA of 65537 bytes exceeds the max packet of 65536/);
    await raw.waitClosed(5000);
  });

  test('it claims a payload of 999,999,999 bytes: refused from the 9-byte header, nothing allocated', async () => {
    const { peer: raw, session } = await hostile();
    const channel = await openChannel(raw, 0);
    const heap = process.memoryUsage().arrayBuffers;
    await raw.write(frames.dataHeader(channel, 999_999_999));
    await expectSessionEnded(session, 'MUX_PROTOCOL', /DATA of 999999999 bytes exceeds the max packet/);
    await raw.waitClosed(5000);
    expect(process.memoryUsage().arrayBuffers - heap).toBeLessThan(64 << 20);
  });

  test('a request whose BODY claims 999,999,999 bytes is answered 413 from its prefix; the session goes on', async () => {
    const { peer: raw, session } = await hostile();
    const channel = await openChannel(raw, 0);
    const head = requestBytes('PUT', '/echo', null).subarray(0, -3); // the request without its BODY frame
    await raw.write(frames.data(channel, new Uint8Array([...head, ...new TextEncoder().encode('999999999:')])));
    const reply = await raw.waitFrame((f) => f.type === 104 && f.recipientId === 0, 5000, 'the 413');
    expect(new TextDecoder().decode((reply as { data: Uint8Array }).data)).toMatch(/status,3:413#/);
    // The same session still answers a good call on another channel.
    const next = await openChannel(raw, 1);
    await raw.write(Buffer.concat([frames.data(next, requestBytes('PUT', '/echo', 'after')), frames.eof(next)]));
    await raw.waitFrame((f) => f.type === 104 && f.recipientId === 1, 5000, 'the reply after the 413');
    expect(stack.server.sessions.has(session)).toBe(true);
  });

  test('it vanishes mid-message: the socket is destroyed halfway through a DATA', async () => {
    const { peer: raw, session } = await hostile();
    const channel = await openChannel(raw, 0);
    const request = frames.data(channel, requestBytes('PUT', '/echo', 'y'.repeat(1000)));
    await raw.write(request.subarray(0, 500));
    raw.destroy();
    // A FIN inside a message is a violation; a reset is a transport failure. Both are typed.
    const error = await session.closed;
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect(['MUX_PROTOCOL', 'MUX_TRANSPORT']).toContain(((error as ConnectionLostError).cause as { code: string }).code);
  });

  test('it vanishes mid-call: the handler running for it is aborted with ConnectionLostError', async () => {
    const { peer: raw, session } = await hostile();
    const channel = await openChannel(raw, 0);
    await raw.write(frames.data(channel, requestBytes('PUT', '/hold', null)));
    await until(() => stack.stats.holding === 1, 5000, 'the held handler running');
    raw.destroy();
    await session.closed;
    await until(() => stack.stats.holding === 0, 5000, 'the held handler aborted');
    expect(stack.stats.aborts.at(-1)).toBeInstanceOf(ConnectionLostError);
  });
});

describe('a peer that opens channels without end is refused, not served (spec/qmux.md §5.2)', () => {
  test('past maxChannels (64 here) every OPEN gets OPEN_FAILURE; its session and its calls go on', async () => {
    const { peer: raw, session } = await hostile();
    const opens: Uint8Array[] = [];
    for (let id = 0; id < 200; id++) opens.push(frames.open(id, WINDOW, MAX_PACKET));
    await raw.write(Buffer.concat(opens));
    await until(() => raw.frames.length >= 200, 5000, 'an answer to every OPEN');
    const confirmed = raw.frames.filter((f) => f.type === 101);
    const refused = raw.frames.filter((f) => f.type === 102);
    expect(confirmed.length).toBe(64);
    expect(refused.length).toBe(136);
    expect(session.mux.channelCount).toBe(64);
    // The session still serves: a call on a confirmed channel is answered.
    const first = confirmed[0] as { recipientId: number; senderId: number };
    await raw.write(Buffer.concat([frames.data(first.senderId, requestBytes('PUT', '/echo', 'still here')), frames.eof(first.senderId)]));
    await raw.waitFrame((f) => f.type === 104 && f.recipientId === first.recipientId, 5000, 'the reply on a confirmed channel');
    expect(stack.server.sessions.has(session)).toBe(true);
  });
});
