/** A ByteStream whose far end is the fuzzer: it delivers hostile bytes and records what was written. */
import type { ByteStream, ByteStreamSink } from '@petrichor/mux';
import { invariant } from './harness.js';

/** A transport whose far end is the fuzzer. */
export class FuzzStream implements ByteStream {
  sink: ByteStreamSink | null = null;
  readonly written: Uint8Array[] = [];
  closed = false;
  /** While set, writes report "full" with this promise. */
  blocked: { promise: Promise<void>; release: () => void } | null = null;

  start(sink: ByteStreamSink): void {
    invariant(this.sink === null, () => 'start() called twice');
    this.sink = sink;
  }

  write(chunk: Uint8Array): void | Promise<void> {
    this.written.push(chunk.slice());
    return this.blocked?.promise;
  }

  writev(chunks: Uint8Array[]): void | Promise<void> {
    for (const chunk of chunks) this.written.push(chunk.slice());
    return this.blocked?.promise;
  }

  close(): void {
    this.closed = true;
  }

  block(): void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.blocked = { promise, release };
  }

  unblock(): void {
    this.blocked?.release();
    this.blocked = null;
  }
}

/** Lets queued microtasks, batched flushes and immediate timers run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
