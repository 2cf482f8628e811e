import type { ByteStream, ByteStreamSink } from '../../src/stream.js';

/** A small seeded PRNG (xorshift32): property runs replay exactly from their seed. */
export function prng(seed: number): (n: number) => number {
  let x = seed | 0 || 0x9e3779b9;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

/**
 * A connected pair of ByteStreams that re-chunk what they carry at random: bytes written are
 * gathered (several writes merge) and handed over later (a microtask or a macrotask later)
 * in slices of random size (messages split anywhere). Order is kept, as TCP keeps it.
 */
export function chunkingPipe(seed: number): [ByteStream, ByteStream] {
  const random = prng(seed);
  const a = new ChunkingEnd(random);
  const b = new ChunkingEnd(random);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class ChunkingEnd implements ByteStream {
  peer!: ChunkingEnd;
  #sink: ByteStreamSink | null = null;
  #incoming: Uint8Array[] = [];
  #scheduled = false;
  #ending = false;
  #ended = false;
  #closed = false;
  readonly #random: (n: number) => number;

  constructor(random: (n: number) => number) {
    this.#random = random;
  }

  start(sink: ByteStreamSink): void {
    this.#sink = sink;
    this.#schedule();
  }

  write(chunk: Uint8Array): void {
    if (this.#closed) return;
    this.peer.#incoming.push(chunk.slice());
    this.peer.#schedule();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.peer.#closed = true;
    this.#ending = true;
    this.peer.#ending = true;
    this.#schedule();
    this.peer.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#sink === null) return;
    this.#scheduled = true;
    if (this.#random(2) === 0) queueMicrotask(() => this.#deliver());
    else setImmediate(() => this.#deliver());
  }

  #deliver(): void {
    this.#scheduled = false;
    const sink = this.#sink!;
    if (this.#ended) return;
    const total = this.#incoming.reduce((sum, c) => sum + c.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const c of this.#incoming.splice(0)) {
      all.set(c, at);
      at += c.length;
    }
    for (let from = 0; from < total; ) {
      const size = 1 + this.#random(Math.min(total - from, this.#random(3) === 0 ? 4 : 600));
      sink.data(all.subarray(from, from + size));
      from += size;
      if (this.#ended) return;
    }
    if (this.#ending) {
      this.#ended = true;
      sink.end();
    }
  }
}
