/**
 * The js-libp2p muxers, @chainsafe/libp2p-yamux and @libp2p/mplex, run exactly as js-libp2p runs
 * them over TCP: the Node socket wrapped by @libp2p/tcp's own `toMultiaddrConnection` (the adapter
 * its dialer and listener use), handed to the muxer factory. Default options, except: yamux
 * keep-alive pings off (none of the others ping), mplex `disconnectThreshold: Infinity` (else it drops
 * a connection that opens more than 5 streams a second), and raised stream limits for the
 * idle-channel figure only.
 */
import net from 'node:net';
import { connect, listen } from './tcp.js';
import { block, fail, ping, PING_BYTES, CHUNK, type Client, type Mode, type Server } from './workload.js';

// The libp2p packages call Promise.withResolvers (Node 22+); install it before any of them loads.
const promise = Promise as unknown as { withResolvers?: unknown };
if (typeof promise.withResolvers !== 'function') {
  promise.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const settled = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise: settled, resolve, reject };
  };
}

/** What the bench uses of a libp2p stream (the `Stream` of @libp2p/interface v3). */
interface MuxedStream extends AsyncIterable<{ byteLength: number }> {
  send(data: Uint8Array): boolean;
  onDrain(): Promise<void>;
  close(): Promise<void>;
}

/** What the bench uses of a libp2p `StreamMuxer`. */
interface Muxer {
  createStream(): Promise<MuxedStream>;
  addEventListener(type: 'stream', listener: (event: CustomEvent<MuxedStream>) => void): void;
  close(): Promise<void>;
}

type Libp2pKind = 'yamux' | 'mplex';

/** The libp2p modules, loaded once (after the polyfill above). */
const modules = (async () => {
  // @libp2p/tcp exports only its transport; its socket adapter sits next to the entry point.
  const adapter = new URL('socket-to-conn.js', import.meta.resolve('@libp2p/tcp')).href;
  const { toMultiaddrConnection } = (await import(adapter)) as { toMultiaddrConnection: (init: object) => never };
  const { yamux } = await import('@chainsafe/libp2p-yamux');
  const { mplex } = await import('@libp2p/mplex');
  return { toMultiaddrConnection, yamux, mplex };
})();

async function muxer(kind: Libp2pKind, socket: net.Socket, direction: 'inbound' | 'outbound', manyStreams: boolean): Promise<Muxer> {
  const { toMultiaddrConnection, yamux, mplex } = await modules;
  // From here on synchronously: the connection buffers what arrives until its muxer listens, and
  // drops the connection past 4 MiB (mplex has no flow control to hold a fast sender back).
  const conn = toMultiaddrConnection({ socket, direction, inactivityTimeout: 0, log: silent });
  const limits = manyStreams ? { maxInboundStreams: 1 << 20, maxOutboundStreams: 1 << 20 } : {};
  if (kind === 'yamux') return yamux({ enableKeepAlive: false, ...limits })().createStreamMuxer(conn);
  return mplex({ disconnectThreshold: Infinity })().createStreamMuxer(conn) as unknown as Muxer;
}

/** A libp2p `Logger` that logs nothing. */
interface Silent {
  (...args: unknown[]): void;
  enabled: boolean;
  trace(...args: unknown[]): void;
  error(...args: unknown[]): void;
  newScope(name: string): Silent;
}
const silent: Silent = Object.assign(() => {}, {
  enabled: false,
  trace: () => {},
  error: () => {},
  newScope: () => silent,
});

/** Sends `bytes` in {@link CHUNK} writes, waiting for the stream to drain when it asks to. */
async function sendAll(stream: MuxedStream, bytes: number): Promise<void> {
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    const chunk = bytes - sent >= CHUNK ? block : block.subarray(0, bytes - sent);
    if (!stream.send(chunk)) await stream.onDrain();
  }
}

/** Reads to the end of the stream (or until `limit` bytes) and returns the byte count. */
async function drain(stream: MuxedStream, limit = Infinity): Promise<number> {
  let received = 0;
  for await (const chunk of stream) {
    received += chunk.byteLength;
    if (received >= limit) break;
  }
  return received;
}

export async function libp2pServer(kind: Libp2pKind, mode: Mode, manyStreams = false): Promise<Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    void muxer(kind, socket, 'inbound', manyStreams).then((m) =>
      m.addEventListener('stream', ({ detail: stream }) => {
        // 'hold': the muxer keeps its streams; nothing reads them.
        if (mode !== 'hold') void (mode === 'echo' ? echo(stream) : sink(stream)).catch(() => {});
      }),
    );
  });
  return listen(server, sockets);
}

async function echo(stream: MuxedStream): Promise<void> {
  for await (const chunk of stream) {
    if (!stream.send(chunk as Uint8Array)) await stream.onDrain();
  }
  await stream.close();
}

async function sink(stream: MuxedStream): Promise<void> {
  await drain(stream);
  stream.send(block.subarray(0, 1));
  await stream.close();
}

export async function libp2pClient(kind: Libp2pKind, port: number, manyStreams = false): Promise<Client> {
  const socket = await connect(port);
  const m = await muxer(kind, socket, 'outbound', manyStreams);
  return {
    async sink(total) {
      const stream = await m.createStream();
      const answer = drain(stream);
      await sendAll(stream, total);
      await stream.close();
      if ((await answer) !== 1) fail(`${kind}: no answer to the sink`);
    },
    async echo(channels, bytes) {
      await Promise.all(
        Array.from({ length: channels }, async () => {
          const stream = await m.createStream();
          const echoed = drain(stream);
          await sendAll(stream, bytes);
          await stream.close();
          const received = await echoed;
          if (received !== bytes) fail(`${kind}: echoed ${received} of ${bytes} bytes`);
        }),
      );
    },
    async pingPong(count) {
      for (let i = 0; i < count; i++) {
        const stream = await m.createStream();
        stream.send(ping);
        if ((await drain(stream, PING_BYTES)) !== PING_BYTES) fail(`${kind}: short echo`);
        await stream.close();
      }
    },
    async idle(count) {
      const streams: MuxedStream[] = [];
      for (let i = 0; i < count; i++) streams.push(await m.createStream());
      return async () => {
        await Promise.all(streams.map((stream) => stream.close()));
      };
    },
    async close() {
      await m.close();
      socket.destroy();
    },
  };
}
