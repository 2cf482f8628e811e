/** Test setups: a server and a client over a memory pipe or loopback TCP, and transport probes. */
import net from 'node:net';
import { Session, memoryPipe, type ByteStream, type ByteStreamSink } from '@petrichor/mux';
import { encodeMessage } from '@petrichor/wire';
import { socketStream } from '@petrichor/mux/node';
import type { Server} from '@petrichor/rpc/all';
import { Client, type ClientOptions, type RpcSession } from '@petrichor/rpc/all';
import { PreambleStream } from '../../src/handshake/preamble.js';

export interface Pair {
  server: Server;
  client: Client;
  /** The server's session for this client. */
  session: RpcSession;
  /** Ends everything (idempotent). */
  close(): Promise<void>;
}

/** `server` and a client connected to it over a memory pipe. */
export async function memoryPair(server: Server, options: ClientOptions = {}): Promise<Pair> {
  const [a, b] = memoryPipe();
  const served = server.serve(b);
  const client = await Client.connect(a, { user: 'test', ...options });
  const session = await served;
  if (session === null) throw new Error('the handshake was denied');
  return { server, client, session, close: () => closeAll(server, client) };
}

/** `server` and a client connected to it over loopback TCP (127.0.0.1, port 0). */
export async function tcpPair(server: Server, options: ClientOptions = {}): Promise<Pair & { listener: net.Server }> {
  const listener = await listen(server);
  const { port } = listener.address() as net.AddressInfo;
  const socket = net.connect(port, '127.0.0.1');
  const client = await Client.connect(socketStream(socket), { user: 'test', ...options });
  const session = await waitForSession(server);
  return {
    server,
    client,
    session,
    listener,
    close: async () => {
      await closeAll(server, client);
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}

/** A TCP listener on 127.0.0.1:0 serving every connection with `server`. */
export function listen(server: Server): Promise<net.Server> {
  const listener = net.createServer((socket) => void server.serve(socketStream(socket)));
  return new Promise((resolve) => listener.listen(0, '127.0.0.1', () => resolve(listener)));
}

function latest(server: Server): RpcSession | null {
  let last: RpcSession | null = null;
  for (const session of server.sessions) last = session;
  return last;
}

async function waitForSession(server: Server): Promise<RpcSession> {
  for (let i = 0; i < 200; i++) {
    const session = latest(server);
    if (session !== null) return session;
    await tick(5);
  }
  throw new Error('no session');
}

async function closeAll(server: Server, client: Client): Promise<void> {
  await client.close();
  await server.close({ deadlineMs: 100 });
}

export function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every few ms until it holds (at most `ms`); throws if it never does. */
export async function until(check: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(2);
  }
}

/** One write seen on a probed pipe. */
export interface Write {
  /** `c` the client's end wrote it, `s` the server's. */
  from: 'c' | 's';
  bytes: Uint8Array;
}

/**
 * A memory pipe whose every write is logged in order (the client's end is the first), for
 * counting the transport writes and round trips a call takes.
 */
export function probedPipe(): { client: ByteStream; server: ByteStream; writes: Write[] } {
  const [a, b] = memoryPipe();
  const writes: Write[] = [];
  return { client: probe(a, 'c', writes), server: probe(b, 's', writes), writes };
}

function probe(inner: ByteStream, from: 'c' | 's', writes: Write[]): ByteStream {
  return {
    start: (sink: ByteStreamSink) => inner.start(sink),
    write: (chunk: Uint8Array) => {
      writes.push({ from, bytes: chunk.slice() });
      return inner.write(chunk);
    },
    close: () => inner.close(),
  };
}

/**
 * A ByteStream end driven by hand: `sent` holds what the code under test wrote; `push` delivers
 * bytes to it; `end` ends it.
 */
export function scriptedStream(): {
  stream: ByteStream;
  sent: Uint8Array[];
  push(bytes: Uint8Array): void;
  end(error?: Error): void;
  closed: () => boolean;
} {
  let sink: ByteStreamSink | null = null;
  const early: Uint8Array[] = [];
  const sent: Uint8Array[] = [];
  let closed = false;
  let ended = false;
  return {
    stream: {
      start: (s) => {
        sink = s;
        for (const bytes of early.splice(0)) s.data(bytes);
      },
      write: (chunk) => void sent.push(chunk.slice()),
      close: () => {
        closed = true;
      },
    },
    sent,
    push: (bytes) => {
      if (sink === null) early.push(bytes);
      else sink.data(bytes);
    },
    end: (error) => {
      if (ended) return;
      ended = true;
      sink?.end(error);
    },
    closed: () => closed,
  };
}

/**
 * A client connected to a hand-driven server: the handshake is answered, then the server end is
 * a bare qmux session, so a test can answer calls with any bytes it likes.
 */
export async function rawServer(options: ClientOptions = {}): Promise<{ client: Client; mux: Session }> {
  const [a, b] = memoryPipe();
  const connecting = Client.connect(a, options);
  const preamble = new PreambleStream(b, 64 * 1024);
  const { header } = await preamble.read();
  const codec = (header as Record<string, string>)['codec']!;
  b.write(encodeMessage({ petrichor: 1, allowed: true, ident: 'raw', version: '0', codec }, null));
  const mux = new Session(preamble);
  return { client: await connecting, mux };
}
