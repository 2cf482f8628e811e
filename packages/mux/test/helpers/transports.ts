import net from 'node:net';
import { memoryPipe } from '../../src/memory-pipe.js';
import type { ByteStream, ByteStreamSink } from '../../src/stream.js';

/**
 * A minimal ByteStream over a Node socket for the core's own tests (the package's real adapter,
 * `socketStream`, lives in src/node.ts and has its own tests): chunks in as views, backpressure
 * through 'drain', end reported once.
 */
class TestSocketStream implements ByteStream {
  readonly #socket: net.Socket;
  #ended = false;
  readonly localAddress: string;
  readonly remoteAddress: string;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    this.localAddress = `${socket.localAddress}:${socket.localPort}`;
    this.remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
  }

  start(sink: ByteStreamSink): void {
    const end = (error?: Error) => {
      if (this.#ended) return;
      this.#ended = true;
      if (error === undefined) sink.end();
      else sink.end(error);
    };
    this.#socket.on('data', (chunk: Buffer) => sink.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    this.#socket.on('end', () => end());
    this.#socket.on('close', () => end());
    this.#socket.on('error', (error) => end(error));
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.#socket.destroyed) return;
    if (this.#socket.write(chunk)) return;
    return new Promise((resolve) => {
      const done = () => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.on('drain', done);
      this.#socket.on('close', done);
    });
  }

  close(): void {
    this.#socket.end();
    this.#socket.destroySoon();
  }
}

/** Two connected ByteStreams and a teardown. */
export interface StreamPair {
  a: ByteStream;
  b: ByteStream;
  dispose(): void;
}

/** A pair over loopback TCP (127.0.0.1, port 0). */
export async function tcpPair(): Promise<StreamPair> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const socket = await accepted;
  server.close();
  return {
    a: new TestSocketStream(client),
    b: new TestSocketStream(socket),
    dispose() {
      client.destroy();
      socket.destroy();
    },
  };
}

export function memoryPair(): Promise<StreamPair> {
  const [a, b] = memoryPipe();
  return Promise.resolve({ a, b, dispose() {} });
}

/** The transports every lifecycle test runs over (as hashicorp/yamux's testConnTypes). */
export const TRANSPORTS: [string, () => Promise<StreamPair>][] = [
  ['memory pipe', memoryPair],
  ['loopback TCP', tcpPair],
];
