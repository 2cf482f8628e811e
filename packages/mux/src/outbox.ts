import { writeFixed } from './frame/fixed.js';
import {
  MSG_CLOSE,
  MSG_DATA,
  MSG_EOF,
  MSG_OPEN,
  MSG_OPEN_CONFIRM,
  MSG_OPEN_FAILURE,
  MSG_WINDOW_ADJUST,
  headerSize,
  type MessageType,
} from './frame/message.js';
import type { ByteStream } from './stream.js';

/** Payloads up to this size are copied next to their header; larger ones are passed by reference. */
const COPY_LIMIT = 2048;
/**
 * Headers and small frames are encoded into a slab of this size, and each flush hands the
 * transport a view of the part it filled: no buffer is allocated per write (an ArrayBuffer costs
 * about a microsecond, and more in GC). A written part is never reused (the transport may hold
 * it until it is sent); the next flush's bytes follow it, so a stream that joins writes
 * (rpc's coalescing) finds them adjacent and joins them without a copy.
 */
const SLAB_SIZE = 16 * 1024;
const NO_SLAB = new Uint8Array(0);
/**
 * Flushes are scheduled as reactions to a settled promise: in Node, `queueMicrotask` wraps each
 * callback in an async resource, which costs more than the flush itself for a small call.
 */
const SETTLED = Promise.resolve();

/** What the outbox reports back to its session. */
export interface OutboxEvents {
  /** A flush went out and the transport is not blocked: writers waiting for room may go on. */
  drained(): void;
  /** The transport's write threw or rejected. */
  failed(error: unknown): void;
}

/**
 * Outgoing frames of one session, batched (spec/qmux.md §8): frames queued during one turn of the
 * event loop go out in ONE `write` (or `writev`) at the next microtask. Headers and small payloads
 * are encoded into a slab, written as views of it; large DATA payloads are kept by reference and joined
 * only when the stream has no `writev`. While a write's promise is pending (the transport is
 * full) nothing is written; frames keep queuing and {@link full} tells writers to wait.
 */
export class Outbox {
  readonly #stream: ByteStream;
  readonly #events: OutboxEvents;
  readonly #highWater: number;
  /** The slab frames are encoded into; the queued bytes are `#scratch[#start, #start + #length)`. */
  #scratch = new Uint8Array(SLAB_SIZE);
  #start = 0;
  #length = 0;
  /** Large payloads, each to be sent right after scratch byte `#marks[k]`. */
  #payloads: Uint8Array[] = [];
  #marks: number[] = [];
  #payloadBytes = 0;
  #scheduled = false;
  /** A WINDOW_ADJUST is queued: a sender may be stalled on it, so the stream is asked not to hold it. */
  #urgent = false;
  #blocked = false;
  #closed = false;

  constructor(stream: ByteStream, highWater: number, events: OutboxEvents) {
    this.#stream = stream;
    this.#highWater = highWater;
    this.#events = events;
  }

  /** Bytes queued and not yet handed to the transport. */
  get queuedBytes(): number {
    return this.#length + this.#payloadBytes;
  }

  /** True when writers should wait for {@link OutboxEvents.drained} before queuing more DATA. */
  get full(): boolean {
    return this.#length + this.#payloadBytes >= this.#highWater;
  }

  /**
   * True when the transport has been blocked while more than 4 × the high-water mark of small
   * frames piled up: replies (confirms, window adjusts, close replies) to a peer that keeps
   * sending but does not read. The session ends rather than buffer them without bound.
   */
  get overloaded(): boolean {
    return this.#blocked && this.#length > 4 * this.#highWater;
  }

  open(senderId: number, windowSize: number, maxPacketSize: number): void {
    this.#put(0, MSG_OPEN, senderId, windowSize, maxPacketSize);
  }

  openConfirm(recipientId: number, senderId: number, windowSize: number, maxPacketSize: number): void {
    this.#put(0, MSG_OPEN_CONFIRM, recipientId, senderId, windowSize, maxPacketSize);
  }

  openFailure(recipientId: number): void {
    this.#put(0, MSG_OPEN_FAILURE, recipientId);
  }

  windowAdjust(recipientId: number, additionalBytes: number): void {
    this.#put(0, MSG_WINDOW_ADJUST, recipientId, additionalBytes);
    this.#urgent = true;
  }

  /** Queues a DATA message. `payload` is kept by reference when large: the caller must not change it. */
  data(recipientId: number, payload: Uint8Array): void {
    const length = payload.length;
    const small = length <= COPY_LIMIT;
    const end = this.#put(small ? length : 0, MSG_DATA, recipientId, length);
    if (small) {
      this.#scratch.set(payload, end);
      return;
    }
    this.#marks.push(this.#length);
    this.#payloads.push(payload);
    this.#payloadBytes += length;
  }

  eof(recipientId: number): void {
    this.#put(0, MSG_EOF, recipientId);
  }

  close(recipientId: number): void {
    this.#put(0, MSG_CLOSE, recipientId);
  }

  /**
   * Hands what is queued to the transport now instead of at the next microtask (unless the
   * transport is blocked): for a sender that knows a request or reply is complete.
   */
  flushNow(): void {
    this.#flush();
  }

  /** Hands whatever is queued to the transport now (even if it is blocked), then stops for good. */
  shutdown(): void {
    if (this.#closed) return;
    if (this.queuedBytes > 0) {
      try {
        void Promise.resolve(this.#writeQueued()).catch(ignore);
      } catch {
        // The session is ending anyway; a failing transport has nothing more to tell it.
      }
    }
    this.#closed = true;
    this.#reset();
  }

  /**
   * Returns the offset where `size` bytes may be written, growing the scratch buffer if needed.
   * It may replace `#scratch`: callers read `#scratch` only after calling it.
   */
  /**
   * Queues the fixed part of a message of `type` (fields as {@link writeFixed} takes them), with
   * room for `payload` bytes after it; returns the offset after the fixed part.
   */
  #put(payload: number, type: MessageType, a: number, b?: number, c?: number, d?: number): number {
    const at = this.#reserve(headerSize(type) + payload); // first: it may replace the slab
    return writeFixed(this.#scratch, at, type, a, b, c, d);
  }

  #reserve(size: number): number {
    const queued = this.#length;
    if (this.#start + queued + size > this.#scratch.length) {
      // A new slab (bigger while frames pile up behind a blocked transport), the queued bytes moved to its start.
      const slab = new Uint8Array(Math.max(SLAB_SIZE, 2 * (queued + size)));
      slab.set(this.#scratch.subarray(this.#start, this.#start + queued));
      this.#scratch = slab;
      this.#start = 0;
    }
    const at = this.#start + queued;
    this.#length = queued + size;
    if (!this.#scheduled && !this.#blocked && !this.#closed) {
      this.#scheduled = true;
      void SETTLED.then(this.#flush);
    }
    return at;
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    if (this.#blocked || this.#closed || this.queuedBytes === 0) return;
    let result: void | Promise<void>;
    try {
      result = this.#writeQueued();
    } catch (error) {
      this.#events.failed(error);
      return;
    }
    if (result !== undefined && typeof result.then === 'function') {
      this.#blocked = true;
      result.then(this.#unblock, this.#events.failed);
      return;
    }
    this.#events.drained();
  };

  readonly #unblock = (): void => {
    this.#blocked = false;
    if (this.#closed) return;
    if (this.queuedBytes > 0) this.#flush();
    else this.#events.drained();
  };

  /** One write of everything queued; the queue is empty afterwards. */
  #writeQueued(): void | Promise<void> {
    const stream = this.#stream;
    const length = this.#length;
    const payloads = this.#payloads;
    const marks = this.#marks;
    const head = this.#scratch.subarray(this.#start, this.#start + length);
    if (this.#urgent) {
      this.#urgent = false;
      stream.urgent?.();
    }
    let result: void | Promise<void>;
    if (payloads.length === 0) {
      result = stream.write(head);
    } else if (stream.writev !== undefined) {
      const chunks: Uint8Array[] = [];
      let from = 0;
      for (let k = 0; k < payloads.length; k++) {
        chunks.push(head.subarray(from, marks[k]!), payloads[k]!);
        from = marks[k]!;
      }
      if (from < length) chunks.push(head.subarray(from));
      result = stream.writev(chunks);
    } else {
      const joined = new Uint8Array(length + this.#payloadBytes);
      let from = 0;
      let to = 0;
      for (let k = 0; k < payloads.length; k++) {
        const mark = marks[k]!;
        joined.set(head.subarray(from, mark), to);
        to += mark - from;
        joined.set(payloads[k]!, to);
        to += payloads[k]!.length;
        from = mark;
      }
      joined.set(head.subarray(from), to);
      result = stream.write(joined);
    }
    this.#reset();
    return result;
  }

  /** Empties the queue; the written bytes of the slab are left to the transport. */
  #reset(): void {
    this.#start += this.#length;
    this.#length = 0;
    // A slab grown while the transport was blocked is not kept: the next frame starts a new one.
    if (this.#scratch.length > SLAB_SIZE) {
      this.#scratch = NO_SLAB;
      this.#start = 0;
    }
    if (this.#payloads.length > 0) {
      this.#payloads = [];
      this.#marks = [];
      this.#payloadBytes = 0;
    }
  }
}

function ignore(): void {}
