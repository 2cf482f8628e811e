/** WebSocket plumbing for the candidates that run over `ws` (capnweb, json-rpc-2.0): defaults, no compression. */
import { WebSocket, WebSocketServer } from 'ws';
import type { Server } from './workload.js';

/** Listens on 127.0.0.1 and hands each accepted connection to `accept`. */
export async function wsServer(accept: (socket: WebSocket) => void): Promise<Server> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', accept);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of server.clients) socket.terminate();
        server.close(() => resolve());
      }),
  };
}

/** An open connection to a {@link wsServer}. */
export async function wsConnect(port: number): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}
