/**
 * One rpc session: a qmux session after the handshake, where both ends may call and both may
 * answer (spec/rpc.md §2). A `Client` is one; a `Server` runs one per connection. Calls go out on
 * pre-opened channels; channels the peer opens are calls to this end's {@link Service}.
 */
import { MuxError, Session, type ByteStream, type Channel, type SessionOptions as MuxOptions } from '@petrichor/mux';
import { CoalescingStream } from './coalesce.js';
import { errorFromReply, parseReplyHead, requestHeader } from './envelope.js';
import { ConnectionLostError, RpcError, RpcProtocolError, SessionClosedError, type RpcSessionError } from './errors.js';
import { MessageFormat, writeMessage, type DecodeShape } from './format.js';
import { PendingBytes, checkRequestTimeout, resolvePendingBytes } from './budget.js';
import { CallGuard } from './guard.js';
import type { Peer } from './handshake/handshake.js';
import { Call, fieldsOf, type CallOptions, type CallerHost, type OpenOptions } from './outgoing.js';
import { ChannelPool, type ChannelWaiter } from './pool.js';
import type { PullQueue } from './pull.js';
import type { CallContext, Service } from './service.js';
import { WireError, type Codec, type Limits, type Message, type Value } from '@petrichor/wire';

/** Options of a session, on either end. */
export interface SessionOptions {
  /** How HEADERs and BODYs decode (default `{ text: true, objects: true }`: strings and plain objects). */
  decode?: DecodeShape;
  /** Message limits (the `@petrichor/wire` defaults: 16 MiB a message, 64 KiB a HEADER). */
  limits?: Partial<Limits>;
  /** Calls from the peer served at once; beyond it a call is refused with 429 at once. Default 256. */
  maxInFlight?: number;
  /** Idle channels kept open for calls to the peer (one round trip a call). Default 4. */
  poolSize?: number;
  /** Most idle channels the pool grows to while many calls are in flight. Default 64. */
  maxPoolSize?: number;
  /**
   * Most bytes held at once in the peer's requests whose first message is still arriving; a call
   * that would pass it is answered 429 and its bytes dropped. Default 32 MiB, or
   * `limits.maxMessageBytes` if that is more; never below it (`RangeError`).
   */
  maxPendingBytes?: number;
  /**
   * How long a request's first message may take to arrive, from its first byte: past it the call
   * is answered 408 and its channel closed. Default 30,000 ms; 0 turns it off.
   */
  requestTimeoutMs?: number;
  /**
   * Options of the qmux session (window, packet size, channel limits…). A `Server`'s sessions
   * default `maxChannels` to 1,024 (4 × `maxInFlight` if that is more), not qmux's 65,536.
   */
  mux?: MuxOptions;
  /** Told about handler failures that are not `RpcError`s (they reach the caller as a bare 500). */
  onError?: (error: unknown, ctx: CallContext | undefined) => void;
}

/** Defaults of {@link SessionOptions}. */
export const SESSION_DEFAULTS = Object.freeze({
  /** 256: a busy client's worth of concurrent calls; more are refused (429), never queued. */
  maxInFlight: 256,
  /** 4: a few sequential or lightly concurrent calls never wait for an OPEN round trip. */
  poolSize: 4,
  /** 64: under many concurrent calls, opens ahead without flooding the peer's accept backlog (256). */
  maxPoolSize: 64,
  /**
   * 32 MiB: twice the largest message by default, so two of them (or many small ones) may arrive
   * at once; what a peer can make a session hold in requests it never finishes.
   */
  maxPendingBytes: 32 * 1024 * 1024,
  /** 30 s: a 16 MiB request at 0.5 MiB/s; a peer trickling one forever loses its channel. */
  requestTimeoutMs: 30_000,
  /**
   * 1,024: a server session's `mux.maxChannels` unless given (4 × `maxInFlight` if that is more),
   * instead of qmux's 65,536: about 2.4 MiB of idle channels at most, not 150 MiB.
   */
  maxChannels: 1024,
});

/** What a session is built from (internal to the package). */
export interface SessionInit extends SessionOptions {
  codec: Codec;
  /** Answers the peer's calls: its `answerer` makes the session's answering side. */
  service: Service;
  /** Start opening the pool at once (the client); else at the first call (the server). */
  preopen: boolean;
}

/** What a session gives the side that answers its peer's calls. @internal */
export interface AnswerHost {
  readonly session: RpcSession;
  readonly format: MessageFormat;
  /** The session's count of bytes in first messages still arriving (`maxPendingBytes`). */
  readonly pending: PendingBytes;
  readonly requestTimeoutMs: number;
  readonly maxInFlight: number;
  readonly onError: ((error: unknown, ctx: CallContext) => void) | undefined;
  /** What was just queued ends a reply: the next write goes out at once (see `CoalescingStream.urgent`). */
  flush(): void;
}

/**
 * The side of a session that answers the peer's calls: the routed one (answering.ts) on a server
 * and a client with routes; a 404 one (not-found.ts) on a plain client, so its bundle holds no
 * router, handler or middleware machinery. @internal
 */
export interface Answerer {
  /** Serves the call on a channel the peer opened, from its first bytes (null: it ended first). */
  serve(channel: Channel, chunk: Uint8Array | null): void;
  readonly inFlight: number;
  drain(refusal: RpcError): Promise<void>;
  abortCalls(reason: RpcError): void;
  /** The session ended: calls in flight end with `lost`. */
  end(lost: RpcSessionError): void;
  /** Hands calls no route takes to `queue` (`Client.incoming`). */
  pull?(queue: PullQueue): void;
}

/**
 * A live rpc session. Call the peer with {@link call}, {@link stream}, {@link open} and
 * {@link deliver}; the peer's calls are answered by the session's service.
 */
export class RpcSession {
  /** Who is on the other end. */
  readonly peer: Peer;
  /** The service answering the peer's calls. */
  readonly service: Service;
  /** The qmux session underneath. */
  readonly mux: Session;
  /** Resolves when the session has ended: undefined if it was closed cleanly, else why it failed. */
  readonly closed: Promise<Error | undefined>;

  readonly #format: MessageFormat;
  readonly #out: CoalescingStream;
  readonly #pool: ChannelPool;
  readonly #pending: PendingBytes;
  readonly #answerer: Answerer;
  readonly #caller: CallerHost;
  #closedLocally = false;
  #ended = false;

  constructor(stream: ByteStream, peer: Peer, init: SessionInit) {
    this.peer = peer;
    this.service = init.service;
    const out = (this.#out = new CoalescingStream(stream));
    this.mux = new Session(out, init.mux);
    const format = (this.#format = new MessageFormat(init.codec, init.limits, init.decode));
    const o = resolveOptions(init);
    this.#pending = new PendingBytes(o.maxPendingBytes);
    this.#pool = new ChannelPool(this.mux, o, (error) => this.lostError(error));
    this.#answerer = init.service.answerer({
      session: this,
      format,
      pending: this.#pending,
      requestTimeoutMs: o.requestTimeoutMs,
      maxInFlight: o.maxInFlight,
      onError: init.onError,
      // A reply is not written at once: the read loop that delivered its request has queued a
      // flush (for the confirms it queued) that runs once the requests it delivered are served,
      // so the replies of one chunk share a write. Urgent, that write goes out at once.
      flush: () => out.urgent(),
    });
    this.#caller = {
      format,
      pool: this.#pool,
      lostError: (error) => this.lostError(error),
      flush: () => this.#flush(this.#pool.outbound),
      checkOpen: () => {
        if (this.#ended) throw this.lostError(undefined);
      },
    };
    this.closed = this.mux.closed.then((error) => this.#onEnd(error));
    if (init.preopen) this.#pool.refill();
    this.#acceptLoop();
  }

  /** The session's codec. */
  get codec(): 'tnetstring' | 'sexpr' | 'msgpack' {
    return this.#format.codec.name;
  }

  /**
   * Hands the peer's calls that no route takes (on the default interface) to `queue` while it is
   * open: `Client.incoming` of `@petrichor/rpc/all`. @internal
   */
  pullInto(queue: PullQueue): void {
    this.#answerer.pull?.(queue);
  }

  /** Calls from the peer being served now. */
  get inFlight(): number {
    return this.#answerer.inFlight;
  }

  /** Bytes held now in the peer's requests whose first message is still arriving (at most `maxPendingBytes`). */
  get pendingBytes(): number {
    return this.#pending.held;
  }

  /**
   * A unary call: one request message, one reply. Resolves with the reply's value; rejects with
   * an `RpcError` (the callee's error, or 499 / 408 for a cancel or the deadline), or an
   * `RpcSessionError` (the connection is gone, the session closed, a malformed reply).
   * A `Uint8Array` body of 32 KiB or more is sent without a copy: leave it unchanged until the
   * call settles (and do not reuse it after a cancel or timeout).
   */
  async call(verb: string, path: string, body: Value = null, options?: CallOptions): Promise<Value> {
    if (this.#ended) throw this.lostError(undefined);
    const bytes = this.#format.message(requestHeader(verb, path, fieldsOf(options, undefined, false)), body);
    const pool = this.#pool;
    let channel = pool.take();
    let waiter: ChannelWaiter | null = null;
    let guard: CallGuard | null = null;
    pool.outbound++;
    try {
      if (options !== undefined && (options.signal !== undefined || options.timeout !== undefined)) {
        // Cut short: close the channel (the callee sees a cancel) or stop waiting for one.
        guard = new CallGuard(options.signal, options.timeout, (reason) => {
          if (channel !== undefined) void channel.close();
          else if (waiter !== null && pool.unwait(waiter)) waiter.reject(reason);
        });
        if (guard.reason !== null) throw guard.reason;
      }
      if (channel === undefined) {
        channel = await new Promise<Channel>((resolve, reject) => {
          waiter = { resolve, reject };
          pool.wait(waiter);
        });
      }
      // DATA, EOF and the replacement's OPEN leave in one transport write, at once.
      const written = writeMessage(channel, bytes);
      const eof = channel.closeWrite();
      if (written !== eof) {
        written.catch(ignore);
        eof.catch(ignore);
      }
      pool.refill();
      this.#flush(pool.outbound);
      // The reply's first message (null if the peer ended the channel first), read here rather
      // than in a helper: one async frame less per call.
      let message: Message | null = null;
      const decoder = this.#format.decoder();
      try {
        for (;;) {
          const chunk = await channel.read();
          if (chunk === null) {
            decoder.end();
            break;
          }
          const messages = decoder.push(chunk);
          if (messages.length > 0) {
            message = messages[0]!;
            break;
          }
        }
      } catch (error) {
        throw guard?.reason ?? this.#readError(error);
      } finally {
        this.#format.release(decoder);
      }
      if (guard !== null && guard.reason !== null) throw guard.reason;
      if (message === null) throw new RpcProtocolError('the channel ended without a reply');
      const head = parseReplyHead(message.header);
      if (head.status >= 400) throw errorFromReply(head.status, message.body);
      if (head.stream) throw new RpcProtocolError(`the reply to ${verb} ${path} is a stream: read it with stream()`);
      return message.body;
    } finally {
      pool.outbound--;
      guard?.dispose();
      if (channel !== undefined) void channel.close();
    }
  }

  /** A call whose reply is a stream: iterate it for the items (a unary reply yields its one value). */
  stream(verb: string, path: string, body: Value = null, options?: CallOptions): Call {
    return new Call(this.#caller, verb, path, body, options, undefined);
  }

  /**
   * A call that streams messages to the callee (`send`, then `end`), with a reply read as a
   * value (`result`) or as items (iterate it). `options.stream`: `both` (default) or `in`.
   */
  open(verb: string, path: string, body: Value = null, options?: OpenOptions): Call {
    return new Call(this.#caller, verb, path, body, options, options?.stream ?? 'both');
  }

  /**
   * A one-way call (`oneway: true`): no reply is awaited. Resolves once the callee has the whole
   * message: its qmux answers the channel's CLOSE only after everything sent before it arrived
   * (spec/rpc.md §2.5). A connection lost first rejects (`ConnectionLostError`) rather than losing
   * the message silently; with `timeout`, 408 once it passes (the callee may have it or not).
   * As with {@link call}, a `Uint8Array` body of 32 KiB or more is sent without a copy.
   */
  async deliver(verb: string, path: string, body: Value = null, options?: Omit<CallOptions, 'signal'>): Promise<void> {
    if (this.#ended) throw this.lostError(undefined);
    const bytes = this.#format.message(requestHeader(verb, path, fieldsOf(options, undefined, true)), body);
    const channel =
      this.#pool.take() ?? (await new Promise<Channel>((resolve, reject) => this.#pool.wait({ resolve, reject })));
    const written = writeMessage(channel, bytes);
    const eof = channel.closeWrite();
    this.#pool.refill();
    this.#flush(this.#pool.outbound + 1);
    const acked = (async () => {
      if (written !== eof) await eof;
      await channel.close();
      // Resolves after the callee's CLOSE; rejects with the session's error if the session ended first.
      await channel.closeWrite();
    })();
    acked.catch(ignore);
    let timedOut: ((reason: RpcError) => void) | undefined;
    const guard = options?.timeout === undefined ? null : new CallGuard(undefined, options.timeout, (reason) => timedOut?.(reason));
    try {
      await (guard === null ? acked : new Promise<void>((resolve, reject) => ((timedOut = reject), acked.then(resolve, reject))));
    } catch (error) {
      throw error instanceof RpcError ? error : this.lostError(error);
    } finally {
      guard?.dispose();
      written.catch(ignore);
      void channel.close();
    }
  }

  /**
   * Closes the session and its connection. Calls in flight both ways end: this side's reject with
   * `SessionClosedError`, the peer's handlers see their signal fire. Resolves when it has ended.
   */
  async close(): Promise<void> {
    if (!this.#ended) {
      this.#closedLocally = true;
      this.mux.close();
    }
    await this.closed;
  }

  /**
   * Stops taking new calls from the peer (they are answered with `refusal`, default 503) and
   * resolves once the calls in flight have finished. Calls to the peer go on.
   */
  drain(refusal: RpcError = RpcError.unavailable('shutting down')): Promise<void> {
    return this.#answerer.drain(refusal);
  }

  /** Ends every call from the peer still in flight with `reason`: their signals fire, callers get it. */
  abortCalls(reason: RpcError): void {
    this.#answerer.abortCalls(reason);
  }

  /** The error a call fails with because the session is gone. @internal */
  lostError(error: unknown): RpcSessionError {
    if (error instanceof ConnectionLostError || error instanceof SessionClosedError) return error;
    if (this.#closedLocally) return new SessionClosedError('the session was closed', { cause: error });
    const why = error instanceof Error ? `: ${error.message}` : '';
    return new ConnectionLostError(`the connection was lost${why}`, { cause: error });
  }

  // ---- internals ----

  /**
   * What was just queued completes a request: it goes to the transport with whatever the
   * coalescing stream holds (see `CoalescingStream.urgent`). `calls` in flight: a lone call's
   * request is written now, before the rest of the turn's work (a sequential caller waits on it);
   * with others in flight, the mux writes at the end of the microtask, so the requests made in one
   * go share a write.
   */
  #flush(calls: number): void {
    this.#out.urgent();
    if (calls <= 1) this.mux.flush();
  }

  #readError(error: unknown): Error {
    if (error instanceof WireError) return new RpcProtocolError(`the reply does not decode: ${error.message}`, { cause: error });
    return this.lostError(error);
  }

  /** Serves each channel the peer opens as a call; stops when the session ends (accept rejects). */
  #acceptLoop(): void {
    const answerer = this.#answerer;
    const mux = this.mux;
    // A promise chain rather than `for await`: no iterator result and no await per call.
    const serve = (channel: Channel): void => {
      mux.accept().then(serve, ignore);
      // Nothing more is built for a channel until its first bytes arrive (most wait in the peer's
      // pool for a while), and the call is then served in the microtask they arrive in: a reply
      // made at once leaves in the same write as the frames the read loop queued with the request
      // (the confirm of the caller's next pooled channel). A read that rejects: the session ended.
      channel.read().then((chunk) => answerer.serve(channel, chunk), ignore);
    };
    mux.accept().then(serve, ignore);
  }

  #onEnd(error: Error | undefined): Error | undefined {
    this.#ended = true;
    const lost = this.lostError(error);
    this.#pool.stop(lost);
    this.#answerer.end(lost);
    if (error === undefined) return undefined;
    return error instanceof MuxError ? lost : error;
  }
}

/**
 * Checks the options both ends share, so a bad one fails where it is given (`RangeError`), not
 * when the first connection comes.
 */
export function checkSessionOptions(options: SessionOptions): void {
  resolveOptions(options);
}

/** The options a session runs with, checked once, defaults applied. */
function resolveOptions(options: SessionOptions) {
  const poolSize = int('poolSize', options.poolSize ?? SESSION_DEFAULTS.poolSize, 0);
  return {
    maxInFlight: int('maxInFlight', options.maxInFlight ?? SESSION_DEFAULTS.maxInFlight, 1),
    poolSize,
    maxPoolSize: Math.max(poolSize, int('maxPoolSize', options.maxPoolSize ?? SESSION_DEFAULTS.maxPoolSize, 1)),
    maxPendingBytes: resolvePendingBytes(options.maxPendingBytes, SESSION_DEFAULTS.maxPendingBytes, options.limits),
    requestTimeoutMs: checkRequestTimeout(options.requestTimeoutMs ?? SESSION_DEFAULTS.requestTimeoutMs),
  };
}

function int(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

function ignore(): void {}
