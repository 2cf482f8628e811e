import { Deque } from './deque.js';
import {
  AbortedError,
  ChannelClosedError,
  OpenRefusedError,
  OpenTimeoutError,
  ProtocolError,
  WriteAfterEofError,
  type MuxError,
} from './errors.js';
import { growWindow, sendable } from './flow.js';
import {
  MESSAGE_NAMES,
  MSG_CLOSE,
  MSG_EOF,
  MSG_OPEN_CONFIRM,
  MSG_OPEN_FAILURE,
  MSG_WINDOW_ADJUST,
  type ChannelMessage,
  type DataMessage,
  type OpenConfirmMessage,
  type OpenMessage,
} from './frame/message.js';
import { MAX_PACKET, MIN_PACKET, type ResolvedOptions } from './options.js';
import type { Outbox } from './outbox.js';
import { readableOf, writableOf } from './channel-streams.js';
import { CLOSED, CLOSING, OPEN, OPENING, type ChannelState } from './channel-state.js';
import { RESOLVED, type Waiter } from './waiter.js';

/** One channel of a {@link Session}: a flow-controlled, half-closable byte stream both ways. */
export interface Channel extends AsyncIterable<Uint8Array> {
  /** Our id for the channel (the peer puts it in every message it sends on the channel). */
  readonly id: number;
  /** The peer's id for the channel (we put it in every message we send on it). */
  readonly remoteId: number;
  /** The next chunk as the peer sent it, or null at end of stream (peer EOF/CLOSE, after draining). */
  read(): Promise<Uint8Array | null>;
  /**
   * Sends `bytes`, split to the peer's max packet and window. Resolves when all of them are handed
   * to the session (waiting for window while the peer is not reading: backpressure). The session
   * keeps a reference until they are sent: do not change `bytes` afterwards.
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Sends EOF after any pending writes (half-close): we send no more, but can still read. */
  closeWrite(): Promise<void>;
  /** Sends CLOSE. Resolves when the peer's CLOSE is seen (or the session ends). Idempotent. */
  close(): Promise<void>;
  /** A Web ReadableStream view of the read side (created on first use). */
  readonly readable: ReadableStream<Uint8Array>;
  /** A Web WritableStream view of the write side; closing it sends EOF (created on first use). */
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves once both CLOSEs are seen or the session ends. Never rejects. */
  readonly closed: Promise<void>;
}

export { ChannelState } from './channel-state.js';

/** What a channel needs from its session. */
export interface ChannelHost {
  readonly outbox: Outbox;
  readonly options: ResolvedOptions;
  /** Frees the channel's id: after both CLOSEs, or an OPEN_FAILURE. */
  release(channel: MuxChannel): void;
  /** Asks for {@link MuxChannel.resume} once the outbox has room again. */
  waitForRoom(channel: MuxChannel): void;
  /** Asks for {@link MuxChannel.returnIdleWindow} on the session's next idle-return tick. */
  returnSoon(channel: MuxChannel): void;
  /**
   * Asks for {@link MuxChannel.returnWindow} once the transport chunk being read is done (at once
   * outside one), so an EOF later in the same chunk is seen first (spec/qmux.md §4.2).
   */
  returnAfterChunk(channel: MuxChannel): void;
  /** Our open on `channel` got its answer or was given up: the session stops timing it. */
  openSettled(channel: MuxChannel): void;
}

/** A queued write, or (bytes null) the EOF queued behind writes by `closeWrite()`. */
interface PendingWrite extends Waiter<void> {
  readonly bytes: Uint8Array | null;
  offset: number;
}

/** State of an `open()` waiting for its answer. */
interface PendingOpen extends Waiter<Channel> {
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

type ReadEnd = null | 'eof' | MuxError;

/**
 * A received payload waiting in a channel's buffer is kept as a view of the transport chunk it
 * arrived in only if that chunk's memory is at most this many times the payload (spec/qmux.md §7).
 */
const MAX_PIN_RATIO = 8;

/**
 * The channel implementation. Its state is small and everything optional is created lazily, so
 * an idle channel costs a few hundred bytes of heap (spec/qmux.md §7).
 */
export class MuxChannel implements Channel {
  /** Set by the session's channel table when the channel is added. */
  id = 0;
  remoteId: number;
  /** When our unanswered OPEN times out (`performance.now()` ms; the session's timer); 0 if none. */
  openDue = 0;
  #state: ChannelState;
  readonly #host: ChannelHost;
  readonly #outbound: boolean;
  /** Send side: bytes the peer still lets us send, and its largest DATA payload. */
  #sendWindow: number;
  #remoteMaxPacket: number;
  /** Receive side: bytes the peer may still send, and consumed bytes not yet returned. */
  #receiveWindow: number;
  #consumed = 0;
  /** An idle return is scheduled with the session (spec/qmux.md §4.2), and the receive window then. */
  #returnScheduled = false;
  #windowWhenScheduled = 0;
  /** The threshold was reached: a return is asked for at the end of the chunk being read. */
  #returnDue = false;
  #eofSent = false;
  #eofReceived = false;
  /** Why reads end once the buffer is drained: null while the peer may still send. */
  #readEnd: ReadEnd = null;
  /** The oldest buffered chunk, and any more behind it (a call's one request or reply needs no queue). */
  #chunk: Uint8Array | null = null;
  #moreChunks: Deque<Uint8Array> | null = null;
  #buffered = 0;
  /** The error that ended the session, once it has. */
  #sessionError: MuxError | null = null;
  /** The oldest pending read, and any more behind it (rare: reads are usually one at a time). */
  #reader: Waiter<Uint8Array | null> | null = null;
  #moreReaders: Waiter<Uint8Array | null>[] | null = null;
  #writes: Deque<PendingWrite> | null = null;
  #waitingForRoom = false;
  #opening: PendingOpen | null = null;
  /** Set when open() gave up (timeout, abort): a late OPEN_CONFIRM is answered with CLOSE. */
  #abandoned = false;
  /** What `closed` and `close()` return while the channel is not closed, and what settles it. */
  #closed: Promise<void> | null = null;
  #onClosed: (() => void) | null = null;
  #readable: ReadableStream<Uint8Array> | null = null;
  #writable: WritableStream<Uint8Array> | null = null;

  /**
   * A channel we open (no `open`: it waits in Opening for the peer's answer), or one the peer
   * opened with `open`, which we confirm at once.
   */
  constructor(host: ChannelHost, open?: OpenMessage) {
    this.#host = host;
    this.#outbound = open === undefined;
    this.#receiveWindow = host.options.windowSize;
    this.remoteId = open?.senderId ?? 0;
    this.#sendWindow = open?.windowSize ?? 0;
    this.#remoteMaxPacket = open?.maxPacketSize ?? 0;
    this.#state = open === undefined ? OPENING : OPEN;
  }

  /** The current state (for tests and diagnostics). */
  get state(): ChannelState {
    return this.#state;
  }

  /** Bytes received and not yet read. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  get closed(): Promise<void> {
    return this.#whenClosed();
  }

  get readable(): ReadableStream<Uint8Array> {
    return (this.#readable ??= readableOf(this));
  }

  get writable(): WritableStream<Uint8Array> {
    return (this.#writable ??= writableOf(this));
  }

  // ---- the state machine: one transition per incoming message (spec/qmux.md §3) ----

  /**
   * Applies a message from the peer, DATA aside ({@link admitData}, {@link deliver}). Throws
   * {@link ProtocolError} on an illegal transition.
   */
  receive(message: Exclude<ChannelMessage, DataMessage>, offset: number): void {
    const state = this.#state;
    if (state === OPENING) {
      if (message.type === MSG_OPEN_CONFIRM) return this.#confirmed(message, offset);
      if (message.type === MSG_OPEN_FAILURE) return this.#refused();
      throw this.#violation(`${MESSAGE_NAMES[message.type]} before the channel was confirmed`, offset);
    }
    switch (message.type) {
      case MSG_OPEN_CONFIRM:
      case MSG_OPEN_FAILURE:
        throw this.#violation(
          `${MESSAGE_NAMES[message.type]} for ${this.#outbound ? 'a channel already confirmed' : 'a channel the peer opened'}`,
          offset,
        );
      case MSG_WINDOW_ADJUST: {
        const grown = growWindow(this.#sendWindow, message.additionalBytes);
        if (grown < 0) throw this.#violation('WINDOW_ADJUST pushes the send window past 2^32 - 1', offset);
        this.#sendWindow = grown;
        if (state === OPEN) this.#pump();
        return;
      }
      case MSG_EOF:
        if (!this.#eofReceived) {
          this.#eofReceived = true;
          this.#endReads('eof');
        }
        return;
      case MSG_CLOSE:
        // Peer's CLOSE: reply unless we sent ours (simultaneous close counts as the reply).
        if (state === OPEN) this.#host.outbox.close(this.remoteId);
        this.#state = CLOSED;
        this.#host.release(this);
        this.#endReads('eof');
        this.#failWrites('was closed by the peer');
        this.#onClosed?.();
        return;
    }
  }

  /**
   * The DATA transition, given the payload length from the header (the payload, or a split one's
   * pieces, follow through {@link deliver}). Returns whether the payload goes to the reader.
   */
  admitData(length: number, offset: number): boolean {
    const state = this.#state;
    if (state === OPENING) throw this.#violation('data before the channel was confirmed', offset);
    if (length > this.#receiveWindow) {
      throw this.#violation(`DATA of ${length} bytes past the window of ${this.#receiveWindow}`, offset);
    }
    this.#receiveWindow -= length;
    // After our CLOSE the bytes are unwanted; after the peer's EOF they are dropped (it is not
    // fatal: qtalk-go can race a Write with CloseWrite), and no window goes back for them.
    return state === OPEN && !this.#eofReceived;
  }

  #confirmed(message: OpenConfirmMessage, offset: number): void {
    const packet = message.maxPacketSize;
    if (packet < MIN_PACKET || packet > MAX_PACKET) {
      throw this.#violation(`OPEN_CONFIRM with max packet ${packet} outside [${MIN_PACKET}, ${MAX_PACKET}]`, offset);
    }
    this.remoteId = message.senderId;
    this.#sendWindow = message.windowSize;
    this.#remoteMaxPacket = message.maxPacketSize;
    this.#state = OPEN;
    const opening = this.#settleOpen();
    if (opening !== null) opening.resolve(this);
    else this.#sendClose();
  }

  #refused(): void {
    this.#state = CLOSED;
    this.#host.release(this);
    this.#settleOpen()?.reject(new OpenRefusedError('the peer refused the channel (OPEN_FAILURE)'));
    this.#onClosed?.();
  }

  #violation(reason: string, offset: number): ProtocolError {
    return new ProtocolError(`channel ${this.id}: ${reason}`, offset);
  }

  // ---- opening ----

  /** Waits for the answer to our OPEN (already queued by the session). */
  opened(signal: AbortSignal | undefined, timeoutMs: number): Promise<Channel> {
    return new Promise<Channel>((resolve, reject) => {
      const opening: PendingOpen = { resolve, reject, timer: undefined, signal, onAbort: undefined };
      if (timeoutMs > 0) opening.timer = setTimeout(() => this.timeOut(timeoutMs), timeoutMs);
      if (signal !== undefined) {
        opening.onAbort = () => this.#abandon(new AbortedError('open() was aborted', { cause: signal.reason }));
        signal.addEventListener('abort', opening.onAbort, { once: true });
      }
      this.#opening = opening;
    });
  }

  /** The session's open timer ran out for this channel (see `Session.open`). */
  timeOut(timeoutMs: number): void {
    this.#abandon(new OpenTimeoutError(`no answer to OPEN within ${timeoutMs} ms`));
  }

  #abandon(error: MuxError): void {
    const opening = this.#settleOpen();
    if (opening === null) return;
    this.#abandoned = true;
    opening.reject(error);
  }

  /** Detaches the pending open (timer, abort listener) and returns it, or null if none. */
  #settleOpen(): PendingOpen | null {
    const opening = this.#opening;
    if (opening === null) return null;
    this.#opening = null;
    this.#host.openSettled(this);
    if (opening.timer !== undefined) clearTimeout(opening.timer);
    if (opening.onAbort !== undefined) opening.signal!.removeEventListener('abort', opening.onAbort);
    return this.#abandoned ? null : opening;
  }

  // ---- reading ----

  read(): Promise<Uint8Array | null> {
    const chunk = this.#chunk;
    if (chunk !== null) {
      this.#chunk = this.#moreChunks?.shift() ?? null;
      this.#buffered -= chunk.length;
      this.#consume(chunk.length);
      return Promise.resolve(chunk);
    }
    const end = this.#readEnd;
    if (end === 'eof') return Promise.resolve(null);
    if (end !== null) return Promise.reject(end);
    return new Promise((resolve, reject) => {
      if (this.#reader === null) this.#reader = { resolve, reject };
      else (this.#moreReaders ??= []).push({ resolve, reject });
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => this.read().then(toIteratorResult),
      return: () => Promise.resolve({ done: true, value: undefined }),
    };
  }

  /** Received payload bytes (already admitted) for the reader. */
  deliver(chunk: Uint8Array): void {
    if (this.#state !== OPEN) return; // closed by us between pieces of one DATA
    const reader = this.#reader;
    if (reader !== null) {
      this.#reader = this.#moreReaders?.shift() ?? null;
      this.#consume(chunk.length);
      reader.resolve(chunk);
      return;
    }
    // A view kept in our buffer pins its whole transport chunk: copy it when that chunk is much
    // bigger, so tiny DATA messages cannot make us hold far more memory than the window (§7).
    const kept = chunk.length * MAX_PIN_RATIO >= chunk.buffer.byteLength ? chunk : chunk.slice();
    if (this.#chunk === null) this.#chunk = kept;
    else (this.#moreChunks ??= new Deque()).push(kept);
    this.#buffered += chunk.length;
  }

  /** The application took `length` bytes: return window per the policy (spec/qmux.md §4.2). */
  #consume(length: number): void {
    // A peer that sent EOF (or a channel we are closing) will send no more: window would be a wasted write.
    if (this.#state !== OPEN || this.#eofReceived) return;
    if ((this.#consumed += length) >= this.#host.options.windowUpdateThreshold) {
      if (!this.#returnDue) {
        this.#returnDue = true;
        this.#host.returnAfterChunk(this);
      }
      return;
    }
    // Some writers (toolkit-js) wait for a WINDOW_ADJUST after every full packet: return it soon
    // rather than at the threshold.
    if (!this.#returnScheduled && this.#caughtUp()) this.#returnSoon();
  }

  /** The reader has taken everything buffered, and at least a packet's worth is not returned yet. */
  #caughtUp(): boolean {
    return this.#buffered === 0 && this.#consumed >= this.#host.options.maxPacketSize;
  }

  #returnSoon(): void {
    this.#returnScheduled = true;
    this.#windowWhenScheduled = this.#receiveWindow;
    this.#host.returnSoon(this);
  }

  /**
   * The session's idle-return tick. DATA that arrived since it was asked for means the sender is
   * not waiting for window: no WINDOW_ADJUST yet (a large message would get an extra one per tick),
   * but another tick once the reader has caught up again.
   */
  returnIdleWindow(): void {
    this.#returnScheduled = false;
    if (this.#receiveWindow >= this.#windowWhenScheduled) this.returnWindow();
    else if (this.#state === OPEN && !this.#eofReceived && this.#caughtUp()) this.#returnSoon();
  }

  /** Gives back whatever is consumed and not yet returned, unless the peer sent EOF meanwhile. */
  returnWindow(): void {
    this.#returnScheduled = this.#returnDue = false;
    const consumed = this.#consumed;
    if (this.#state !== OPEN || this.#eofReceived || consumed === 0) return;
    this.#host.outbox.windowAdjust(this.remoteId, consumed);
    this.#receiveWindow += consumed;
    this.#consumed = 0;
  }

  /** No more data will arrive: waiting readers get `end` now, later ones after the buffer drains. */
  #endReads(end: 'eof' | MuxError): void {
    if (this.#readEnd !== null) return;
    this.#readEnd = end;
    // Oldest first, as they asked, without an array (a read is usually waiting at EOF).
    for (let reader = this.#reader; reader !== null; reader = this.#reader) {
      this.#reader = this.#moreReaders?.shift() ?? null;
      if (end === 'eof') reader.resolve(null);
      else reader.reject(end);
    }
  }

  // ---- writing ----

  write(bytes: Uint8Array): Promise<void> {
    const refusal = this.#writeRefusal();
    if (refusal !== null) return Promise.reject(refusal);
    if (bytes.length === 0) return RESOLVED;
    const writes = this.#writes;
    let offset = 0;
    if (writes === null || writes.length === 0) {
      offset = this.#send(bytes, 0);
      if (offset === bytes.length) return RESOLVED;
    }
    return new Promise((resolve, reject) => {
      (this.#writes ??= new Deque()).push({ bytes, offset, resolve, reject });
    });
  }

  closeWrite(): Promise<void> {
    if (this.#sessionError !== null) return Promise.reject(this.#sessionError);
    // Idempotent, and a no-op once the channel is closed either way: there is no write side left.
    if (this.#eofSent || this.#state !== OPEN) return RESOLVED;
    this.#eofSent = true;
    if (this.#writes === null || this.#writes.length === 0) {
      this.#host.outbox.eof(this.remoteId);
      return RESOLVED;
    }
    return new Promise((resolve, reject) => this.#writes!.push({ bytes: null, offset: 0, resolve, reject }));
  }

  #writeRefusal(): MuxError | null {
    if (this.#sessionError !== null) return this.#sessionError;
    if (this.#state !== OPEN) return new ChannelClosedError(`channel ${this.id} is closed`);
    if (this.#eofSent) return new WriteAfterEofError(`channel ${this.id}: write after closeWrite()`);
    return null;
  }

  /** Queues DATA from `bytes[offset…]` while window and outbox room last; returns the new offset. */
  #send(bytes: Uint8Array, offset: number): number {
    const outbox = this.#host.outbox;
    const end = bytes.length;
    while (offset < end) {
      if (outbox.full) {
        if (!this.#waitingForRoom) {
          this.#waitingForRoom = true;
          this.#host.waitForRoom(this);
        }
        break;
      }
      const size = sendable(end - offset, this.#sendWindow, this.#remoteMaxPacket);
      if (size === 0) break;
      outbox.data(this.remoteId, offset === 0 && size === end ? bytes : bytes.subarray(offset, offset + size));
      this.#sendWindow -= size;
      offset += size;
    }
    return offset;
  }

  /** Sends what pending writes the window and outbox allow, resolving each write once fully queued. */
  #pump(): void {
    const writes = this.#writes;
    if (writes === null) return;
    for (let write = writes.peek(); write !== undefined; write = writes.peek()) {
      if (write.bytes === null) {
        this.#host.outbox.eof(this.remoteId);
      } else {
        write.offset = this.#send(write.bytes, write.offset);
        if (write.offset < write.bytes.length) return;
      }
      writes.shift();
      write.resolve();
    }
  }

  /** Called by the session when the outbox has room again. */
  resume(): void {
    this.#waitingForRoom = false;
    if (this.#state === OPEN) this.#pump();
  }

  /**
   * Rejects every pending write with `reason`: the session's error, or how the channel was closed
   * (a constant string, so a close allocates nothing). The error is built only when a write is waiting:
   * an Error captures a stack trace (microseconds each), and most channels close with none pending.
   */
  #failWrites(reason: MuxError | string): void {
    const writes = this.#writes;
    if (writes === null) return;
    this.#writes = null;
    if (writes.length === 0) return;
    const error = typeof reason === 'string' ? new ChannelClosedError(`channel ${this.id} ${reason}`) : reason;
    for (const write of writes.drain()) write.reject(error);
  }

  // ---- closing ----

  close(): Promise<void> {
    if (this.#state === OPEN) this.#sendClose();
    return this.#whenClosed();
  }

  /** Sends CLOSE: nothing more is sent on the channel; unread data is dropped. */
  #sendClose(): void {
    this.#host.outbox.close(this.remoteId);
    this.#state = CLOSING;
    this.#chunk = this.#moreChunks = null;
    this.#buffered = 0;
    this.#endReads('eof');
    this.#failWrites('was closed');
  }

  #whenClosed(): Promise<void> {
    if (this.#state === CLOSED) return RESOLVED;
    return (this.#closed ??= new Promise((resolve) => (this.#onClosed = resolve)));
  }

  /** The session ended: every pending operation settles, reads drain what is buffered first. */
  terminate(error: MuxError): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.#sessionError = error;
    this.#settleOpen()?.reject(error);
    this.#endReads(error);
    this.#failWrites(error);
    this.#onClosed?.();
  }
}

function toIteratorResult(chunk: Uint8Array | null): IteratorResult<Uint8Array> {
  return chunk === null ? { done: true, value: undefined } : { done: false, value: chunk };
}
