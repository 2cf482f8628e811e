/**
 * The caller's side of a streaming call (spec/rpc.md §2, §4): a channel from the pool, the
 * request's first message, more messages as the caller sends them, and the reply read as a value
 * or as a stream of items, under backpressure both ways.
 */
import { ChannelClosedError, WriteAfterEofError, type Channel } from '@petrichor/mux';
import { WireError, type Header, type Message, type Value } from '@petrichor/wire';
import { ITEM, errorFromReply, field, parseReplyHead, requestHeader, type ReplyHead, type RequestFields } from './envelope.js';
import { CallEndedError, RpcError, RpcProtocolError } from './errors.js';
import type { MessageFormat } from './format.js';
import { CallGuard } from './guard.js';
import type { ChannelPool, ChannelWaiter } from './pool.js';
import { MessageReader } from './reader.js';

/** What a call needs from its session. */
export interface CallerHost {
  readonly format: MessageFormat;
  readonly pool: ChannelPool;
  /** The error a call fails with when the session is gone (`error` is the mux's). */
  lostError(error: unknown): Error;
  /** Fails at once if the session has ended. */
  checkOpen(): void;
  /** What was just queued completes a request part: send it now (see `CoalescingStream.urgent`). */
  flush(): void;
}

/** Options of every call. */
export interface CallOptions {
  /** Cancels the call: it rejects with `RpcError` 499 and the callee's signal fires. */
  signal?: AbortSignal;
  /** Deadline in ms, relative: sent in the HEADER; the call rejects with `RpcError` 408 after it. */
  timeout?: number;
  /** User metadata, sent as the HEADER's `meta` dict. */
  meta?: Header;
  /** The interface to call (default: the callee's default data interface). */
  iface?: string;
  /** More top-level HEADER fields (e.g. the mesh's `params`); reserved names are ignored. */
  header?: Readonly<Record<string, Value>>;
}

/** Options of {@link Call}s made with `open()`. */
export interface OpenOptions extends CallOptions {
  /**
   * What the caller streams: `both` (default) more messages and a streamed reply expected, `in`
   * more messages and one reply value expected. The callee's handler decides the reply's form.
   */
  stream?: 'in' | 'both';
}

/** The request HEADER fields of a call's options. */
export function fieldsOf(options: CallOptions | undefined, stream: 'in' | 'both' | undefined, oneway: boolean): RequestFields | undefined {
  if (options === undefined && stream === undefined && !oneway) return undefined;
  return {
    timeout: options?.timeout,
    stream,
    oneway,
    iface: options?.iface,
    meta: options?.meta,
    header: options?.header,
  };
}

const enum Reply {
  /** No reply HEADER read yet. */
  Pending,
  /** A unary reply, read: its value waits for the iterator. */
  Value,
  /** A streaming reply: items follow. */
  Stream,
  /** Everything was read, or the call failed: see `#outcome`. */
  Done,
}

/**
 * A call in progress, made with `open()` (streams both ways) or `stream()` (a streamed reply).
 *
 * - `send(body)` sends one more message (waits while the callee's window is full); `end()`
 *   half-closes: the callee's `ctx.messages` ends.
 * - Iterate the call for the reply: the items of a streaming reply, or the one value of a unary
 *   reply. Leaving the loop early cancels the call.
 * - Or await `result`: the reply's value (a unary reply), or null once a streaming reply has
 *   been iterated to its end. It rejects with the call's error.
 * - `cancel()` ends the call now: the callee's signal fires (499).
 */
export class Call implements AsyncIterable<Value> {
  readonly #host: CallerHost;
  readonly #guard: CallGuard | null;
  readonly #ready: Promise<Channel>;
  #channel: Channel | null = null;
  #waiter: ChannelWaiter | null = null;
  #reader: MessageReader | null = null;
  #reply: Reply = Reply.Pending;
  #head: Promise<void> | null = null;
  /** The reply's value (a unary reply), or null (a streaming one). */
  #value: Value = null;
  /** The reply HEADER said `stream: true`. */
  #streaming = false;
  /** The call's end: null while in progress; then undefined (success) or its error. */
  #outcome: Error | undefined | null = null;
  #result: { promise: Promise<Value>; resolve(value: Value): void; reject(error: Error): void } | null = null;
  #requestEnded: boolean;
  #iterating = false;
  /** Counted in the pool's calls in flight. */
  #counted = false;

  constructor(host: CallerHost, verb: string, path: string, body: Value, options: OpenOptions | undefined, stream: 'in' | 'both' | undefined) {
    this.#host = host;
    this.#requestEnded = stream === undefined;
    const signal = options?.signal;
    const timeout = options?.timeout;
    this.#guard = signal !== undefined || timeout !== undefined ? new CallGuard(signal, timeout, (reason) => this.#fail(reason)) : null;
    let bytes: Uint8Array | null = null;
    let failure: Error | null = this.#guard?.reason ?? null;
    if (failure === null) {
      try {
        host.checkOpen();
        bytes = host.format.encode(requestHeader(verb, path, fieldsOf(options, stream, false)), body);
      } catch (error) {
        failure = error as Error;
      }
    }
    if (failure !== null) {
      this.#end(failure);
      this.#ready = Promise.reject(failure);
    } else {
      this.#ready = this.#start(bytes!);
    }
    this.#ready.catch(ignore); // send() and the reader report it
  }

  /** Acquires a channel and writes the first message (and EOF for a unary request). */
  async #start(bytes: Uint8Array): Promise<Channel> {
    const pool = this.#host.pool;
    pool.outbound++;
    this.#counted = true;
    let channel = pool.take();
    if (channel === undefined) {
      channel = await new Promise<Channel>((resolve, reject) => {
        this.#waiter = { resolve, reject };
        pool.wait(this.#waiter);
      }).catch((error: Error) => {
        throw this.#fail(error);
      });
      this.#waiter = null;
    }
    if (this.#outcome !== null) {
      void channel.close();
      throw this.#outcome ?? new CallEndedError('the call is over');
    }
    this.#channel = channel;
    this.#reader = new MessageReader(channel, this.#host.format.decoder());
    channel.write(bytes).catch(ignore);
    if (this.#requestEnded) channel.closeWrite().catch(ignore);
    pool.refill();
    this.#host.flush();
    return channel;
  }

  /** Sends one more message (HEADER `{}` or `{ meta }`). Resolves once the callee has room for it. */
  async send(body: Value, meta?: Header): Promise<void> {
    const channel = await this.#ready;
    if (this.#outcome != null) throw this.#outcome;
    if (this.#requestEnded) throw new WriteAfterEofError('send() after end(), or on a call opened without streaming');
    // Copied, never by reference (format.ts `message`): once send() resolves, the caller may reuse
    // its buffer, and the bytes may still wait in the mux or the transport.
    const bytes = this.#host.format.encode(meta === undefined ? ITEM : { meta }, body);
    try {
      await channel.write(bytes);
    } catch (error) {
      throw this.#sendError(error);
    }
  }

  /** Half-closes the request: no more messages (the callee's `ctx.messages` ends). Idempotent. */
  async end(): Promise<void> {
    const channel = await this.#ready;
    if (this.#requestEnded) return;
    this.#requestEnded = true;
    try {
      const eof = channel.closeWrite();
      this.#host.flush();
      await eof;
    } catch (error) {
      throw this.#sendError(error);
    }
  }

  /** Ends the call now with `reason` (default `RpcError` 499): the callee's signal fires. */
  cancel(reason: RpcError = RpcError.cancelled()): void {
    this.#fail(reason);
  }

  /** The reply's value; for a streaming reply, null once it has been iterated to its end. */
  get result(): Promise<Value> {
    if (this.#result === null) {
      let resolve!: (value: Value) => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<Value>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#result = { promise, resolve, reject };
      const outcome = this.#outcome;
      if (outcome === undefined) resolve(this.#value);
      else if (outcome !== null) reject(outcome);
      else if (!this.#iterating) this.#readHead().catch(ignore); // a unary reply settles it
    }
    return this.#result.promise;
  }

  /**
   * Whether the reply is a stream of items (else one value, read with `result`). Resolves once
   * the reply HEADER is read; rejects with the call's error. A relay answers in the same form.
   */
  get streaming(): Promise<boolean> {
    return this.#readHead().then(() => this.#streaming);
  }

  [Symbol.asyncIterator](): AsyncIterator<Value> {
    this.#iterating = true;
    return {
      next: () => this.#nextItem(),
      return: () => {
        this.cancel();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  // ---- reading the reply ----

  async #nextItem(): Promise<IteratorResult<Value>> {
    if (this.#reply === Reply.Pending) await this.#readHead();
    if (this.#reply === Reply.Value) {
      this.#reply = Reply.Done;
      const value = this.#value;
      this.#end(undefined);
      return { done: false, value };
    }
    if (this.#reply === Reply.Done) {
      if (this.#outcome != null) throw this.#outcome;
      return { done: true, value: undefined };
    }
    const message = await this.#read();
    if (message === null) {
      this.#end(undefined);
      return { done: true, value: undefined };
    }
    const status = field(message.header, 'status');
    if (typeof status === 'number' && status >= 400) throw this.#fail(errorFromReply(status, message.body));
    return { done: false, value: message.body };
  }

  /** Reads the reply HEADER once: sets `#reply`, or fails the call. */
  #readHead(): Promise<void> {
    return (this.#head ??= this.#readHeadOnce());
  }

  async #readHeadOnce(): Promise<void> {
    await this.#ready;
    const message = await this.#read();
    if (message === null) throw this.#fail(new RpcProtocolError('the channel ended without a reply'));
    let head: ReplyHead;
    try {
      head = parseReplyHead(message.header);
    } catch (error) {
      throw this.#fail(error as Error);
    }
    if (head.status >= 400) throw this.#fail(errorFromReply(head.status, message.body));
    this.#streaming = head.stream;
    if (head.stream) {
      this.#reply = Reply.Stream;
    } else {
      this.#value = message.body;
      this.#reply = Reply.Value;
      if (!this.#iterating) this.#end(undefined); // `result` is the only reader
    }
  }

  /** The next reply message; a cancel, a lost session or bad bytes fail the call. */
  async #read(): Promise<Message | null> {
    if (this.#outcome != null) throw this.#outcome;
    let message: Message | null;
    try {
      message = await this.#reader!.next();
    } catch (error) {
      throw this.#fail(this.#readError(error));
    }
    if (this.#outcome != null) throw this.#outcome;
    return message;
  }

  #readError(error: unknown): Error {
    if (error instanceof WireError) return new RpcProtocolError(`the reply does not decode: ${error.message}`, { cause: error });
    return this.#host.lostError(error);
  }

  #sendError(error: unknown): Error {
    if (this.#outcome != null) return this.#outcome;
    if (error instanceof ChannelClosedError) return new CallEndedError('the call is over: the callee closed it');
    return this.#host.lostError(error);
  }

  // ---- the end ----

  /** Fails the call with `error` unless it is over already; returns the call's error. */
  #fail(error: Error): Error {
    if (this.#outcome === null) {
      const waiter = this.#waiter;
      if (waiter !== null) {
        this.#waiter = null;
        if (this.#host.pool.unwait(waiter)) waiter.reject(error);
      }
      this.#end(error);
    }
    return this.#outcome ?? error;
  }

  /** The call is over (undefined: it succeeded): settle `result`, free the channel. */
  #end(error: Error | undefined): void {
    if (this.#outcome !== null) return;
    this.#outcome = error;
    this.#reply = Reply.Done;
    this.#guard?.dispose();
    if (this.#counted) this.#host.pool.outbound--;
    if (this.#result !== null) {
      if (error === undefined) this.#result.resolve(this.#value);
      else this.#result.reject(error);
    }
    if (this.#channel !== null) void this.#channel.close();
    this.#reader?.release(this.#host.format);
  }
}

function ignore(): void {}
