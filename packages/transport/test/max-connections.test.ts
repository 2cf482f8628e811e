/**
 * `maxConnections`: a listener over its cap refuses new connections at once, before any session
 * work, counts them in `refused`, and takes connections again once one ends; over every transport
 * (spec/transports.md §3, §5.2, §6).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, type ByteStream } from '@petrichor/mux';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connect, listen, TRANSPORT_DEFAULTS, TransportError, type Listener } from '@petrichor/transport/node';
import { echo, KINDS, readAll, until, type Kind } from './helpers/kinds.js';
import { rawUpgrade } from './helpers/upgrade.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ptr-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Opens a channel, sends `text`, and returns what the echo sends back. */
async function roundTrip(session: Session, text: string): Promise<string> {
  const channel = await session.open();
  await channel.write(new TextEncoder().encode(text));
  await channel.closeWrite();
  return new TextDecoder().decode(await readAll(channel));
}

/**
 * One connection attempt: the session if it carries an echo, else how it was refused: `connect`
 * rejecting (its error), or (tcp, unix: the kernel accepts before Node can refuse) the session
 * ending before its first channel opens.
 */
async function attempt(kind: Kind, url: string, options: object): Promise<Session | Error> {
  let stream: ByteStream;
  try {
    stream = await kind.connect(url, options);
  } catch (error) {
    return error as Error;
  }
  const session = new Session(stream);
  try {
    expect(await roundTrip(session, 'ping')).toBe('ping');
    return session;
  } catch (error) {
    session.close();
    return error as Error;
  }
}

/** How each transport refuses: tcp and unix accept in the kernel, then the socket is closed at once. */
function expectRefusal(kind: Kind, outcome: Session | Error): void {
  expect(outcome).toBeInstanceOf(Error);
  if (kind.name === 'tcp' || kind.name === 'unix') {
    // The session ended under the open: a clean end (FIN) or a reset, as the kernel saw it.
    expect(['MUX_SESSION_CLOSED', 'MUX_TRANSPORT']).toContain((outcome as { code?: unknown }).code);
  } else if (kind.name === 'tls') {
    // Closed before the TLS handshake: the client sees the server hang up mid-handshake.
    expect(outcome).toBeInstanceOf(TransportError);
    expect(outcome).toMatchObject({ code: 'TRANSPORT_TLS' });
  } else {
    expect(outcome).toBeInstanceOf(TransportError);
    expect(outcome).toMatchObject({ code: 'TRANSPORT_REFUSED' });
    // The Node client reports the status; the browser-safe one only sees the connection fail.
    if (kind.name.startsWith('ws') && !kind.name.includes('browser')) expect((outcome as Error).message).toContain('HTTP 503');
  }
}

describe.each(KINDS)('maxConnections over $name', (kind) => {
  test('a cap of 2: a third connection is refused while two live, and accepted once one ends', async () => {
    const setup = await kind.setup(dir);
    const served: Session[] = [];
    const listener: Listener = await listen(setup.url, { ...setup.listen, maxConnections: 2 }, (stream) => {
      const session = new Session(stream);
      served.push(session);
      echo(session);
    });
    const clients: Session[] = [];
    try {
      for (const name of ['a', 'b']) {
        const outcome = await attempt(kind, listener.url, setup.connect);
        expect(outcome).toBeInstanceOf(Session);
        clients.push(outcome as Session);
        expect(await roundTrip(outcome as Session, name)).toBe(name);
      }
      const [a, b] = clients as [Session, Session];
      expect(listener.connections).toBe(2);
      expect(listener.refused).toBe(0);

      expectRefusal(kind, await attempt(kind, listener.url, setup.connect));
      expect(listener.refused).toBe(1);
      // The accepted ones never noticed; the refused one never reached the application.
      expect(await roundTrip(a, 'bystander')).toBe('bystander');
      expectRefusal(kind, await attempt(kind, listener.url, setup.connect));
      expect(listener.refused).toBe(2);
      expect(served).toHaveLength(2);
      expect(listener.connections).toBe(2);

      // One ends: its slot is free once its socket has closed on the server too, a moment after
      // the stream ended; until then a new connection is still refused (bounded retries, counted).
      b.close();
      expect(await until(() => listener.connections === 1)).toBe(true);
      let third: Session | Error = new Error('not tried');
      let misses = 0;
      for (let i = 0; i < 50 && !(third instanceof Session); i++) {
        third = await attempt(kind, listener.url, setup.connect);
        if (!(third instanceof Session)) misses++;
      }
      expect(third).toBeInstanceOf(Session);
      clients.push(third as Session);
      expect(await roundTrip(third as Session, 'c')).toBe('c');
      expect(listener.refused).toBe(2 + misses);
      expect(await roundTrip(a, 'still here')).toBe('still here');
      expect(served).toHaveLength(3);
    } finally {
      for (const session of clients) session.close();
      for (const session of served) session.close();
      await listener.close({ graceMs: 0 });
    }
  });
});

/** Connects until accepted (a slot frees once the server's socket has closed, a moment after its stream ended); bounded. */
async function acceptedAgain(kind: Kind, url: string, options: object): Promise<Session> {
  let outcome: Session | Error = new Error('not tried');
  for (let i = 0; i < 50 && !(outcome instanceof Session); i++) outcome = await attempt(kind, url, options);
  expect(outcome).toBeInstanceOf(Session);
  return outcome as Session;
}

describe.each(KINDS)('maxConnections over $name: who frees a slot', (kind) => {
  test('a session the server ends frees its slot', async () => {
    const setup = await kind.setup(dir);
    const served: Session[] = [];
    const listener = await listen(setup.url, { ...setup.listen, maxConnections: 1 }, (stream) => {
      const session = new Session(stream);
      served.push(session);
      echo(session);
    });
    const clients: Session[] = [];
    try {
      clients.push(await acceptedAgain(kind, listener.url, setup.connect));
      expectRefusal(kind, await attempt(kind, listener.url, setup.connect));
      served[0]!.close();
      await clients[0]!.closed;
      clients.push(await acceptedAgain(kind, listener.url, setup.connect));
      expect(await roundTrip(clients[1]!, 'next')).toBe('next');
    } finally {
      for (const session of clients) session.close();
      for (const session of served) session.close();
      await listener.close({ graceMs: 0 });
    }
  });
});

test('tls://: a connection still in its TLS handshake holds a slot, and frees it when it goes', async () => {
  const tls = KINDS.find((kind) => kind.name === 'tls')!;
  const setup = await tls.setup(dir);
  const listener = await listen(setup.url, { ...setup.listen, maxConnections: 1 }, (stream) => echo(new Session(stream)));
  const silent = net.connect(Number(new URL(listener.url).port), '127.0.0.1'); // never sends its ClientHello
  silent.on('error', () => {});
  let client: Session | undefined;
  try {
    await new Promise((resolve) => silent.once('connect', resolve));
    expectRefusal(tls, await attempt(tls, listener.url, setup.connect));
    expect(listener.refused).toBe(1);
    expect(listener.connections).toBe(0); // no stream yet: the silent one is still in its handshake
    silent.destroy();
    client = await acceptedAgain(tls, listener.url, setup.connect);
  } finally {
    silent.destroy();
    client?.close();
    await listener.close({ graceMs: 0 });
  }
});

test('ws://: a connection to the listener\'s own server that asks for no upgrade takes no slot', async () => {
  const listener = await listen('ws://127.0.0.1:0/qmux', { maxConnections: 1 }, (stream) => echo(new Session(stream)));
  const idle = net.connect(Number(new URL(listener.url).port), '127.0.0.1');
  idle.on('error', () => {});
  let client: Session | undefined;
  try {
    await new Promise((resolve) => idle.once('connect', resolve));
    client = new Session(await connect(listener.url));
    expect(await roundTrip(client, 'taken')).toBe('taken');
    expect(listener.refused).toBe(0);
  } finally {
    idle.destroy();
    client?.close();
    await listener.close({ graceMs: 0 });
  }
});

test("ws://: the listener's own server holds at most twice maxConnections sockets, upgraded or not", async () => {
  const listener = await listen('ws://127.0.0.1:0/qmux', { maxConnections: 2 }, (stream) => echo(new Session(stream)));
  const port = Number(new URL(listener.url).port);
  const sockets: net.Socket[] = [];
  let client: Session | undefined;
  try {
    client = new Session(await connect(listener.url));
    for (let i = 0; i < 3; i++) {
      const socket = net.connect(port, '127.0.0.1'); // asks for nothing
      socket.on('error', () => {});
      sockets.push(socket);
      await new Promise((resolve) => socket.once('connect', resolve));
    }
    // Four sockets: the next one is closed unread, and counted.
    const fifth = net.connect(port, '127.0.0.1');
    fifth.on('error', () => {});
    sockets.push(fifth);
    let heard = '';
    fifth.on('data', (chunk) => void (heard += String(chunk)));
    await new Promise((resolve) => fifth.once('close', resolve));
    expect(heard).toBe('');
    expect(listener.refused).toBe(1);
    expect(await roundTrip(client, 'bystander')).toBe('bystander');
    // Once the idle ones go, upgrades are taken again up to the cap.
    for (const socket of sockets) socket.destroy();
    const second = await acceptedAgain(KINDS.find((kind) => kind.name === 'ws')!, listener.url, {});
    second.close();
  } finally {
    for (const socket of sockets) socket.destroy();
    client?.close();
    await listener.close({ graceMs: 0 });
  }
});

describe('maxConnections on ws://, on the wire', () => {
  test('an upgrade over the cap is answered 503 with Retry-After, before upgrading', async () => {
    const listener = await listen('ws://127.0.0.1:0/qmux', { maxConnections: 1 }, (stream) => echo(new Session(stream)));
    const live = new Session(await connect(listener.url));
    try {
      const answer = await rawUpgrade(Number(new URL(listener.url).port), '/qmux');
      expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
      expect(answer.toLowerCase()).toContain('\r\nretry-after: 5\r\n');
      expect(answer).not.toMatch(/sec-websocket-accept/i);
      expect(listener.refused).toBe(1);
      expect(await roundTrip(live, 'bystander')).toBe('bystander');
    } finally {
      live.close();
      await listener.close({ graceMs: 0 });
    }
  });

  test("on a shared http.Server the cap counts only the listener's upgrades: the application's requests go on", async () => {
    const site = http.createServer((_request, response) => response.end('the page'));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const listener = await listen('ws://127.0.0.1/rpc', { server: site, maxConnections: 1 }, (stream) => echo(new Session(stream)));
    const live = new Session(await connect(listener.url));
    try {
      const port = (site.address() as AddressInfo).port;
      expect((await rawUpgrade(port, '/rpc')).split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
      const page = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } });
      expect(await page.text()).toBe('the page');
      expect(listener.refused).toBe(1);
      expect(await roundTrip(live, 'bystander')).toBe('bystander');
    } finally {
      live.close();
      await listener.close({ graceMs: 0 });
      site.closeAllConnections();
      await new Promise((resolve) => site.close(resolve));
    }
  });
});

describe('maxConnections, the option', () => {
  test('defaults to TRANSPORT_DEFAULTS.maxConnections (2,048)', () => {
    expect(TRANSPORT_DEFAULTS.maxConnections).toBe(2048);
  });

  test.each(['mem://cap-option', 'tcp://127.0.0.1:0', 'ws://127.0.0.1:0/qmux'])('%s: bad values are a RangeError, nothing listens', async (url) => {
    for (const bad of [0, -1, 1.5, Number.NaN, -Infinity, 2 ** 53]) {
      await expect(listen(url, { maxConnections: bad }, () => {})).rejects.toThrow(RangeError);
    }
    // Nothing was left bound: the same URL (a mem name) can be listened on.
    const listener = await listen(url, { maxConnections: Infinity }, () => {});
    expect(listener.refused).toBe(0);
    await listener.close({ graceMs: 0 });
  });

  test('Infinity: no cap (more connections than a cap of 1 would take)', async () => {
    const served: Session[] = [];
    const listener = await listen('tcp://127.0.0.1:0', { maxConnections: Infinity }, (stream) => {
      const session = new Session(stream);
      served.push(session);
      echo(session);
    });
    const sockets: net.Socket[] = [];
    try {
      const port = Number(new URL(listener.url).port);
      for (let i = 0; i < 5; i++) {
        const socket = net.connect(port, '127.0.0.1');
        sockets.push(socket);
        await new Promise((resolve) => socket.once('connect', resolve));
      }
      expect(await until(() => listener.connections === 5)).toBe(true);
      expect(listener.refused).toBe(0);
    } finally {
      for (const socket of sockets) socket.destroy();
      for (const session of served) session.close();
      await listener.close({ graceMs: 0 });
    }
  });
});
