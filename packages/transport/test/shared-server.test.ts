/**
 * ws:// and wss:// listeners attached to an HTTP server the application runs (`options.server`):
 * the server's own requests answered while rpc calls run over WebSocket on the same port, two
 * paths on one server, upgrades to other paths left alone, close() leaving the server up
 * (spec/transports.md §1, §5.2, §8).
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Session } from '@petrichor/mux';
import { Client, Server } from '@petrichor/rpc';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { connect, listen, WebSocketClosedError, type Listener } from '@petrichor/transport/node';
import { certificates, type Certificates } from './helpers/certs.js';
import { echo, readAll } from './helpers/kinds.js';
import { rawUpgrade } from './helpers/upgrade.js';

/** The application's server: answers every plain request `app <path>`. */
async function appServer(tlsOptions?: { cert: string; key: string }): Promise<http.Server | https.Server> {
  const handler = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`app ${request.url ?? ''}`);
  };
  const server = tlsOptions === undefined ? http.createServer(handler) : https.createServer(tlsOptions, handler);
  server.on('connection', (socket: net.Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (server: net.Server) => (server.address() as AddressInfo).port;

/** Every socket the test servers accepted (upgraded ones too), to drop at the end. */
const sockets = new Set<net.Socket>();

async function closeServer(server: net.Server): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
}

/** The status line of the answer to a raw upgrade request to `path`. */
async function upgradeStatus(port: number, path: string): Promise<string> {
  return (await rawUpgrade(port, path)).split('\r\n')[0] ?? '';
}

/** Says hello on one channel, returns what came back. */
async function hello(session: Session): Promise<string> {
  const channel = await session.open();
  await channel.write(new TextEncoder().encode('hello'));
  await channel.closeWrite();
  return new TextDecoder().decode(await readAll(channel));
}

describe('ws:// on the application server: one port for HTTP and rpc', () => {
  let server: http.Server;
  let listener: Listener;
  const rpc = new Server({ name: 'shared' });
  rpc.route('GET', '/slow/:n', async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return Number(ctx.params['n']);
  });

  beforeAll(async () => {
    server = (await appServer()) as http.Server;
    listener = await listen('ws://127.0.0.1/rpc', { server }, (stream) => void rpc.serve(stream));
  });
  afterAll(async () => {
    await rpc.close({ deadlineMs: 0 });
    await listener.close({ graceMs: 0 });
    await closeServer(server);
  });

  test('listener.url carries the server port, not the URL one, even when the server listens after', async () => {
    expect(listener.url).toBe(`ws://127.0.0.1:${portOf(server)}/rpc`);
    const later = http.createServer();
    const attached = await listen('ws://127.0.0.1/late', { server: later }, () => {});
    expect(attached.url).toBe('ws://127.0.0.1:80/late'); // not listening yet: the URL as given
    await new Promise<void>((resolve) => later.listen(0, '127.0.0.1', resolve));
    expect(attached.url).toBe(`ws://127.0.0.1:${portOf(later)}/late`);
    await attached.close();
    await closeServer(later);
  });

  test('plain HTTP requests are answered while rpc calls run over WebSocket', async () => {
    const client = await Client.connect(await connect(listener.url));
    try {
      const calls = Array.from({ length: 20 }, (_, i) => client.call('GET', `/slow/${i}`));
      const pages = Array.from({ length: 10 }, async (_, i) => (await fetch(`http://127.0.0.1:${portOf(server)}/page/${i}`)).text());
      expect(await Promise.all(pages)).toEqual(Array.from({ length: 10 }, (_, i) => `app /page/${i}`));
      expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      await client.close();
    }
  });

  test('a plain request to the rpc path is the application\'s, not a 426', async () => {
    expect(await (await fetch(`http://127.0.0.1:${portOf(server)}/rpc`)).text()).toBe('app /rpc');
  });

  test('with no other upgrade listener, another path is 404 and a target that is not a URL 400', async () => {
    expect(await upgradeStatus(portOf(server), '/other')).toBe('HTTP/1.1 404 Not Found');
    expect(await upgradeStatus(portOf(server), 'http://[')).toBe('HTTP/1.1 400 Bad Request');
    await expect(connect(`ws://127.0.0.1:${portOf(server)}/other`)).rejects.toMatchObject({ code: 'TRANSPORT_REFUSED' });
  });

  test('a second listener on the same path of the same server: TRANSPORT_ADDRESS_IN_USE', async () => {
    await expect(listen('ws://127.0.0.1/rpc', { server }, () => {})).rejects.toMatchObject({ code: 'TRANSPORT_ADDRESS_IN_USE' });
  });

  test('max payload is enforced as on a listener of its own: a bigger message closes with 1009', async () => {
    const small = await listen('ws://127.0.0.1/small', { server, maxPayload: 1024 }, (stream) => echo(new Session(stream)));
    try {
      const session = new Session(await connect(small.url));
      const channel = await session.open();
      void channel.write(new Uint8Array(4096)).catch(() => {}); // the OPEN fit in 1 KiB; this does not
      const ended = await session.closed;
      expect((ended as Error & { cause?: unknown }).cause).toBeInstanceOf(WebSocketClosedError);
      expect(((ended as Error).cause as WebSocketClosedError).closeCode).toBe(1009);
    } finally {
      await small.close({ graceMs: 0 });
    }
  });
});

describe('two listeners on one server; upgrades to other paths left to the application', () => {
  let server: http.Server;
  let own: WebSocketServer;

  beforeAll(async () => {
    server = (await appServer()) as http.Server;
    // The application's own WebSocket endpoint, on /chat, registered before ours.
    own = new WebSocketServer({ noServer: true });
    server.on('upgrade', (request, socket, head) => {
      if (request.url !== '/chat') return;
      own.handleUpgrade(request, socket, head, (ws) => ws.send('chat here'));
    });
  });
  afterAll(async () => {
    own.close();
    await closeServer(server);
  });

  test('each path reaches its own listener, /chat the application, and close() leaves the server listening', async () => {
    const seen: string[] = [];
    const a = await listen('ws://127.0.0.1/a', { server }, (stream) => {
      seen.push('a');
      echo(new Session(stream));
    });
    const b = await listen('ws://127.0.0.1/b?ignored=1', { server }, (stream) => {
      seen.push('b');
      echo(new Session(stream));
    });
    const sa = new Session(await connect(a.url));
    const sb = new Session(await connect(`${b.url.split('?')[0]!}?token=x`));
    expect([await hello(sa), await hello(sb)]).toEqual(['hello', 'hello']);
    expect(seen).toEqual(['a', 'b']);

    const chat = new WebSocket(`ws://127.0.0.1:${portOf(server)}/chat`);
    expect(String(await new Promise((resolve) => chat.once('message', resolve)))).toBe('chat here');
    chat.close();

    // Closing a: its session ends, b goes on, the server still serves.
    await a.close({ graceMs: 0 });
    expect(await sa.closed).toBeUndefined(); // 1001 from the listener: a clean end for the client
    expect(server.listening).toBe(true);
    expect(await hello(sb)).toBe('hello');
    expect(await (await fetch(`http://127.0.0.1:${portOf(server)}/x`)).text()).toBe('app /x');
    // With the application's own upgrade listener still there, /a is no longer answered by us: the
    // application's listener ignores it, so the client is left waiting until its timeout.
    await expect(connect(a.url, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TRANSPORT_TIMEOUT' });

    sb.close();
    await b.close();
    expect(server.listening).toBe(true);
    expect(server.listenerCount('upgrade')).toBe(1); // ours detached, the application's stays
    expect(await (await fetch(`http://127.0.0.1:${portOf(server)}/y`)).text()).toBe('app /y');
  });
});

describe('close() on a shared server', () => {
  let server: http.Server;
  beforeAll(async () => {
    server = (await appServer()) as http.Server;
  });
  afterAll(() => closeServer(server));

  test('streams get the grace period, then TRANSPORT_CLOSED with 1001; the server keeps listening; the path is 404 after', async () => {
    const served: Session[] = [];
    const listener = await listen('ws://127.0.0.1/rpc', { server }, (stream) => {
      const session = new Session(stream);
      served.push(session);
      echo(session);
    });
    const session = new Session(await connect(listener.url));
    expect(await hello(session)).toBe('hello');
    await listener.close({ graceMs: 50 });
    // Our side ends with TRANSPORT_CLOSED; the client's with 1001, going away: a clean end (§5.4).
    expect(((await served[0]!.closed) as Error).cause).toMatchObject({ code: 'TRANSPORT_CLOSED' });
    expect(await session.closed).toBeUndefined();
    expect(listener.connections).toBe(0);
    expect(server.listening).toBe(true);
    expect(server.listenerCount('upgrade')).toBe(0);
    expect(await (await fetch(`http://127.0.0.1:${portOf(server)}/after`)).text()).toBe('app /after');
    // A new listener can take the path again.
    const again = await listen('ws://127.0.0.1/rpc', { server }, (stream) => echo(new Session(stream)));
    const second = new Session(await connect(again.url));
    expect(await hello(second)).toBe('hello');
    second.close();
    await again.close();
  });

  test('an upgrade while the listener is shutting down gets 503', async () => {
    const listener = await listen('ws://127.0.0.1/rpc', { server }, (stream) => echo(new Session(stream)));
    const session = new Session(await connect(listener.url));
    expect(await hello(session)).toBe('hello');
    const closing = listener.close({ graceMs: 2_000 }); // the open session holds it in its grace period
    expect(await upgradeStatus(portOf(server), '/rpc')).toBe('HTTP/1.1 503 Service Unavailable');
    session.close();
    await closing;
  });

  test('a server of the wrong kind, or cert and key with a server: TypeError', async () => {
    await expect(listen('wss://127.0.0.1/rpc', { server }, () => {})).rejects.toBeInstanceOf(TypeError);
    await expect(listen('ws://127.0.0.1/rpc', { server, cert: 'x', key: 'y' }, () => {})).rejects.toBeInstanceOf(TypeError);
  });
});

describe('wss:// on an https.Server with a throw-away certificate', () => {
  let certs: Certificates;
  let server: https.Server;
  let listener: Listener;
  beforeAll(async () => {
    certs = await certificates();
    server = (await appServer(certs.server)) as https.Server;
    listener = await listen('wss://127.0.0.1/rpc', { server }, (stream) => echo(new Session(stream)));
  });
  afterAll(async () => {
    await listener.close({ graceMs: 0 });
    await closeServer(server);
  });

  test('rpc over wss:// and HTTPS requests on the same port', async () => {
    expect(listener.url).toBe(`wss://127.0.0.1:${portOf(server)}/rpc`);
    const session = new Session(await connect(listener.url, { ca: certs.ca }));
    expect(await hello(session)).toBe('hello');
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`https://127.0.0.1:${portOf(server)}/secure`, { ca: certs.ca }, (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe('app /secure');
    session.close();
  });

  test('a CA that does not vouch for the server: TRANSPORT_TLS', async () => {
    await expect(connect(listener.url, { ca: certs.otherCa })).rejects.toMatchObject({ code: 'TRANSPORT_TLS' });
  });

  test('an https.Server for ws://: TypeError', async () => {
    await expect(listen('ws://127.0.0.1/x', { server }, () => {})).rejects.toBeInstanceOf(TypeError);
  });
});
