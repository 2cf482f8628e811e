import net from 'node:net';
import { Session } from '@petrichor/mux';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ByteStream } from '@petrichor/mux';
import { connect, listen, TlsError, type Listener } from '@petrichor/transport/node';
import { certificates, type Certificates } from './helpers/certs.js';
import { echo, readAll } from './helpers/kinds.js';

let certs: Certificates;
beforeAll(async () => {
  certs = await certificates();
});

/** A listener that counts the streams it hands out and echoes on them. */
async function echoing(url: string, options: object): Promise<{ listener: Listener; accepted: () => number }> {
  let count = 0;
  const listener = await listen(url, options, (stream) => {
    count++;
    echo(new Session(stream));
  });
  return { listener, accepted: () => count };
}

async function hello(stream: ByteStream): Promise<string> {
  const session = new Session(stream);
  const channel = await session.open();
  await channel.write(new TextEncoder().encode('hello'));
  await channel.closeWrite();
  const text = new TextDecoder().decode(await readAll(channel));
  session.close();
  return text;
}

describe.each(['tls://127.0.0.1:0', 'wss://127.0.0.1:0/q'])('spec/transports.md §4 TLS, over %s', (where) => {
  let server: { listener: Listener; accepted: () => number };
  beforeAll(async () => {
    server = await echoing(where, { cert: certs.server.cert, key: certs.server.key });
  });
  afterAll(async () => {
    await server.listener.close({ graceMs: 0 });
  });

  test('the right CA: the handshake verifies and the stream works', async () => {
    expect(await hello(await connect(server.listener.url, { ca: certs.ca }))).toBe('hello');
  });

  test('a CA that does not vouch for the server: TlsError TRANSPORT_TLS with the OpenSSL reason, no stream accepted', async () => {
    const before = server.accepted();
    const error = await connect(server.listener.url, { ca: certs.otherCa }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect(error).toMatchObject({ code: 'TRANSPORT_TLS', reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect((error as Error).message).toContain('TLS handshake');
    expect(server.accepted()).toBe(before);
  });

  test('no CA at all (Node’s roots) refuses the test CA too', async () => {
    await expect(connect(server.listener.url)).rejects.toMatchObject({ code: 'TRANSPORT_TLS' });
  });

  test('a server name the certificate does not carry: TRANSPORT_TLS, ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    await expect(connect(server.listener.url, { ca: certs.ca, servername: 'example.com' })).rejects.toMatchObject({
      code: 'TRANSPORT_TLS',
      reason: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  test('servername "localhost", which the certificate carries, verifies', async () => {
    expect(await hello(await connect(server.listener.url, { ca: certs.ca, servername: 'localhost' }))).toBe('hello');
  });

  test('rejectUnauthorized: false skips verification', async () => {
    expect(await hello(await connect(server.listener.url, { ca: certs.otherCa, rejectUnauthorized: false }))).toBe('hello');
  });
});

describe('spec/transports.md §4 TLS: server options', () => {
  test('listening without a certificate and key is a TypeError', async () => {
    await expect(listen('tls://127.0.0.1:0', {}, () => {})).rejects.toBeInstanceOf(TypeError);
    await expect(listen('wss://127.0.0.1:0/', { cert: certs.server.cert }, () => {})).rejects.toBeInstanceOf(TypeError);
  });

  test('mutual TLS: requestCert with a CA takes a client with a certificate and turns one without away', async () => {
    const server = await echoing('tls://127.0.0.1:0', { ...certs.server, ca: certs.ca, requestCert: true });
    try {
      expect(await hello(await connect(server.listener.url, { ca: certs.ca, ...certs.client }))).toBe('hello');
      expect(server.accepted()).toBe(1);
      // Without one: in TLS 1.3 the client may finish its side of the handshake before the server's
      // alert arrives, so it fails either while connecting or as soon as the stream is used.
      const outcome = await connect(server.listener.url, { ca: certs.ca }).then(
        async (stream) => {
          const session = new Session(stream);
          const error = await session.closed;
          return error === undefined ? 'clean end' : 'session error';
        },
        (error: unknown) => (error as { code?: string }).code,
      );
      expect(['TRANSPORT_TLS', 'session error']).toContain(outcome);
      expect(server.accepted()).toBe(1);
    } finally {
      await server.listener.close({ graceMs: 0 });
    }
  });
});

describe('spec/transports.md §3.1 connect timeout (handshakes included)', () => {
  let silent: net.Server;
  let port: number;
  const sockets: net.Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never says a word: no TLS server hello, no HTTP upgrade.
    silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  test.each(['tls', 'ws', 'wss'])('%s: no handshake within timeoutMs is TRANSPORT_TIMEOUT', async (scheme) => {
    const started = Date.now();
    const url = scheme === 'tls' ? `tls://127.0.0.1:${port}` : `${scheme}://127.0.0.1:${port}/`;
    await expect(connect(url, { timeoutMs: 150, ca: certs.ca })).rejects.toMatchObject({
      code: 'TRANSPORT_TIMEOUT',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('timeoutMs outside 0 … 2^31 − 1 is a RangeError', async () => {
    await expect(connect(`tcp://127.0.0.1:${port}`, { timeoutMs: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(connect(`ws://127.0.0.1:${port}/`, { timeoutMs: 1.5 })).rejects.toBeInstanceOf(RangeError);
  });
});
