import net, { type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Session, type ByteStream } from '@petrichor/mux';
import * as browserSafe from '@petrichor/transport';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { connect, listen, MAX_MESSAGE_BYTES, WebSocketClosedError, type Listener } from '@petrichor/transport/node';
import { readAll, sleep, until, WhatwgWebSocket } from './helpers/kinds.js';

const hex = (text: string) => Uint8Array.from(text.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
const concat = (chunks: Uint8Array[]) => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
};

/** A bare `ws` server on loopback: the peer our client meets in these tests. */
async function rawServer(onConnection: (ws: WebSocket) => void, options: { maxPayload?: number } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  wss.on('connection', onConnection);
  await new Promise((resolve) => wss.once('listening', resolve));
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** A bare `ws` client, open. */
async function rawClient(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

const closeCode = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));

/** The two clients: the Node one (`ws`) and the browser-safe one over a WHATWG WebSocket. */
const CLIENTS: { name: string; connect: (url: string, options?: { highWaterMark?: number; maxPayload?: number }) => Promise<ByteStream> }[] = [
  { name: 'node client', connect: (url, options) => connect(url, options) },
  { name: 'browser-safe client', connect: (url, options) => browserSafe.connect(url, { ...options, WebSocket: WhatwgWebSocket }) },
];

describe('spec/transports.md §5.1 binary messages; their boundaries mean nothing', () => {
  let listener: Listener;
  let sessions: Session[] = [];
  beforeAll(async () => {
    listener = await listen('ws://127.0.0.1:0/qmux', (stream) => sessions.push(new Session(stream)));
  });
  afterEach(() => {
    for (const session of sessions) session.close();
    sessions = [];
  });
  afterAll(async () => {
    await listener.close({ graceMs: 0 });
  });

  test('an OPEN split over three messages and a DATA cut mid-header make one stream', async () => {
    const ws = await rawClient(listener.url);
    const received: Uint8Array[] = [];
    ws.on('message', (data: Buffer) => received.push(new Uint8Array(data)));
    // OPEN id 0, window 1 MiB, max packet 64 KiB (spec/qmux.md §2.1), in pieces of 1, 7 and 5 bytes.
    const open = hex('64 00000000 00100000 00010000');
    for (const piece of [open.subarray(0, 1), open.subarray(1, 8), open.subarray(8)]) ws.send(piece);
    // OPEN_CONFIRM: recipient 0 (ours), sender 0 (theirs), their window and packet.
    expect(await until(() => concat(received).byteLength >= 17)).toBe(true);
    expect(concat(received)).toEqual(hex('65 00000000 00000000 00100000 00010000'));
    // DATA "hi" then EOF, cut as: 3 bytes | 7 bytes | the last data byte + the whole EOF.
    const rest = hex('68 00000000 00000002 6869 69 00000000');
    for (const piece of [rest.subarray(0, 3), rest.subarray(3, 10), rest.subarray(10)]) ws.send(piece);
    expect(await until(() => sessions.length === 1)).toBe(true);
    const channel = await sessions[0]!.accept();
    // The payload may come in pieces, as its bytes did (spec/qmux.md §4.2).
    expect(new TextDecoder().decode(await readAll(channel))).toBe('hi');
    ws.terminate();
  });

  test('a text message from a client ends the server stream with TRANSPORT_PROTOCOL and closes with 1003', async () => {
    const ws = await rawClient(listener.url);
    const code = closeCode(ws);
    ws.send('hello');
    expect(await code).toBe(1003);
    expect(await until(() => sessions.length === 1)).toBe(true);
    const error = await sessions[0]!.closed;
    expect(error).toMatchObject({ code: 'MUX_TRANSPORT', cause: { code: 'TRANSPORT_PROTOCOL' } });
  });

  test.each(CLIENTS)('a text message from the server ends the $name stream with TRANSPORT_PROTOCOL', async ({ connect: dial }) => {
    const server = await rawServer((ws) => ws.send('not binary'));
    try {
      const session = new Session(await dial(server.url));
      expect(await session.closed).toMatchObject({ code: 'MUX_TRANSPORT', cause: { code: 'TRANSPORT_PROTOCOL' } });
    } finally {
      await server.close();
    }
  });

  test('our sender never puts more than MAX_MESSAGE_BYTES in one message', async () => {
    const sizes: number[] = [];
    let total = 0;
    const server = await rawServer(
      (ws) =>
        ws.on('message', (data: Buffer) => {
          sizes.push(data.byteLength);
          total += data.byteLength;
        }),
      { maxPayload: MAX_MESSAGE_BYTES },
    );
    try {
      const stream = await connect(server.url);
      stream.start({ data() {}, end() {} });
      await stream.write(new Uint8Array(3 * MAX_MESSAGE_BYTES + 5));
      await stream.writev!([new Uint8Array(10), new Uint8Array(MAX_MESSAGE_BYTES + 1)]);
      expect(await until(() => total === 4 * MAX_MESSAGE_BYTES + 16)).toBe(true);
      expect(Math.max(...sizes)).toBe(MAX_MESSAGE_BYTES);
      stream.close();
    } finally {
      await server.close();
    }
  });
});

describe('spec/transports.md §5.1 any split is the same stream (properties)', () => {
  const splits = fc
    .uint8Array({ minLength: 2, maxLength: 4096 })
    .chain((bytes) => fc.tuple(fc.constant(bytes), fc.uniqueArray(fc.integer({ min: 1, max: bytes.byteLength - 1 }), { maxLength: 12 })));
  const pieces = (bytes: Uint8Array, cuts: number[]) => {
    const at = [0, ...[...cuts].filter((c) => c < bytes.byteLength).sort((a, b) => a - b), bytes.byteLength];
    return at.slice(1).map((end, i) => bytes.subarray(at[i]!, end));
  };

  test('messages sent in any pieces arrive as the concatenation, then a clean end', async () => {
    let next!: (stream: ByteStream) => void;
    const listener = await listen('ws://127.0.0.1:0/', (stream) => next(stream));
    try {
      await fc.assert(
        fc.asyncProperty(splits, async ([bytes, cuts]) => {
          const accepted = new Promise<ByteStream>((resolve) => (next = resolve));
          const ws = await rawClient(listener.url);
          for (const piece of pieces(bytes, cuts)) ws.send(piece);
          ws.close(1000);
          const stream = await accepted;
          const received: Uint8Array[] = [];
          const ended = await new Promise<Error | undefined>((resolve) => stream.start({ data: (c) => received.push(c.slice()), end: resolve }));
          expect(ended).toBeUndefined();
          expect(concat(received)).toEqual(bytes);
        }),
        { numRuns: 25 },
      );
    } finally {
      await listener.close({ graceMs: 0 });
    }
  });

  test.each(CLIENTS)('$name: writes and writevs of any sizes arrive as their concatenation', async ({ connect: dial }) => {
    let received: Uint8Array[] = [];
    let total = 0;
    const server = await rawServer((ws) =>
      ws.on('message', (data: Buffer) => {
        received.push(new Uint8Array(data));
        total += data.byteLength;
      }),
    );
    try {
      const stream = await dial(server.url);
      stream.start({ data() {}, end() {} });
      await fc.assert(
        fc.asyncProperty(splits, fc.boolean(), async ([bytes, cuts], vectored) => {
          received = [];
          total = 0;
          const parts = pieces(bytes, cuts);
          if (vectored) await stream.writev!(parts);
          else for (const part of parts) await stream.write(part);
          expect(await until(() => total >= bytes.byteLength)).toBe(true);
          expect(concat(received)).toEqual(bytes);
        }),
        { numRuns: 25 },
      );
      stream.close();
    } finally {
      await server.close();
    }
  });
});

describe('spec/transports.md §5.2 the handshake', () => {
  test('a path other than the listened one is refused (HTTP 404)', async () => {
    const listener = await listen('ws://127.0.0.1:0/qmux', () => {});
    try {
      await expect(connect(listener.url.replace('/qmux', '/other'))).rejects.toMatchObject({
        code: 'TRANSPORT_REFUSED',
        message: expect.stringContaining('HTTP 404'),
      });
      // The query is not part of the match: tokens may ride on it.
      const stream = await connect(`${listener.url}?token=abc`);
      stream.close();
    } finally {
      await listener.close({ graceMs: 0 });
    }
  });

  test('an upgrade whose target is not a URL gets 400 and the listener keeps serving', async () => {
    const listener = await listen('ws://127.0.0.1:0/', () => {});
    try {
      const { port } = new URL(listener.url);
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1');
        let text = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (text += chunk));
        socket.on('error', reject);
        socket.on('close', () => resolve(text));
        socket.write(
          'GET http://[ HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: websocket\r\n' +
            'sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        );
      });
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      const stream = await connect(listener.url);
      stream.close();
    } finally {
      await listener.close({ graceMs: 0 });
    }
  });

  test('a plain HTTP request gets 426 Upgrade Required', async () => {
    const listener = await listen('ws://127.0.0.1:0/', () => {});
    try {
      const response = await fetch(listener.url.replace('ws:', 'http:'));
      expect(response.status).toBe(426);
      expect(response.headers.get('upgrade')).toBe('websocket');
      await response.text();
    } finally {
      await listener.close({ graceMs: 0 });
    }
  });

  test.each(CLIENTS)('$name: nothing listening is TRANSPORT_REFUSED', async ({ connect: dial }) => {
    const listener = await listen('ws://127.0.0.1:0/', () => {});
    const { url } = listener;
    await listener.close();
    await expect(dial(url)).rejects.toMatchObject({ code: 'TRANSPORT_REFUSED' });
  });
});

describe('spec/transports.md §5.4 close codes', () => {
  const CASES: { name: string; close: (ws: WebSocket) => void; expected: { closeCode: number; closeReason: string } | undefined }[] = [
    { name: '1000 normal closure: clean end', close: (ws) => ws.close(1000), expected: undefined },
    { name: '1001 going away: clean end', close: (ws) => ws.close(1001, 'restarting'), expected: undefined },
    { name: 'no status (1005): clean end', close: (ws) => ws.close(), expected: undefined },
    { name: '1011 internal error', close: (ws) => ws.close(1011, 'boom'), expected: { closeCode: 1011, closeReason: 'boom' } },
    { name: '4001, an application code', close: (ws) => ws.close(4001, 'bye'), expected: { closeCode: 4001, closeReason: 'bye' } },
    { name: 'dropped without a close frame: 1006', close: (ws) => ws.terminate(), expected: { closeCode: 1006, closeReason: '' } },
  ];
  describe.each(CLIENTS)('$name', ({ connect: dial }) => {
    test.each(CASES)('$name', async ({ close, expected }) => {
      const server = await rawServer((ws) => setTimeout(() => close(ws), 10));
      try {
        const session = new Session(await dial(server.url));
        const error = await session.closed;
        if (expected === undefined) {
          expect(error).toBeUndefined();
        } else {
          expect(error).toMatchObject({ code: 'MUX_TRANSPORT' });
          const cause = (error as Error).cause;
          expect(cause).toBeInstanceOf(WebSocketClosedError);
          expect(cause).toMatchObject({ code: 'TRANSPORT_WS_CLOSED', ...expected });
        }
      } finally {
        await server.close();
      }
    });
  });

  test('a message over maxPayload: 1009 on both sides', async () => {
    let session: Session | undefined;
    const listener = await listen('ws://127.0.0.1:0/', { maxPayload: 1024 }, (stream) => (session = new Session(stream)));
    try {
      const ws = await rawClient(listener.url);
      const code = closeCode(ws);
      ws.on('error', () => {});
      ws.send(new Uint8Array(2048));
      expect(await code).toBe(1009);
      expect(await until(() => session !== undefined)).toBe(true);
      const error = await session!.closed;
      expect((error as Error).cause).toMatchObject({ code: 'TRANSPORT_WS_CLOSED', closeCode: 1009 });
    } finally {
      await listener.close({ graceMs: 0 });
    }
  });
});

describe('spec/transports.md §5.3 back-pressure', () => {
  /** Writes 256 KiB chunks until `write` hands back a promise (the transport is full). */
  async function fill(stream: ByteStream): Promise<{ pending: Promise<void>; written: number }> {
    const chunk = new Uint8Array(256 * 1024);
    for (let written = chunk.byteLength; written <= 256 * 1024 * 1024; written += chunk.byteLength) {
      const result = stream.write(chunk);
      if (result !== undefined) return { pending: result, written };
      // Let the socket move bytes to the kernel, as a session's writer would between flushes.
      await sleep(0);
    }
    throw new Error('the transport never said it was full');
  }

  test.each(CLIENTS)('$name: write waits while the peer does not read, and goes on when it does', async ({ connect: dial }) => {
    let peer!: WebSocket;
    let received = 0;
    const server = await rawServer((ws) => {
      peer = ws;
      ws.pause();
      ws.on('message', (data: Buffer) => (received += data.byteLength));
    });
    try {
      const stream = await dial(server.url, { highWaterMark: 64 * 1024 });
      stream.start({ data() {}, end() {} });
      const { pending, written } = await fill(stream);
      let done = false;
      void pending.then(() => (done = true));
      await sleep(100);
      expect(done).toBe(false);
      peer.resume();
      await pending;
      expect(await until(() => received === written)).toBe(true);
      stream.close();
    } finally {
      await server.close();
    }
  });

  test('server side: a listener stream waits for a client that does not read', async () => {
    let stream!: ByteStream;
    const listener = await listen('ws://127.0.0.1:0/', { highWaterMark: 64 * 1024 }, (s) => (stream = s));
    try {
      const ws = await rawClient(listener.url);
      let received = 0;
      ws.on('message', (data: Buffer) => (received += data.byteLength));
      ws.pause();
      expect(await until(() => stream !== undefined)).toBe(true);
      stream.start({ data() {}, end() {} });
      const { pending, written } = await fill(stream);
      let done = false;
      void pending.then(() => (done = true));
      await sleep(100);
      expect(done).toBe(false);
      ws.resume();
      await pending;
      expect(await until(() => received === written)).toBe(true);
      ws.terminate();
    } finally {
      await listener.close({ graceMs: 0 });
    }
  });

  test('a writer waiting when the socket closes is released', async () => {
    let peer!: WebSocket;
    const server = await rawServer((ws) => {
      peer = ws;
      ws.pause();
    });
    try {
      const stream = await connect(server.url, { highWaterMark: 64 * 1024 });
      let ended: Error | undefined | null = null;
      stream.start({ data() {}, end: (error) => (ended = error) });
      const { pending } = await fill(stream);
      peer.terminate();
      await pending;
      expect(await until(() => ended !== null)).toBe(true);
      expect(ended).toMatchObject({ closeCode: 1006 });
    } finally {
      await server.close();
    }
  });
});
