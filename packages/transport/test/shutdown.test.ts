/** Graceful shutdown of a listener, over every transport (spec/transports.md §8). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TransportError } from '@petrichor/transport/node';
import { echo, KINDS, pair, readAll, sleep, until } from './helpers/kinds.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ptr-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(KINDS)('spec/transports.md §8 shutdown, over $name', (kind) => {
  test('close() stops accepting at once and lets a stream in flight finish within the grace period', async () => {
    const p = await pair(kind, dir);
    echo(p.server);
    const channel = await p.client.open();
    let closed = false;
    const closing = p.listener.close({ graceMs: 10_000 }).then(() => (closed = true));
    // New connections are turned away …
    const setup = await kind.setup(dir);
    await expect(kind.connect(p.listener.url, setup.connect)).rejects.toMatchObject({ code: 'TRANSPORT_REFUSED' });
    // … while the one in flight carries on.
    await channel.write(new TextEncoder().encode('still here'));
    await channel.closeWrite();
    expect(new TextDecoder().decode(await readAll(channel))).toBe('still here');
    await sleep(20);
    expect(closed).toBe(false);
    expect(p.listener.connections).toBe(1);
    // Once it ends, close() resolves without waiting out the grace period.
    p.client.close();
    await closing;
    expect(p.listener.connections).toBe(0);
    expect(await p.server.closed).toBeUndefined();
  });

  test('streams still open when the grace period ends are closed with TRANSPORT_CLOSED', async () => {
    const p = await pair(kind, dir);
    echo(p.server);
    const started = Date.now();
    await p.listener.close({ graceMs: 100 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(p.listener.connections).toBe(0);
    const error = await p.server.closed;
    expect(error).toMatchObject({ code: 'MUX_TRANSPORT' });
    expect((error as Error).cause).toBeInstanceOf(TransportError);
    expect((error as Error).cause).toMatchObject({ code: 'TRANSPORT_CLOSED' });
    // The client hears the connection go, one way or another, and its session ends.
    await p.client.closed;
    await expect(p.client.open()).rejects.toBeDefined();
  });

  test('close() is idempotent and graceMs: 0 closes at once', async () => {
    const p = await pair(kind, dir);
    const first = p.listener.close({ graceMs: 0 });
    expect(p.listener.close()).toBe(first);
    await first;
    expect(await until(() => p.listener.connections === 0)).toBe(true);
    await p.client.closed;
  });
});
