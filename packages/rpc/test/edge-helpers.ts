/** Setups for the edge tests (control, relay, endpoints): servers over memory pipes and loopback TCP. */
import net from 'node:net';
import { memoryPipe, type ByteStream } from '@petrichor/mux';
import { socketStream } from '@petrichor/mux/node';
import { Client, type ClientOptions, type Server } from '../src/all.js';

/** A client of `server` over a fresh memory pipe. */
export async function memoryClient(server: Server, options: ClientOptions = {}): Promise<Client> {
  const [a, b] = memoryPipe();
  void server.serve(b);
  return Client.connect(a, { user: 'test', ...options });
}

/** A loopback TCP listener for `server` that can be killed (every socket destroyed) and restarted on its port. */
export interface TcpBackend {
  readonly server: Server;
  readonly port: number;
  /** A fresh connection to it, as a byte stream. */
  connect(): ByteStream;
  /** Destroys every open socket and stops listening: the peer sees the connection die. */
  kill(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  /** Connections accepted so far. */
  readonly accepted: number;
}

export async function tcpBackend(server: Server, port = 0): Promise<TcpBackend> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let listener: net.Server;
  const start = (at: number): Promise<number> => {
    listener = net.createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      void server.serve(socketStream(socket));
    });
    return new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(at, '127.0.0.1', () => resolve((listener.address() as net.AddressInfo).port));
    });
  };
  const bound = await start(port);
  return {
    server,
    port: bound,
    connect: () => socketStream(net.connect(bound, '127.0.0.1')),
    async kill() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
    async restart() {
      await start(bound);
    },
    get accepted() {
      return accepted;
    },
  };
}

/** Resolves once `check()` is true, polling every 5 ms; rejects after `ms`. */
export async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A promise and its resolver, for handlers the test releases by hand. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
