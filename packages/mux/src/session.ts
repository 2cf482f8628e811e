import { MuxChannel, type Channel, type ChannelHost } from './channel.js';
import { ChannelTable } from './channel-table.js';
import { Deque } from './deque.js';
import {
  AbortedError,
  ChannelLimitError,
  KeepaliveTimeoutError,
  MuxError,
  OpenRefusedError,
  OpenTimeoutError,
  ProtocolError,
  SessionClosedError,
  TransportError,
} from './errors.js';
import { StreamDecoder, type StreamingHandler } from './frame/decoder.js';
import { MESSAGE_NAMES, MSG_DATA, MSG_OPEN, type MessageType, type OpenMessage } from './frame/message.js';
import { MAX_PACKET, MIN_PACKET, resolveOptions, type ResolvedOptions, type SessionOptions } from './options.js';
import { Outbox } from './outbox.js';
import type { ByteStream } from './stream.js';
import type { Waiter } from './waiter.js';

export type { SessionOptions } from './options.js';

/**
 * A qmux session over one byte stream (spec/qmux.md): many channels, each flow-controlled, opened
 * from either side. The read loop is the stream's `data` callback: it decodes and applies every
 * message synchronously and never waits on the application. Outgoing frames are batched into one
 * transport write per turn.
 */
export class Session implements AsyncIterable<Channel> {
  readonly #stream: ByteStream;
  readonly #options: ResolvedOptions;
  readonly #outbox: Outbox;
  readonly #decoder: StreamDecoder;
  readonly #table = new ChannelTable<MuxChannel>();
  /** Inbound channels confirmed and waiting for accept(). */
  readonly #backlog = new Deque<MuxChannel>();
  /** accept() calls waiting for a channel; rejected with the session's error when it ends. */
  readonly #acceptors = new Deque<Waiter<MuxChannel>>();
  #waitingForRoom: MuxChannel[] = [];
  /** Channels whose consumed window goes back on the next idle-return tick (spec/qmux.md §4.2). */
  #returningSoon: MuxChannel[] = [];
  #returnTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** A transport chunk is being decoded; channels that reached their threshold in it wait in the list. */
  #reading = false;
  #returnsAfterChunk: MuxChannel[] = [];
  /**
   * Our opens waiting for an answer, oldest first (each channel's `openDue` says when it times
   * out; 0 once answered). One timer serves them all: a timer per open costs more than a call
   * (Node makes and drops a timer list each time). A queue, not a Map: answers come in order, so
   * they leave from the front, and a Map going from one entry to none reallocates its table.
   */
  readonly #opening = new Deque<MuxChannel>();
  /** Opens in `#opening` still unanswered. */
  #openPending = 0;
  #openTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  readonly #host: ChannelHost;
  /** When the last chunk arrived (`performance.now()`), for keepalive. */
  #lastReceived = performance.now();
  #keepaliveTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #error: MuxError | null = null;
  #resolveClosed!: (error: Error | undefined) => void;
  /** Resolves when the session has ended: undefined for a clean end, else the error that ended it. */
  readonly closed: Promise<Error | undefined>;

  constructor(stream: ByteStream, options?: SessionOptions) {
    this.#stream = stream;
    this.#options = resolveOptions(options);
    this.#decoder = new StreamDecoder(this.#options.maxPacketSize);
    this.#outbox = new Outbox(stream, this.#options.maxQueuedBytes, {
      drained: () => this.#onRoom(),
      failed: (error) => this.#fail(transportError(error)),
    });
    this.#host = {
      outbox: this.#outbox,
      options: this.#options,
      release: (channel) => this.#table.remove(channel.id),
      waitForRoom: (channel) => this.#waitingForRoom.push(channel),
      returnSoon: (channel) => this.#returnSoon(channel),
      returnAfterChunk: (channel) => {
        if (this.#reading) this.#returnsAfterChunk.push(channel);
        else channel.returnWindow();
      },
      openSettled: (channel) => {
        if (channel.openDue === 0) return; // not timed here (a ping), or taken off already
        channel.openDue = 0;
        const opening = this.#opening;
        while (opening.peek()?.openDue === 0) opening.shift();
        // The timer stays armed for the next open, but must not keep a process alive by itself.
        if (--this.#openPending === 0) unref(this.#openTimer);
      },
    };
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    stream.start({ data: (chunk) => this.#onData(chunk), end: (error) => this.#onEnd(error) });
    if (this.#options.keepaliveIntervalMs > 0 && this.#error === null) this.#armKeepalive(this.#options.keepaliveIntervalMs);
  }

  get localAddress(): string | undefined {
    return this.#stream.localAddress;
  }

  get remoteAddress(): string | undefined {
    return this.#stream.remoteAddress;
  }

  /** Live channels (ours and the peer's, including ones closing): 0 when nothing is left behind. */
  get channelCount(): number {
    return this.#table.size;
  }

  /** The options in force, defaults filled in. */
  get options(): Readonly<ResolvedOptions> {
    return this.#options;
  }

  /**
   * Opens a channel: sends OPEN and resolves on OPEN_CONFIRM. Rejects with OpenRefusedError on
   * OPEN_FAILURE, OpenTimeoutError after `openTimeoutMs`, AbortedError when `signal` fires,
   * ChannelLimitError at `maxChannels`, or the session's error once it has ended.
   */
  open(options?: { signal?: AbortSignal }): Promise<Channel> {
    const signal = options?.signal;
    if (signal?.aborted === true && this.#error === null) {
      return Promise.reject(new AbortedError('open() was aborted', { cause: signal.reason }));
    }
    const channel = this.#openChannel(this.#options.windowSize, this.#options.maxPacketSize);
    if (!(channel instanceof MuxChannel)) return channel;
    const opened = channel.opened(signal, 0);
    const timeoutMs = this.#options.openTimeoutMs;
    if (timeoutMs > 0) {
      if (this.#openPending++ === 0) ref(this.#openTimer);
      channel.openDue = performance.now() + timeoutMs;
      this.#opening.push(channel);
      this.#openTimer ??= setTimeout(this.#openTimeouts, timeoutMs);
    }
    return opened;
  }

  /** Times out the opens that are due; re-arms for the oldest one left. */
  readonly #openTimeouts = (): void => {
    this.#openTimer = undefined;
    const now = performance.now();
    for (let channel = this.#opening.peek(); channel !== undefined; channel = this.#opening.peek()) {
      const due = channel.openDue;
      if (due > now) {
        this.#openTimer = setTimeout(this.#openTimeouts, due - now);
        return;
      }
      this.#opening.shift();
      if (due === 0) continue; // answered while others before it were not
      channel.openDue = 0;
      this.#openPending--;
      channel.timeOut(this.#options.openTimeoutMs);
    }
  };

  /**
   * Measures a round trip to the peer (spec/qmux.md §5.3): sends OPEN with window 0 and max packet
   * 0, which a conforming peer refuses with OPEN_FAILURE, and resolves with the milliseconds until
   * the answer. The id stays reserved until the answer arrives. Rejects with KeepaliveTimeoutError
   * after `keepaliveTimeoutMs` (the session goes on), ChannelLimitError at `maxChannels`, or the
   * session's error once it has ended.
   */
  ping(): Promise<number> {
    const channel = this.#openChannel(0, 0);
    if (!(channel instanceof MuxChannel)) return channel;
    const sent = performance.now();
    const timeoutMs = this.#options.keepaliveTimeoutMs;
    return channel.opened(undefined, timeoutMs).then(
      (confirmed) => {
        // A peer that accepts a max packet of 0 is not conforming, but it answered: close the channel.
        void confirmed.close();
        return performance.now() - sent;
      },
      (error: unknown) => {
        if (error instanceof OpenRefusedError) return performance.now() - sent;
        if (error instanceof OpenTimeoutError) throw new KeepaliveTimeoutError(`no answer to a ping within ${timeoutMs} ms`);
        throw error;
      },
    );
  }

  /** Sends OPEN on a new channel of ours; or the rejection when the session has ended or is full. */
  #openChannel(windowSize: number, maxPacketSize: number): MuxChannel | Promise<never> {
    if (this.#error !== null) return Promise.reject(this.#error);
    const max = this.#options.maxChannels;
    if (this.#table.size >= max) return Promise.reject(new ChannelLimitError(`${max} channels are open (maxChannels)`));
    const channel = this.#table.add(new MuxChannel(this.#host));
    this.#outbox.open(channel.id, windowSize, maxPacketSize);
    return channel;
  }

  /** The next channel the peer opened. Rejects with the session's error once it has ended. */
  accept(): Promise<Channel> {
    // One promise per accept, settled by the read loop (a server accepts once per call).
    const channel = this.#backlog.shift();
    if (channel !== undefined) return Promise.resolve(channel);
    if (this.#error !== null) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => this.#acceptors.push({ resolve, reject }));
  }

  /** Yields every channel the peer opens; ends when the session ends (see {@link closed} for why). */
  [Symbol.asyncIterator](): AsyncIterator<Channel> {
    return {
      // accept() rejects only once the session has ended: that is the iteration's end.
      next: () =>
        this.accept().then(
          (channel): IteratorResult<Channel> => ({ done: false, value: channel }),
          (): IteratorResult<Channel> => ({ done: true, value: undefined }),
        ),
    };
  }

  /**
   * Writes the frames queued so far now, in one transport write, rather than at the end of the
   * current microtask (spec/qmux.md §8). For a protocol that knows a message is complete (an rpc
   * reply): the write leaves before whatever work the turn still has to do. Does nothing while
   * the transport is full, or once the session has ended.
   */
  flush(): void {
    this.#outbox.flushNow();
  }

  /** Closes the session and its transport; pending operations reject (spec/qmux.md §6.3). */
  close(error?: Error): void {
    if (error === undefined) this.#end(new SessionClosedError('the session was closed'), undefined);
    else this.#end(error instanceof MuxError ? error : new SessionClosedError(error.message, { cause: error }), error);
  }

  // ---- the read loop ----

  #onData(chunk: Uint8Array): void {
    if (this.#error !== null) return;
    this.#lastReceived = performance.now();
    try {
      this.#reading = true;
      this.#decoder.push(chunk, this.#handler);
      this.#reading = false;
      // Window goes back after the whole chunk: an EOF in it means none is needed (spec/qmux.md §4.2).
      const returning = this.#returnsAfterChunk;
      if (returning.length > 0) {
        this.#returnsAfterChunk = [];
        for (const channel of returning) channel.returnWindow();
      }
      if (this.#outbox.overloaded) {
        throw new TransportError(
          `the transport is blocked with ${this.#outbox.queuedBytes} bytes queued: the peer sends but does not read`,
        );
      }
    } catch (error) {
      this.#reading = false;
      this.#returnsAfterChunk = [];
      this.#fail(error instanceof MuxError ? error : new ProtocolError(`internal error: ${String(error)}`));
    }
  }

  /** Where the decoder delivers: every message goes to its channel's state machine. */
  readonly #handler: StreamingHandler = {
    message: (message): void => {
      if (message.type === MSG_OPEN) return this.#onOpen(message);
      this.#channel(message.type, message.recipientId).receive(message, this.#decoder.messageOffset);
    },
    // DATA comes without a message object: one fewer allocation per message on the hot path.
    data: (recipientId: number, payload: Uint8Array): void => {
      const channel = this.#channel(MSG_DATA, recipientId);
      if (channel.admitData(payload.length, this.#decoder.messageOffset)) channel.deliver(payload);
    },
    // A DATA payload split over transport chunks is delivered piece by piece, never joined.
    dataStart: (recipientId: number, length: number): void => {
      const channel = this.#channel(MSG_DATA, recipientId);
      this.#pieceTarget = channel.admitData(length, this.#decoder.messageOffset) ? channel : null;
    },
    dataPiece: (piece: Uint8Array): void => this.#pieceTarget?.deliver(piece),
  };
  /** The channel receiving the pieces of the DATA being decoded (null: they are dropped). */
  #pieceTarget: MuxChannel | null = null;

  /** The live channel a message is for; a message for any other id is a violation (as in Go). */
  #channel(type: MessageType, recipientId: number): MuxChannel {
    const channel = this.#table.get(recipientId);
    if (channel !== undefined) return channel;
    throw new ProtocolError(
      `${MESSAGE_NAMES[type]} for channel ${recipientId}, which is not open`,
      this.#decoder.messageOffset,
    );
  }

  /** An inbound OPEN: confirm at once into the backlog, or refuse (spec/qmux.md §5.2). */
  #onOpen(message: OpenMessage): void {
    const options = this.#options;
    if (
      message.maxPacketSize < MIN_PACKET ||
      message.maxPacketSize > MAX_PACKET ||
      this.#table.size >= options.maxChannels ||
      (this.#acceptors.length === 0 && this.#backlog.length >= options.acceptBacklog)
    ) {
      this.#outbox.openFailure(message.senderId);
      return;
    }
    const channel = this.#table.add(new MuxChannel(this.#host, message));
    this.#outbox.openConfirm(message.senderId, channel.id, options.windowSize, options.maxPacketSize);
    const acceptor = this.#acceptors.shift();
    if (acceptor !== undefined) acceptor.resolve(channel);
    else this.#backlog.push(channel);
  }

  #onEnd(error: Error | undefined): void {
    if (this.#error !== null) return;
    if (error !== undefined) this.#fail(transportError(error));
    else if (!this.#decoder.idle) this.#fail(new ProtocolError('the transport ended inside a message'));
    else this.#end(new SessionClosedError('the transport ended'), undefined);
  }

  /** Writers waiting for outbox room go on, in the order they started waiting. */
  #onRoom(): void {
    if (this.#waitingForRoom.length === 0) return;
    const waiting = this.#waitingForRoom;
    this.#waitingForRoom = [];
    for (const channel of waiting) {
      if (this.#outbox.full) this.#waitingForRoom.push(channel);
      else channel.resume();
    }
  }

  /**
   * One timer per session, not per channel: however many channels drain at once, their idle
   * window goes back together a timer tick later, which costs a bulk transfer at most one extra
   * WINDOW_ADJUST per tick.
   */
  #returnSoon(channel: MuxChannel): void {
    this.#returningSoon.push(channel);
    this.#returnTimer ??= setTimeout(() => {
      this.#returnTimer = undefined;
      const channels = this.#returningSoon;
      this.#returningSoon = [];
      for (const c of channels) c.returnIdleWindow();
    }, 0);
  }

  // ---- keepalive (spec/qmux.md §5.3) ----

  #armKeepalive(delayMs: number): void {
    const timer = setTimeout(this.#keepalive, delayMs);
    // In Node, keepalive alone must not keep a process alive.
    (timer as { unref?: () => void }).unref?.();
    this.#keepaliveTimer = timer;
  }

  /** Runs once nothing may have been received for an interval: pings if that is so. */
  readonly #keepalive = (): void => {
    if (this.#error !== null) return;
    const { keepaliveIntervalMs: interval, keepaliveTimeoutMs: timeout } = this.#options;
    const idle = performance.now() - this.#lastReceived;
    if (idle < interval) return this.#armKeepalive(interval - idle);
    const asked = performance.now();
    this.ping().catch(() => {}); // the verdict below is what counts
    const timer = setTimeout(() => {
      // Any byte is proof of life: an answer queued behind a long transfer does not count against a busy peer.
      if (this.#lastReceived >= asked) return this.#keepalive();
      this.#fail(new KeepaliveTimeoutError(`nothing received within ${timeout} ms of a keepalive ping (after ${interval} ms of silence)`));
    }, timeout);
    (timer as { unref?: () => void }).unref?.();
    this.#keepaliveTimer = timer;
  };

  /** Ends the session because of `error`, which `closed` then resolves with. */
  #fail(error: MuxError): void {
    this.#end(error, error);
  }

  /**
   * The one teardown path: queued frames are flushed, the transport closed, every channel and
   * every pending operation settled with `reason`; `closed` resolves with `result`.
   */
  #end(reason: MuxError, result: Error | undefined): void {
    if (this.#error !== null) return;
    this.#error = reason;
    this.#outbox.shutdown();
    try {
      this.#stream.close();
    } catch {
      // Closing is best effort: the session is over either way.
    }
    for (const channel of this.#table.clear()) channel.terminate(reason);
    this.#backlog.drain();
    for (const acceptor of this.#acceptors.drain()) acceptor.reject(reason);
    this.#waitingForRoom = [];
    clearTimeout(this.#returnTimer);
    this.#returnTimer = undefined;
    clearTimeout(this.#openTimer);
    this.#openTimer = undefined;
    this.#opening.drain();
    this.#openPending = 0;
    clearTimeout(this.#keepaliveTimer);
    this.#keepaliveTimer = undefined;
    this.#returningSoon = [];
    this.#resolveClosed(result);
  }
}

/** Node's timers can stop holding the process open (browsers' are plain numbers). */
function unref(timer: ReturnType<typeof setTimeout> | undefined): void {
  (timer as { unref?: () => void } | undefined)?.unref?.();
}

function ref(timer: ReturnType<typeof setTimeout> | undefined): void {
  (timer as { ref?: () => void } | undefined)?.ref?.();
}

function transportError(error: unknown): TransportError {
  const message = error instanceof Error ? error.message : String(error);
  return new TransportError(`the transport failed: ${message}`, { cause: error });
}
