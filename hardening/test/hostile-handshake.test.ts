/**
 * Hostile peers during the handshake, over a real TCP socket (spec/rpc.md §1.2, §1.3): garbage
 * instead of a hello, a length prefix of 999,999,999, a huge HEADER, a hello trickled one byte at
 * a time, a peer that vanishes mid-hello. Each is denied with a code (or dropped when it is gone),
 * the connection closes, the server keeps serving, and a bystander's calls all succeed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RpcSession } from '@petrichor/rpc';
import { encodeMessage, type Value } from '@petrichor/wire';
import { watchedByBystander } from './helpers/bystander.js';
import { RawPeer, frames, helloBytes, requestBytes } from './helpers/raw-peer.js';
import { startStack, type Stack } from './helpers/stack.js';
import { sleep, until, within } from './helpers/wait.js';

/** Short, so that a trickling peer hits it within the test. */
const HANDSHAKE_TIMEOUT_MS = 400;

let stack: Stack;
let peer: RawPeer | undefined;

beforeAll(async () => {
  stack = await startStack('tcp://127.0.0.1:0', { handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });
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

/** Connects a raw peer; returns it and what the server's `serve()` of its connection resolves with. */
async function connectRaw(): Promise<{ raw: RawPeer; served: Promise<RpcSession | null> }> {
  const before = stack.handshakes.length;
  peer = await RawPeer.connect(stack.url);
  await until(() => stack.handshakes.length > before, 5000, 'the server accepting the connection');
  return { raw: peer, served: stack.handshakes[before]! };
}

/** The denial the raw peer got: its code and reason. */
async function denial(raw: RawPeer): Promise<{ code: Value; reason: Value }> {
  const answer = await raw.waitAnswer();
  const header = answer.header as Record<string, Value>;
  expect(header['petrichor']).toBe(1);
  expect(header['allowed']).toBe(false);
  return { code: header['code']!, reason: answer.body };
}

describe('a hostile hello is denied and its connection closed (spec/rpc.md §1.2, §1.3)', () => {
  test('garbage instead of a handshake (an HTTP request): 400, closed', async () => {
    const { raw, served } = await connectRaw();
    await raw.write(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n'));
    const { code, reason } = await denial(raw);
    expect(code).toBe(400);
    expect(String(reason)).toMatch(/malformed handshake/);
    await raw.waitClosed(5000);
    expect(await within(served, 5000, 'serve() settling')).toBeNull();
  });

  test('a length prefix of 999,999,999: 400 from the first 10 bytes, nothing more read', async () => {
    const { raw, served } = await connectRaw();
    await raw.write(new TextEncoder().encode('999999999:'));
    const { code, reason } = await denial(raw);
    expect(code).toBe(400);
    expect(String(reason)).toMatch(/maxHeaderBytes exceeded: 1000000010 > 65536/);
    await raw.waitClosed(5000);
    expect(await served).toBeNull();
  });

  test('a huge handshake HEADER (a 1 MiB user name, past the 64 KiB limit): 400, closed', async () => {
    const { raw, served } = await connectRaw();
    const huge = encodeMessage({ petrichor: 1, user: 'u'.repeat(1 << 20), ident: 'x', version: '0', codec: 'tnetstring' }, null);
    void raw.write(huge); // the server may close before it has taken it all
    const { code, reason } = await denial(raw);
    expect(code).toBe(400);
    expect(String(reason)).toMatch(/maxHeaderBytes exceeded: \d+ > 65536/);
    await raw.waitClosed(5000);
    expect(await served).toBeNull();
    expect(raw.receivedBytes).toBeLessThan(1000); // one short denial, nothing echoed back
  });

  test('a hello trickled one byte every 20 ms: the handshake deadline is total, not per byte (408)', async () => {
    const { raw, served } = await connectRaw();
    const hello = helloBytes('trickler');
    let sent = 0;
    // Bounded: at most the hello's length, and it stops once the server has answered.
    for (; sent < hello.length && raw.answer === null && !raw.socket.destroyed; sent++) {
      await raw.write(hello.subarray(sent, sent + 1));
      await sleep(20);
    }
    const { code } = await denial(raw);
    expect(code).toBe(408);
    expect(sent).toBeLessThan(hello.length); // cut off while still trickling
    await raw.waitClosed(5000);
    expect(await served).toBeNull();
  });

  test('a peer that vanishes mid-hello: no answer, serve() resolves null, nothing left behind', async () => {
    const { raw, served } = await connectRaw();
    const hello = helloBytes('vanisher');
    await raw.write(hello.subarray(0, hello.length >> 1));
    raw.destroy();
    expect(await within(served, 5000, 'serve() settling')).toBeNull();
    expect([...stack.server.sessions].some((s) => s.peer.user === 'vanisher')).toBe(false);
  });
});

describe('a peer that trickles, but completes in time, is served correctly', () => {
  test('a hello and then a call, each written one byte per TCP write: the answer is right', async () => {
    const patient = await startStack('tcp://127.0.0.1:0', { handshakeTimeoutMs: 10_000 });
    try {
      const raw = (peer = await RawPeer.connect(patient.url));
      const bytes = (all: Uint8Array) => Array.from(all, (_, i) => all.subarray(i, i + 1));
      for (const byte of bytes(helloBytes('slow'))) await raw.write(byte);
      const answer = await raw.waitAnswer();
      expect((answer.header as Record<string, Value>)['allowed']).toBe(true);
      const call = Buffer.concat([
        frames.open(0, 1 << 20, 1 << 16),
        frames.data(0, requestBytes('PUT', '/echo', 'one byte at a time')),
        frames.eof(0),
      ]);
      // The DATA goes to the server's id for the channel: with no other channel it is 0.
      for (const byte of bytes(call)) await raw.write(byte);
      const reply = await raw.waitFrame((f) => f.type === 104 && f.recipientId === 0, 5000, 'the reply');
      expect(new TextDecoder().decode((reply as { data: Uint8Array }).data)).toContain('one byte at a time');
    } finally {
      await patient.close();
    }
  });
});
