/**
 * The same test body over every transport (spec/transports.md §2): whatever carries it, a mux
 * Session pair behaves the same.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KeepaliveTimeoutError } from '@petrichor/mux';
import { bytes, digest, echo, KINDS, pair, readAll, sleep, until, Vanishing, type Pair } from './helpers/kinds.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ptr-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(KINDS)('spec/transports.md §2 the byte stream, over $name', (kind) => {
  let p: Pair;
  beforeAll(async () => {
    p = await pair(kind, dir);
    echo(p.server);
    echo(p.client);
  });
  afterAll(async () => {
    await p.close();
  });

  test('several channels echo at once, each its own bytes', async () => {
    const sizes = [0, 1, 9, 1000, 65_536, 65_537, 200_000, 333];
    const results = await Promise.all(
      sizes.map(async (size, i) => {
        const channel = await p.client.open();
        const sent = bytes(size, i + 1);
        const received = readAll(channel);
        // Uneven writes, so the transport's chunking never lines up with the messages.
        for (let at = 0; at < size; at += 7_777) await channel.write(sent.subarray(at, at + 7_777));
        await channel.closeWrite();
        const back = await received;
        await channel.close();
        return { sent, back };
      }),
    );
    for (const { sent, back } of results) expect(digest(back)).toBe(digest(sent));
  });

  test('half-close: the reply still arrives after our EOF', async () => {
    const channel = await p.client.open();
    await channel.write(new TextEncoder().encode('ping'));
    await channel.closeWrite();
    await expect(channel.write(new Uint8Array(1))).rejects.toMatchObject({ code: 'MUX_WRITE_AFTER_EOF' });
    expect(new TextDecoder().decode(await readAll(channel))).toBe('ping');
    await channel.close();
  });

  test('a transfer four times the window arrives whole (flow control over the transport)', async () => {
    const size = 4 * p.client.options.windowSize + 123;
    const sent = bytes(size, 99);
    const channel = await p.client.open();
    const received = readAll(channel);
    await channel.write(sent);
    await channel.closeWrite();
    const back = await received;
    expect(digest(back)).toBe(digest(sent));
    await channel.close();
  });

  test('the accepting side opens channels too', async () => {
    const channel = await p.server.open();
    await channel.write(new TextEncoder().encode('from the server'));
    await channel.closeWrite();
    expect(new TextDecoder().decode(await readAll(channel))).toBe('from the server');
    await channel.close();
  });

  test('addresses are reported where the transport knows them', () => {
    if (!kind.addresses) return;
    expect(p.client.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(p.client.localAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(p.server.remoteAddress).toBe(p.client.localAddress);
    expect(p.server.localAddress).toBe(p.client.remoteAddress);
  });

  test('§7 ping() measures a round trip over the transport', async () => {
    const rtt = await p.client.ping();
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(rtt).toBeLessThan(5_000);
    expect(await p.server.ping()).toBeGreaterThanOrEqual(0);
  });

  test('§7 keepalive keeps an idle session up and detects a peer that stops answering', async () => {
    let vanishing!: Vanishing;
    const q = await pair(kind, dir, {
      session: { keepaliveIntervalMs: 40, keepaliveTimeoutMs: 60 },
      serverSession: { keepaliveIntervalMs: 0 },
      wrapServer: (stream) => (vanishing = new Vanishing(stream)),
    });
    // Idle for several intervals: pinged, answered, still up.
    await sleep(200);
    expect(await Promise.race([q.client.closed.then(() => 'ended'), sleep(0).then(() => 'up')])).toBe('up');
    // The server goes silent without closing anything: only keepalive can tell.
    vanishing.dropping = true;
    const error = await q.client.closed;
    expect(error).toBeInstanceOf(KeepaliveTimeoutError);
    expect(error).toMatchObject({ code: 'MUX_KEEPALIVE_TIMEOUT' });
    await q.close();
  });

  test('closing the client ends the server session cleanly and the listener forgets the stream', async () => {
    const q = await pair(kind, dir);
    expect(q.listener.connections).toBe(1);
    const channel = await q.client.open();
    q.client.close();
    expect(await q.client.closed).toBeUndefined();
    expect(await q.server.closed).toBeUndefined();
    await expect(channel.write(new Uint8Array(1))).rejects.toMatchObject({ code: 'MUX_SESSION_CLOSED' });
    expect(await until(() => q.listener.connections === 0)).toBe(true);
    await q.close();
  });

  test('closing the server side ends the client session', async () => {
    const q = await pair(kind, dir);
    const pending = q.client.accept();
    q.server.close();
    const result = await q.client.closed;
    // A clean end where the transport can tell (FIN, close frame, memory pipe).
    expect(result).toBeUndefined();
    await expect(pending).rejects.toMatchObject({ code: 'MUX_SESSION_CLOSED' });
    await q.close();
  });
});
