/**
 * The floor: what any RPC over one TCP connection must at least cost. Each request is
 * `[id, body]` in msgpack (`@msgpack/msgpack`, straight, no data-model mapping) behind a 4-byte
 * big-endian length; the server decodes it, hands the body to the handler and writes
 * `[id, result]` back the same way. Calls are pipelined: a caller writes at once and a map of ids
 * wakes it when its reply arrives, so concurrent callers share the socket without waiting on each
 * other. One copy per frame on each write (the encoder's output into the framed buffer).
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import { connect, listen } from '../../mux/bench/tcp.js';
import { fail, type Client, type Server } from './workload.js';

/** The parts of `@msgpack/msgpack` used here (it is a dependency of @petrichor/wire, not of rpc). */
interface Msgpack {
  Encoder: new () => { encodeSharedRef(value: unknown): Uint8Array };
  Decoder: new () => { decode(bytes: Uint8Array): unknown };
}
const msgpack = createRequire(new URL('../../wire/package.json', import.meta.url))('@msgpack/msgpack') as Msgpack;

const PREFIX = 4;

/** Encodes `value` and writes it behind its length, in one socket write. */
function writeFrame(socket: net.Socket, encoder: InstanceType<Msgpack['Encoder']>, value: unknown): void {
  const payload = encoder.encodeSharedRef(value);
  const frame = new Uint8Array(PREFIX + payload.byteLength);
  new DataView(frame.buffer).setUint32(0, payload.byteLength);
  frame.set(payload, PREFIX);
  socket.write(frame);
}

/**
 * Splits a byte stream into length-prefixed frames. A frame that lies whole in a chunk is handed
 * out as a view of it; one that spans chunks is gathered into a buffer of its exact size.
 */
export function frameReader(onFrame: (frame: Uint8Array) => void): (chunk: Uint8Array) => void {
  const head = new Uint8Array(PREFIX);
  let headFilled = 0;
  let partial: Uint8Array | undefined;
  let filled = 0;
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (partial !== undefined) {
        const n = Math.min(partial.length - filled, chunk.length - at);
        partial.set(chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === partial.length) {
          const frame = partial;
          partial = undefined;
          onFrame(frame);
        }
        continue;
      }
      if (headFilled === 0 && chunk.length - at >= PREFIX) {
        const size = ((chunk[at]! << 24) | (chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) | chunk[at + 3]!) >>> 0;
        at += PREFIX;
        if (chunk.length - at >= size) {
          onFrame(chunk.subarray(at, at + size));
          at += size;
        } else {
          partial = new Uint8Array(size);
          filled = 0;
        }
        continue;
      }
      // The length itself is split across chunks.
      while (headFilled < PREFIX && at < chunk.length) head[headFilled++] = chunk[at++]!;
      if (headFilled < PREFIX) return;
      headFilled = 0;
      partial = new Uint8Array(new DataView(head.buffer).getUint32(0));
      filled = 0;
      if (partial.length === 0) {
        partial = undefined;
        onFrame(new Uint8Array(0));
      }
    }
  };
}

/** The echo handler's server. */
export async function floorServer(): Promise<Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const encoder = new msgpack.Encoder();
    const decoder = new msgpack.Decoder();
    socket.on(
      'data',
      frameReader((frame) => {
        const [id, body] = decoder.decode(frame) as [number, Uint8Array];
        writeFrame(socket, encoder, [id, body]);
      }),
    );
  });
  return listen(server, sockets);
}

export async function floorClient(port: number): Promise<Client> {
  const socket = await connect(port);
  const encoder = new msgpack.Encoder();
  const decoder = new msgpack.Decoder();
  const waiting = new Map<number, { resolve: (body: Uint8Array) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  socket.on(
    'data',
    frameReader((frame) => {
      const [id, body] = decoder.decode(frame) as [number, Uint8Array];
      const waiter = waiting.get(id);
      if (waiter === undefined) fail(`floor: reply to unknown call ${id}`);
      waiting.delete(id);
      waiter.resolve(body);
    }),
  );
  socket.on('close', () => {
    for (const waiter of waiting.values()) waiter.reject(new Error('bench: floor connection closed'));
    waiting.clear();
  });
  return {
    echo(body) {
      const id = nextId++ & 0x7fffffff;
      writeFrame(socket, encoder, [id, body]);
      return new Promise((resolve, reject) => waiting.set(id, { resolve, reject }));
    },
    async close() {
      socket.destroy();
    },
  };
}
