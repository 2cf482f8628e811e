import type { ByteStream, ByteStreamSink } from '@petrichor/mux';

/** Up to this many bytes, the chunks of a turn are copied into one buffer: cheaper than a gathered write. */
const JOIN_LIMIT = 8 * 1024;
/**
 * Joined writes are carved out of slabs of this size, so that a turn's write allocates no
 * buffer of its own (an ArrayBuffer costs about a microsecond). A slab is never written twice:
 * the transport may hold the views it was given until they are sent.
 */
const SLAB_SIZE = 32 * 1024;

/**
 * Held bytes past which a write goes out at once: a turn that writes a lot (streams on many
 * channels) is written in pieces of this size, and a full transport holds the session back
 * (its write's promise), so nothing piles up here beyond this.
 */
const FLUSH_BYTES = 256 * 1024;
const NOTHING = new Uint8Array(0);

/** Runs `task` once the current macrotask and its microtasks are done (Node: `setImmediate`). */
const later: (task: () => void) => void =
  typeof globalThis.setImmediate === 'function'
    ? (task) => void globalThis.setImmediate(task)
    : (task) => void setTimeout(task, 0);

/**
 * A ByteStream that holds the writes of one event-loop turn and hands them to the transport in
 * one write at its end (spec/rpc.md §2.4). The qmux outbox already joins the frames of one
 * microtask turn; an rpc call spans several (the CLOSE that qmux sends back the moment a reply
 * arrives, then the caller's next request; the CONFIRM of a pre-opened channel, then the reply
 * the handler makes a few microtasks later). Joined per macrotask, a unary call costs one
 * transport write each way, as a bare request/response protocol does.
 *
 * Backpressure is kept: past 256 KiB held, the bytes go out at once; when the transport's write
 * returns a promise (it is full), every write returns that promise until it settles, and the
 * session waits.
 */
export class CoalescingStream implements ByteStream {
  readonly #inner: ByteStream;
  /** Held chunks: the first `#count` entries (the list is reused from turn to turn). */
  readonly #pending: Uint8Array[] = [];
  #count = 0;
  #pendingBytes = 0;
  #slab = new Uint8Array(0);
  #slabUsed = 0;
  #urgent = false;
  #scheduled = false;
  #blocked: Promise<void> | null = null;
  /** Why the transport's write failed, once it did: thrown to the session's next write. */
  #failure: unknown = undefined;
  #closed = false;
  writev?: (chunks: Uint8Array[]) => void | Promise<void>;
  declare readonly localAddress?: string;
  declare readonly remoteAddress?: string;

  constructor(inner: ByteStream) {
    this.#inner = inner;
    if (inner.writev !== undefined) {
      this.writev = (chunks) => {
        for (const chunk of chunks) this.#hold(chunk);
        return this.#queued();
      };
    }
    Object.defineProperties(this, {
      localAddress: { get: () => inner.localAddress, enumerable: true },
      remoteAddress: { get: () => inner.remoteAddress, enumerable: true },
    });
  }

  start(sink: ByteStreamSink): void {
    this.#inner.start(sink);
  }

  write(chunk: Uint8Array): void | Promise<void> {
    this.#hold(chunk);
    return this.#queued();
  }

  #hold(chunk: Uint8Array): void {
    this.#pending[this.#count++] = chunk;
    this.#pendingBytes += chunk.length;
  }

  /**
   * The frames just queued complete a request or a reply, or return window a sender may be
   * stalled on (the qmux outbox calls this, as `ByteStream.urgent`): the next write (the
   * session's flush of them, a microtask later) goes to the transport at once, with whatever is
   * held, instead of at the end of the turn. Work the turn still has to do then overlaps with the network.
   */
  urgent(): void {
    this.#urgent = true;
  }

  /** Flushes what is held, then closes the transport. */
  close(): void {
    if (this.#closed) return;
    this.#flush();
    this.#closed = true;
    this.#inner.close();
  }

  #queued(): void | Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#urgent || this.#pendingBytes >= FLUSH_BYTES) {
      this.#urgent = false;
      this.#flush();
    } else if (!this.#scheduled && !this.#closed) {
      this.#scheduled = true;
      later(this.#flushLater);
    }
    return this.#blocked ?? undefined;
  }

  readonly #flushLater = (): void => {
    this.#scheduled = false;
    this.#flush();
  };

  /**
   * The chunks as one buffer: one view when they lie back to back in one buffer (the qmux
   * outbox writes consecutive parts of its slab), else copied into a fresh part of the current slab.
   */
  #join(chunks: readonly Uint8Array[], count: number): Uint8Array {
    const size = this.#pendingBytes;
    const first = chunks[0]!;
    let end = first.byteOffset + first.length;
    for (let k = 1; k < count; k++) {
      const chunk = chunks[k]!;
      if (chunk.buffer !== first.buffer || chunk.byteOffset !== end) break;
      end += chunk.length;
    }
    if (end - first.byteOffset === size) return new Uint8Array(first.buffer, first.byteOffset, size);
    let out: Uint8Array;
    if (size <= JOIN_LIMIT) {
      if (this.#slabUsed + size > this.#slab.length) {
        this.#slab = new Uint8Array(SLAB_SIZE);
        this.#slabUsed = 0;
      }
      out = this.#slab.subarray(this.#slabUsed, this.#slabUsed + size);
      this.#slabUsed += size;
    } else {
      out = new Uint8Array(size);
    }
    let at = 0;
    for (let k = 0; k < count; k++) {
      out.set(chunks[k]!, at);
      at += chunks[k]!.length;
    }
    return out;
  }

  readonly #flush = (): void => {
    const count = this.#count;
    if (count === 0 || this.#closed) return;
    const chunks = this.#pending;
    const inner = this.#inner;
    // What goes out is settled before the transport is called (it could call back into us).
    let out: Uint8Array | Uint8Array[];
    if (count === 1) out = chunks[0]!;
    else if (inner.writev !== undefined && this.#pendingBytes > JOIN_LIMIT) out = chunks.slice(0, count);
    else out = this.#join(chunks, count);
    for (let k = 0; k < count; k++) chunks[k] = NOTHING; // no references kept past the turn
    this.#count = 0;
    this.#pendingBytes = 0;
    let result: void | Promise<void>;
    try {
      result = out instanceof Uint8Array ? inner.write(out) : inner.writev!(out);
    } catch (error) {
      this.#failure = error; // the session's next write throws it, and the session ends
      return;
    }
    if (result === undefined) return;
    // The transport is full: the session's writes wait for it (and see it fail, if it does).
    this.#blocked = result;
    result.then(
      () => {
        if (this.#blocked === result) this.#blocked = null;
      },
      (error: unknown) => {
        this.#failure = error;
      },
    );
  };
}


