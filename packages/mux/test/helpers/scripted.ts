import type { ByteStream, ByteStreamSink } from '../../src/stream.js';
import { concat, unhex } from './bytes.js';

/**
 * A transport whose other end is the test: it plays a raw qmux peer by writing crafted bytes
 * ({@link send}) and reads back exactly what the session wrote ({@link take}).
 */
export class ScriptedStream implements ByteStream {
  #sink: ByteStreamSink | null = null;
  readonly writes: Uint8Array[] = [];
  closed = false;
  /** When set, write() returns this promise (the transport is "full"). */
  blockWith: Promise<void> | null = null;
  readonly localAddress = 'scripted:local';
  readonly remoteAddress = 'scripted:remote';

  start(sink: ByteStreamSink): void {
    if (this.#sink !== null) throw new Error('start() called twice');
    this.#sink = sink;
  }

  write(chunk: Uint8Array): void | Promise<void> {
    this.writes.push(chunk.slice());
    return this.blockWith ?? undefined;
  }

  close(): void {
    this.closed = true;
  }

  /** The peer sends `bytes` (hex accepted) as one chunk. */
  send(bytes: Uint8Array | string): void {
    this.#sink!.data(typeof bytes === 'string' ? unhex(bytes) : bytes);
  }

  /** The transport ends (cleanly, or with `error`). */
  end(error?: Error): void {
    if (error === undefined) this.#sink!.end();
    else this.#sink!.end(error);
  }

  /** Everything written since the last take(), as one buffer. */
  take(): Uint8Array {
    return concat(this.writes.splice(0));
  }
}

/** Lets queued microtasks and the session's batched flush run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
