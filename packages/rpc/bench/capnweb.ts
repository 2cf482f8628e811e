/**
 * `capnweb` over WebSocket, as its README runs it on Node: `newWebSocketRpcSession` on a `ws`
 * socket at both ends, the server exposing an `RpcTarget` whose `echo(body)` returns the body.
 * Bytes travel as capnweb encodes a `Uint8Array` in its JSON messages (base64).
 */
import { newWebSocketRpcSession, RpcTarget } from 'capnweb';
import { WebSocket } from 'ws';
import { wsConnect, wsServer } from './ws.js';
import type { Client, Server } from './workload.js';

// capnweb's WebSocket transport reads `WebSocket.CONNECTING` from the global, which Node 20 lacks.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

class EchoTarget extends RpcTarget {
  echo(body: Uint8Array): Uint8Array {
    return body;
  }
}

interface EchoApi {
  echo(body: Uint8Array): Uint8Array;
}

export function capnwebServer(): Promise<Server> {
  // ws's socket has the standard addEventListener/send/close surface capnweb uses.
  return wsServer((socket) => void newWebSocketRpcSession(socket as unknown as globalThis.WebSocket, new EchoTarget()));
}

export async function capnwebClient(port: number): Promise<Client> {
  const socket = await wsConnect(port);
  const stub = newWebSocketRpcSession<EchoApi>(socket as unknown as globalThis.WebSocket);
  return {
    echo: async (body) => await stub.echo(body),
    async close() {
      stub[Symbol.dispose]();
      socket.terminate();
    },
  };
}
