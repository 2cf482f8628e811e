/**
 * A faulty network on loopback: a TCP proxy (`node:net`) between a client and a server that
 * delays, splits writes, stalls and cuts connections, every choice drawn from a seeded PRNG so a
 * failing run can be replayed by its seed (the timing around the choices is the machine's).
 */
import net from 'node:net';

/** mulberry32: a small, fast, seedable PRNG; values in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How hostile the network is. Probabilities are per piece forwarded. */
export interface Faults {
  /** Longest delay before a piece is forwarded, ms. */
  maxDelayMs: number;
  /** Chance a chunk is split into several pieces (each forwarded by its own write). */
  split: number;
  /** Chance of a stall before a piece, and its longest length, ms. */
  stall: number;
  maxStallMs: number;
  /** Chance the connection is cut (both sides destroyed) before a piece, after part of it went. */
  cut: number;
  /** Every connection is cut after a random lifetime up to this, ms (0: no time limit). */
  maxLifetimeMs: number;
}

export class ChaosProxy {
  /** The URL to connect to instead of the server's. */
  url = '';
  /** Connections accepted, and those the proxy cut. */
  connections = 0;
  cuts = 0;
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  readonly #seed: number;
  readonly #faults: Faults;
  readonly #target: { host: string; port: number };

  private constructor(target: string, seed: number, faults: Faults) {
    const { hostname, port } = new URL(target);
    this.#target = { host: hostname, port: Number(port) };
    this.#seed = seed;
    this.#faults = faults;
    this.#server = net.createServer((client) => this.#connection(client));
  }

  /** Starts a proxy on 127.0.0.1 (port 0) in front of the `tcp://` URL `target`. */
  static async start(target: string, seed: number, faults: Faults): Promise<ChaosProxy> {
    const proxy = new ChaosProxy(target, seed, faults);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.url = `tcp://127.0.0.1:${(proxy.#server.address() as net.AddressInfo).port}`;
    return proxy;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #connection(client: net.Socket): void {
    // Each connection and direction draws from its own stream: its choices depend on the seed and
    // the connection's index only, not on how the two directions interleave.
    const index = ++this.connections;
    const random = prng(this.#seed * 7919 + index * 3);
    const upstream = net.connect(this.#target.port, this.#target.host);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      socket.on('error', () => {});
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    }
    let cut = false;
    const cutNow = (): void => {
      if (cut) return;
      cut = true;
      this.cuts++;
      client.destroy();
      upstream.destroy();
    };
    const faults = this.#faults;
    if (faults.maxLifetimeMs > 0) {
      const timer = setTimeout(cutNow, 50 + random() * faults.maxLifetimeMs);
      client.once('close', () => clearTimeout(timer));
    }
    // A clean end on one side is passed on; any close ends both.
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    relay(client, upstream, prng(this.#seed * 7919 + index * 3 + 1), faults, cutNow, () => cut);
    relay(upstream, client, prng(this.#seed * 7919 + index * 3 + 2), faults, cutNow, () => cut);
  }
}

/** Forwards `from` to `to` in order, piece by piece, with the faults drawn from `random`. */
function relay(from: net.Socket, to: net.Socket, random: () => number, faults: Faults, cut: () => void, isCut: () => boolean): void {
  const queue: Buffer[] = [];
  let pumping = false;
  let ended = false;
  const pump = async (): Promise<void> => {
    pumping = true;
    // Bounded: each turn forwards or drops one queued chunk; it ends when the queue is empty.
    while (queue.length > 0 && !isCut()) {
      const chunk = queue.shift()!;
      const pieces = random() < faults.split ? splitAt(chunk, random) : [chunk];
      for (const piece of pieces) {
        if (random() < faults.stall) await sleep(random() * faults.maxStallMs);
        else if (faults.maxDelayMs > 0) await sleep(random() * faults.maxDelayMs);
        if (isCut()) break;
        if (random() < faults.cut) {
          // Part of the piece goes, then the line is cut: the peer sees a message end mid-frame.
          to.write(piece.subarray(0, Math.floor(random() * piece.length)));
          cut();
          break;
        }
        if (!to.write(piece)) await new Promise((resolve) => to.once('drain', resolve).once('close', resolve));
      }
    }
    pumping = false;
    if (ended) to.end();
    else from.resume();
  };
  from.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    if (queue.length > 16) from.pause(); // back-pressure: the proxy holds a few chunks at most
    if (!pumping) void pump();
  });
  from.on('end', () => {
    ended = true;
    if (!pumping) to.end();
  });
}

function splitAt(chunk: Buffer, random: () => number): Buffer[] {
  const pieces: Buffer[] = [];
  let at = 0;
  // At most 8 pieces: bounded however the draws fall.
  for (let i = 0; i < 7 && at < chunk.length - 1; i++) {
    const next = at + 1 + Math.floor(random() * (chunk.length - at - 1));
    pieces.push(chunk.subarray(at, next));
    at = next;
  }
  pieces.push(chunk.subarray(at));
  return pieces;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
