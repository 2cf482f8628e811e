/**
 * Every transport the same test body runs over (as hashicorp/yamux's testConnTypes): what to listen
 * on and how each side is configured, plus a helper that sets up a connected Session pair.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Session, type ByteStream, type ByteStreamSink, type SessionOptions } from '@petrichor/mux';
import * as browserSafe from '@petrichor/transport';
import { connect, listen, type Listener, type NodeConnectOptions, type NodeListenOptions } from '@petrichor/transport/node';
import { WebSocket as WsWebSocket } from 'ws';
import { certificates } from './certs.js';

export interface Kind {
  name: string;
  /** Where to listen and with what options; `dir` is a fresh temp directory for socket files. */
  setup(dir: string): Promise<{ url: string; listen: NodeListenOptions; connect: NodeConnectOptions }>;
  /** The connect function (the Node one, or the browser-safe one). */
  connect(url: string, options: NodeConnectOptions): Promise<ByteStream>;
  /** True when the stream knows its addresses (every socket transport). */
  addresses: boolean;
}

let names = 0;
const plain = async (url: string) => ({ url, listen: {}, connect: {} });

let shared: Promise<http.Server> | undefined;

/**
 * One HTTP server for the 'ws on a shared http.Server' kind, listening on a free port, left for the
 * process's end (unref'd: it keeps nothing alive); plain requests get 200, as an application's would.
 */
function sharedServer(): Promise<http.Server> {
  shared ??= new Promise((resolve) => {
    const server = http.createServer((_request, response) => response.end('app'));
    server.listen(0, '127.0.0.1', () => resolve(server)).unref();
  });
  return shared;
}

/** `ws` standing in for the browser's WebSocket (Node 20 has no global one). */
export const WhatwgWebSocket = WsWebSocket as unknown as browserSafe.WebSocketConstructor;

export const KINDS: Kind[] = [
  { name: 'mem', setup: async () => plain(`mem://kinds-${names++}`), connect, addresses: false },
  { name: 'tcp', setup: async () => plain('tcp://127.0.0.1:0'), connect, addresses: true },
  { name: 'unix', setup: async (dir) => plain(`unix://${dir}/s${names++}.sock`), connect, addresses: false },
  {
    name: 'tls',
    async setup() {
      const c = await certificates();
      return { url: 'tls://127.0.0.1:0', listen: c.server, connect: { ca: c.ca } };
    },
    connect,
    addresses: true,
  },
  { name: 'ws', setup: async () => plain('ws://127.0.0.1:0/qmux'), connect, addresses: true },
  {
    name: 'wss',
    async setup() {
      const c = await certificates();
      return { url: 'wss://127.0.0.1:0/qmux', listen: c.server, connect: { ca: c.ca } };
    },
    connect,
    addresses: true,
  },
  {
    // A listener attached to an HTTP server the application runs; each setup takes a new path on it.
    name: 'ws on a shared http.Server',
    setup: async () => ({ url: `ws://127.0.0.1/qmux-${names++}`, listen: { server: await sharedServer() }, connect: {} }),
    connect,
    addresses: true,
  },
  {
    name: 'ws, browser-safe client',
    setup: async () => plain('ws://127.0.0.1:0/qmux'),
    connect: (url, options) => browserSafe.connect(url, { ...options, WebSocket: WhatwgWebSocket }),
    addresses: false,
  },
];

export interface Pair {
  client: Session;
  /** The session on the first stream the listener accepted. */
  server: Session;
  listener: Listener;
  /** Every session the listener side made, in order. */
  servers: Session[];
  close(): Promise<void>;
}

/** Listens, connects, and starts a Session on each end. */
export async function pair(
  kind: Kind,
  dir: string,
  options: { session?: SessionOptions; serverSession?: SessionOptions; wrapServer?: (stream: ByteStream) => ByteStream } = {},
): Promise<Pair> {
  const setup = await kind.setup(dir);
  const servers: Session[] = [];
  let first!: (session: Session) => void;
  const accepted = new Promise<Session>((resolve) => (first = resolve));
  const listener = await listen(setup.url, setup.listen, (stream) => {
    const session = new Session(options.wrapServer?.(stream) ?? stream, options.serverSession ?? options.session);
    servers.push(session);
    first(session);
  });
  const client = new Session(await kind.connect(listener.url, setup.connect), options.session);
  const server = await accepted;
  return {
    client,
    server,
    listener,
    servers,
    async close() {
      client.close();
      for (const session of servers) session.close();
      await listener.close({ graceMs: 0 });
    },
  };
}

/** Echoes every channel the session accepts: back what it reads, EOF back after the peer's EOF. */
export function echo(session: Session): void {
  void (async () => {
    for await (const channel of session) {
      void (async () => {
        try {
          for await (const chunk of channel) await channel.write(chunk);
          await channel.closeWrite();
        } catch {
          // the session ended under the echo: the test that caused it checks why
        }
      })();
    }
  })();
}

/** Reads a channel to its end and returns every byte. */
export async function readAll(channel: { read(): Promise<Uint8Array | null> }): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (let chunk = await channel.read(); chunk !== null; chunk = await channel.read()) {
    chunks.push(chunk.slice());
    length += chunk.byteLength;
  }
  const all = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}

/** Deterministic pseudo-random bytes (so a failure can be replayed). */
export function bytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 5 ms for at most `ms`; true if it came true. */
export async function until(condition: () => boolean, ms = 5_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (condition()) return true;
    await sleep(5);
  }
  return condition();
}

/** A short fingerprint of bytes: comparing 4 MiB arrays element by element is slow in expect(). */
export function digest(data: Uint8Array): string {
  return `${data.byteLength}:${createHash('sha256').update(data).digest('hex').slice(0, 16)}`;
}

/** A stream whose writes can be dropped silently: a peer that has vanished without a word. */
export class Vanishing implements ByteStream {
  dropping = false;
  readonly #inner: ByteStream;
  constructor(inner: ByteStream) {
    this.#inner = inner;
  }
  start(sink: ByteStreamSink): void {
    this.#inner.start(sink);
  }
  write(chunk: Uint8Array): void | Promise<void> {
    if (!this.dropping) return this.#inner.write(chunk);
  }
  close(): void {
    this.#inner.close();
  }
}
