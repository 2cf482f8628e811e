/**
 * Plain TCP, the baseline: the same workload on one socket with no multiplexing.
 * (a) a raw write of the bytes, (b) one socket echoing all channels' bytes (100 × 1 MiB),
 * (c) a 64-byte ping-pong on the open socket (no open, no close).
 */
import net from 'node:net';
import { block, CHUNK, fail, ping, PING_BYTES, type Client, type Mode, type Server } from './workload.js';

export async function tcpServer(mode: Mode, ackEvery = 0): Promise<Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (mode === 'echo') {
      socket.pipe(socket);
      return;
    }
    if (mode === 'hold') return;
    let count = 0;
    socket.on('data', (chunk: Buffer) => {
      count += chunk.byteLength;
      for (; count >= ackEvery; count -= ackEvery) socket.write(block.subarray(0, 1));
    });
  });
  return listen(server, sockets);
}

export async function listen(server: net.Server, sockets: Set<net.Socket>): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Writes `total` bytes in {@link CHUNK} writes, waiting for 'drain' whenever the socket is full. */
async function writeAll(socket: net.Socket, total: number): Promise<void> {
  for (let sent = 0; sent < total; sent += CHUNK) {
    if (!socket.write(block)) await new Promise((resolve) => socket.once('drain', resolve));
  }
}

export async function tcpClient(port: number): Promise<Client> {
  const socket = await connect(port);
  // Counts the bytes the server sends and wakes whoever waits for a given count.
  let received = 0;
  let want = Infinity;
  let waiter: { resolve: () => void; reject: (error: Error) => void } | undefined;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.byteLength;
    if (received >= want) waiter?.resolve();
  });
  socket.on('close', () => waiter?.reject(new Error('bench: tcp connection closed')));
  const until = async (bytes: number): Promise<void> => {
    want = received + bytes;
    if (received < want) await new Promise<void>((resolve, reject) => (waiter = { resolve, reject }));
    if (received !== want) fail(`tcp: expected ${want} bytes, got ${received}`);
    received = 0;
    want = Infinity;
    waiter = undefined;
  };
  return {
    async sink(total) {
      const answered = until(1);
      await writeAll(socket, total);
      await answered;
    },
    async echo(channels, bytes) {
      const total = channels * bytes;
      const echoed = until(total);
      await writeAll(socket, total);
      await echoed;
    },
    async pingPong(count) {
      for (let i = 0; i < count; i++) {
        const echoed = until(PING_BYTES);
        socket.write(ping);
        await echoed;
      }
    },
    async close() {
      socket.destroy();
    },
  };
}
