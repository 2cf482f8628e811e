/**
 * `json-rpc-2.0` over WebSocket, as its README pairs them: a `JSONRPCServerAndClient` at each end
 * of a `ws` socket, one JSON text message per request or response. JSON has no bytes, so the body
 * crosses as base64 text: the caller encodes it and decodes the result, and the server's handler
 * decodes it to bytes and encodes what it returns, as a user sending bytes over JSON-RPC must.
 */
import { Buffer } from 'node:buffer';
import { JSONRPCClient, JSONRPCServer, JSONRPCServerAndClient } from 'json-rpc-2.0';
import type { WebSocket } from 'ws';
import { wsConnect, wsServer } from './ws.js';
import type { Client, Server } from './workload.js';

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const fromBase64 = (text: string): Uint8Array => Buffer.from(text, 'base64');

/** Both roles of json-rpc-2.0 on one socket, wired the README's way. */
function endpoint(socket: WebSocket): JSONRPCServerAndClient {
  const peer = new JSONRPCServerAndClient(
    new JSONRPCServer(),
    new JSONRPCClient((request) => {
      socket.send(JSON.stringify(request));
    }),
  );
  socket.on('message', (data) => void peer.receiveAndSend(JSON.parse(String(data))));
  socket.on('close', () => peer.rejectAllPendingRequests('connection closed'));
  return peer;
}

export function jsonrpcServer(): Promise<Server> {
  return wsServer((socket) => {
    const peer = endpoint(socket);
    peer.addMethod('echo', (params: unknown) => toBase64(fromBase64((params as { body: string }).body)));
  });
}

export async function jsonrpcClient(port: number): Promise<Client> {
  const socket = await wsConnect(port);
  const peer = endpoint(socket);
  return {
    echo: async (body) => fromBase64((await peer.request('echo', { body: toBase64(body) })) as string),
    async close() {
      socket.terminate();
    },
  };
}
