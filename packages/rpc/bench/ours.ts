/**
 * Ours: `@petrichor/rpc` over one loopback TCP connection (`socketStream` from
 * `@petrichor/mux/node`), default options but one: both ends decode with `text: false`, so a
 * tnetstring byte string stays a `Uint8Array` (the default shape turns it into a `string` and
 * refuses bytes that are not UTF-8). msgpack keeps bytes either way. The handler is a route
 * `echo /echo` returning `ctx.body`.
 *
 * s-expressions have no bytes, only text: with the sexpr codec the body is sent as text of the
 * same length (base64 characters of the body), converted once outside the timed calls, and the
 * echoed text is compared with what was sent.
 */
import { Buffer } from 'node:buffer';
import net from 'node:net';
import { socketStream } from '@petrichor/mux/node';
import { Client as RpcClient, Server as RpcServer } from '@petrichor/rpc/all';
import { connect, listen } from '../../mux/bench/tcp.js';
import { fail, type Client, type OursCodec, type Server } from './workload.js';

const decode = { text: false };

export async function oursServer(): Promise<Server> {
  const rpc = new RpcServer({ decode });
  rpc.route('echo', '/echo', (ctx) => ctx.body);
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    void rpc.serve(socketStream(socket));
  });
  const listening = await listen(server, sockets);
  return {
    port: listening.port,
    async close() {
      await rpc.close({ deadlineMs: 0 });
      await listening.close();
    },
  };
}

export async function oursClient(port: number, codec: OursCodec = 'tnetstring'): Promise<Client> {
  const client = await RpcClient.connect(socketStream(await connect(port)), { codec, decode });
  const close = async () => void (await client.close());
  if (codec !== 'sexpr') {
    // The call's own promise, as the floor's echo returns its own: no wrapper adds a promise.
    return { echo: (body) => client.call('echo', '/echo', body) as Promise<Uint8Array>, close };
  }
  // The text sent for each body (the bench reuses a few bodies), made before the first timed call.
  const texts = new WeakMap<Uint8Array, string>();
  return {
    async echo(body) {
      let text = texts.get(body);
      if (text === undefined) texts.set(body, (text = Buffer.from(body).toString('base64').slice(0, body.byteLength)));
      const got = await client.call('echo', '/echo', text);
      if (got !== text) fail('ours (sexpr): echoed text differs');
      return body;
    },
    close,
  };
}
