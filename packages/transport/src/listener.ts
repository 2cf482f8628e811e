import type { ByteStream, ByteStreamSink } from '@petrichor/mux';
import { TransportError } from './errors.js';
import { checkOption, TRANSPORT_DEFAULTS, type CloseOptions } from './options.js';

/** A listening endpoint, from `listen()`. */
export interface Listener {
  /** The URL actually listened on, e.g. `tcp://127.0.0.1:43121` after asking for port 0. */
  readonly url: string;
  /** Streams accepted and not yet ended. */
  readonly connections: number;
  /**
   * Connections refused since the listener started because `maxConnections` were open: the sign
   * that the cap is too low, or that someone is opening connections without end.
   */
  readonly refused: number;
  /**
   * Graceful shutdown: stops accepting at once; streams already accepted go on until they end or
   * `graceMs` passes (default 5 s), then each one left ends with `TRANSPORT_CLOSED`. Resolves once
   * every stream has ended and the address is released. Idempotent.
   */
  close(options?: CloseOptions): Promise<void>;
}

/**
 * The `maxConnections` option: an integer of at least 1, or `Infinity` for no cap (RangeError
 * otherwise). Default {@link TRANSPORT_DEFAULTS}.maxConnections.
 */
export function connectionCap(value: number | undefined): number {
  return value === Infinity ? value : checkOption('maxConnections', value, TRANSPORT_DEFAULTS.maxConnections, 1, Number.MAX_SAFE_INTEGER);
}

/** What a transport's server side gives {@link Connections}: a stream, and how to cut it short. */
export interface Accepted {
  readonly stream: ByteStream;
  /** Ends the stream with `error` on our side and drops the connection. */
  abort(error: Error): void;
}

/**
 * The streams a listener has handed out: counts them, hands each one to `onStream` wrapped so that
 * its end is seen, and on shutdown waits for them, then aborts what is left.
 */
export class Connections {
  readonly #live = new Set<TrackedStream>();
  readonly #onStream: (stream: ByteStream) => void;
  #closing: Promise<void> | undefined;
  #emptied: (() => void) | undefined;

  constructor(onStream: (stream: ByteStream) => void) {
    this.#onStream = onStream;
  }

  get size(): number {
    return this.#live.size;
  }

  get closing(): boolean {
    return this.#closing !== undefined;
  }

  /** Hands a new stream to the application (or drops it if shutdown has begun). */
  accept(accepted: Accepted): void {
    if (this.#closing !== undefined) {
      accepted.abort(closedError());
      return;
    }
    const tracked = new TrackedStream(accepted, (stream) => this.#ended(stream));
    this.#live.add(tracked);
    this.#onStream(tracked);
  }

  /**
   * Shuts down: `server.stop()` at once (no new connections), then waits for every stream to end
   * for at most `graceMs`, aborts the rest, and resolves after `server.released()` (connections
   * still in a handshake dropped, the address free). Idempotent.
   */
  close(options: CloseOptions | undefined, server: { stop(): void; released(): Promise<void> }): Promise<void> {
    if (this.#closing === undefined) {
      const graceMs = checkOption('graceMs', options?.graceMs, TRANSPORT_DEFAULTS.graceMs, 0, 2 ** 31 - 1);
      this.#closing = this.#close(graceMs, server);
    }
    return this.#closing;
  }

  async #close(graceMs: number, server: { stop(): void; released(): Promise<void> }): Promise<void> {
    server.stop();
    if (this.#live.size > 0 && graceMs > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#emptied = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      clearTimeout(timer);
      this.#emptied = undefined;
    }
    for (const stream of [...this.#live]) stream.abort(closedError());
    await server.released();
  }

  #ended(stream: TrackedStream): void {
    this.#live.delete(stream);
    if (this.#live.size === 0) this.#emptied?.();
  }
}

function closedError(): TransportError {
  return new TransportError('TRANSPORT_CLOSED', 'the listener shut down and its grace period is over');
}

/** A server-side stream whose end (seen, or caused by close/abort) is reported once. */
class TrackedStream implements ByteStream {
  readonly #inner: ByteStream;
  readonly #abort: (error: Error) => void;
  readonly #onEnd: (stream: TrackedStream) => void;
  #sink: ByteStreamSink | undefined;
  #ended = false;
  declare writev?: (chunks: Uint8Array[]) => void | Promise<void>;
  declare localAddress?: string;
  declare remoteAddress?: string;

  constructor(accepted: Accepted, onEnd: (stream: TrackedStream) => void) {
    const inner = accepted.stream;
    this.#inner = inner;
    this.#abort = accepted.abort;
    this.#onEnd = onEnd;
    if (inner.writev !== undefined) this.writev = (chunks) => inner.writev!(chunks);
    if (inner.localAddress !== undefined) this.localAddress = inner.localAddress;
    if (inner.remoteAddress !== undefined) this.remoteAddress = inner.remoteAddress;
  }

  start(sink: ByteStreamSink): void {
    if (this.#sink !== undefined) throw new Error('start() called twice');
    this.#sink = sink;
    this.#inner.start({
      data: (chunk) => {
        if (!this.#ended) sink.data(chunk);
      },
      end: (error) => this.#end(error),
    });
  }

  write(chunk: Uint8Array): void | Promise<void> {
    return this.#inner.write(chunk);
  }

  close(): void {
    this.#inner.close();
    // A stream whose sink never started cannot report its end: closing it is the end.
    if (this.#sink === undefined) this.#end(undefined);
  }

  abort(error: Error): void {
    if (this.#ended) return;
    this.#end(error);
    this.#abort(error);
  }

  #end(error: Error | undefined): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#sink?.end(error);
    this.#onEnd(this);
  }
}
