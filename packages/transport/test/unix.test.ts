import { lstat, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '@petrichor/mux';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect, listen, maxSocketPathBytes, type Listener } from '@petrichor/transport/node';
import { echo, readAll } from './helpers/kinds.js';

let dir: string;
let n = 0;
const fresh = () => join(dir, `u${n++}.sock`);
const url = (path: string) => `unix://${path}`;
const ignore = () => {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ptr-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A socket file nobody listens on: bound, renamed away from under its server, server closed. */
async function staleSocket(path: string): Promise<void> {
  const other = `${path}.tmp`;
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(other, resolve));
  await rename(other, path);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  expect((await lstat(path)).isSocket()).toBe(true);
}

/** A session round trip proving the listener on `path` answers. */
async function roundTrip(path: string): Promise<string> {
  const session = new Session(await connect(url(path)));
  const channel = await session.open();
  await channel.write(new TextEncoder().encode('hello'));
  await channel.closeWrite();
  const text = new TextDecoder().decode(await readAll(channel));
  session.close();
  return text;
}

async function echoListener(path: string, options = {}): Promise<Listener> {
  return listen(url(path), options, (stream) => echo(new Session(stream)));
}

describe('spec/transports.md §3.2 Unix sockets', () => {
  test('the socket file exists while listening and is removed by close()', async () => {
    const path = fresh();
    const listener = await echoListener(path);
    expect(listener.url).toBe(url(path));
    expect((await lstat(path)).isSocket()).toBe(true);
    expect(await roundTrip(path)).toBe('hello');
    await listener.close({ graceMs: 0 });
    await expect(lstat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test.each([0o600, 0o660, 0o666])('mode %o is applied to the socket file before listen() resolves', async (mode) => {
    const path = fresh();
    const listener = await echoListener(path, { mode });
    expect((await lstat(path)).mode & 0o777).toBe(mode);
    await listener.close({ graceMs: 0 });
  });

  test('a mode outside 0 … 0o7777 is a RangeError', async () => {
    await expect(listen(url(fresh()), { mode: 0o10000 }, ignore)).rejects.toBeInstanceOf(RangeError);
  });

  test('a stale socket file (nobody answers) is removed and the path listened on', async () => {
    const path = fresh();
    await staleSocket(path);
    await expect(connect(url(path))).rejects.toMatchObject({ code: 'TRANSPORT_REFUSED' });
    const listener = await echoListener(path);
    expect(await roundTrip(path)).toBe('hello');
    await listener.close({ graceMs: 0 });
  });

  test('a live socket is left alone: TRANSPORT_ADDRESS_IN_USE, and its server still answers', async () => {
    const path = fresh();
    const first = await echoListener(path);
    await expect(listen(url(path), ignore)).rejects.toMatchObject({
      code: 'TRANSPORT_ADDRESS_IN_USE',
      message: expect.stringContaining('a server is listening'),
    });
    expect(await roundTrip(path)).toBe('hello');
    await first.close({ graceMs: 0 });
  });

  test('a path that is not a socket is never removed: TRANSPORT_ADDRESS_IN_USE', async () => {
    const path = fresh();
    await writeFile(path, 'precious');
    await expect(listen(url(path), ignore)).rejects.toMatchObject({
      code: 'TRANSPORT_ADDRESS_IN_USE',
      message: expect.stringContaining('not a socket'),
    });
    expect(await readFile(path, 'utf8')).toBe('precious');
  });

  test(`a path of ${maxSocketPathBytes()} bytes works; one byte more is TRANSPORT_PATH_TOO_LONG before anything is tried`, async () => {
    const max = maxSocketPathBytes();
    const base = join(dir, 'p');
    const longest = base + 'x'.repeat(max - Buffer.byteLength(base));
    expect(Buffer.byteLength(longest)).toBe(max);
    const listener = await echoListener(longest);
    expect(await roundTrip(longest)).toBe('hello');
    await listener.close({ graceMs: 0 });

    const tooLong = `${longest}y`;
    await expect(listen(url(tooLong), ignore)).rejects.toMatchObject({
      code: 'TRANSPORT_PATH_TOO_LONG',
      message: expect.stringContaining(`at most ${max}`),
    });
    await expect(lstat(tooLong)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(connect(url(tooLong))).rejects.toMatchObject({ code: 'TRANSPORT_PATH_TOO_LONG' });
  });

  test('the limit counts bytes, not characters', async () => {
    const max = maxSocketPathBytes();
    const base = join(dir, 'é');
    const path = base + 'é'.repeat(Math.ceil((max - Buffer.byteLength(base)) / 2) + 1);
    expect(path.length).toBeLessThanOrEqual(max);
    await expect(listen(url(path), ignore)).rejects.toMatchObject({ code: 'TRANSPORT_PATH_TOO_LONG' });
  });

  test('the platform limits: 107 bytes on Linux, 103 on macOS', () => {
    expect(maxSocketPathBytes('linux')).toBe(107);
    expect(maxSocketPathBytes('darwin')).toBe(103);
  });

  test('connecting to a path with no socket is TRANSPORT_REFUSED', async () => {
    await expect(connect(url(fresh()))).rejects.toMatchObject({ code: 'TRANSPORT_REFUSED', cause: { code: 'ENOENT' } });
  });

  test('a missing directory is TRANSPORT_ADDRESS_UNAVAILABLE', async () => {
    await expect(listen(url(join(dir, 'no', 'such', 'dir.sock')), ignore)).rejects.toMatchObject({
      code: 'TRANSPORT_ADDRESS_UNAVAILABLE',
    });
  });

  test('a percent-encoded path names the decoded file', async () => {
    const path = join(dir, `a b#${n++}.sock`);
    const listener = await listen(`unix://${path.split('/').map(encodeURIComponent).join('/')}`, ignore);
    expect((await lstat(path)).isSocket()).toBe(true);
    expect(listener.url).toBe(`unix://${path.replaceAll(' ', '%20').replaceAll('#', '%23')}`);
    await listener.close({ graceMs: 0 });
  });
});
