import type { ByteStream, ByteStreamSink } from './stream.js';

/**
 * A connected pair of in-memory {@link ByteStream}s: what one end writes, the other receives, in
 * order, one microtask later (never re-entrantly). Closing either end ends both. For tests, and
 * for sessions inside one process (the `mem://` transport).
 */
export function memoryPipe(): [ByteStream, ByteStream] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class MemoryEnd implements ByteStream {
  peer!: MemoryEnd;
  #sink: ByteStreamSink | null = null;
  /** What arrived before start(), in order; `null` marks the end. */
  #early: (Uint8Array | null)[] = [];
  #closed = false;
  #ended = false;

  start(sink: ByteStreamSink): void {
    this.#sink = sink;
    for (const item of this.#early) this.#deliver(item);
    this.#early = [];
  }

  write(chunk: Uint8Array): void {
    if (this.#closed) return;
    this.peer.#deliver(chunk);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.peer.#closed = true;
    this.peer.#deliver(null);
    this.#deliver(null);
  }

  #deliver(item: Uint8Array | null): void {
    const sink = this.#sink;
    if (sink === null) {
      this.#early.push(item);
      return;
    }
    queueMicrotask(() => {
      if (this.#ended) return;
      if (item !== null) return sink.data(item);
      this.#ended = true;
      sink.end();
    });
  }
}
