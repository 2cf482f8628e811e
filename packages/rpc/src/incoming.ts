/**
 * The callee's side of one call (spec/rpc.md §2, §4): a channel the peer opened is a call waiting
 * for its first message; then the request is checked, routed, run through the middleware and the
 * handler, and answered (a value, a stream of items, or an error), and the channel closed.
 */
import { ChannelClosedError, type Channel } from '@petrichor/mux';
import { WireError, type Header, type Message, type Value, type ValueObject } from '@petrichor/wire';
import {
  ITEM,
  OK,
  OK_STREAM,
  errorBody,
  errorHeader,
  parseRequest,
  textOf,
  type Request,
  type RequestStream,
} from './envelope.js';
import { RpcError, requestError, type RpcSessionError } from './errors.js';
import { writeMessage, type Encoded, type MessageFormat } from './format.js';
import type { Peer } from './handshake/handshake.js';
import type { PendingBytes } from './budget.js';
import { MessageReader, type FirstMessageWatch } from './reader.js';
import type { PullQueue } from './pull.js';
import type { Params, RouteInfo } from './router.js';
import type { CallContext, Handler, Service } from './service.js';
import type { RpcSession } from './session.js';

/** What an incoming call needs from its session. */
export interface CallHost {
  readonly session: RpcSession;
  readonly format: MessageFormat;
  readonly service: Service;
  readonly peer: Peer;
  /** Counts the call in flight, or says why it is refused (429 at the limit, 503 when draining). */
  admit(call: IncomingCall): RpcError | null;
  /** The call is over (it was admitted). */
  finish(call: IncomingCall): void;
  /** A handler failed with something that is not an `RpcError`, or a hook threw. */
  report(error: unknown, ctx: CallContext): void;
  /** What was just queued ends a reply: the next write goes out at once (see `CoalescingStream.urgent`). */
  flush(): void;
  /** Where calls no route takes go while someone iterates `session.incoming`, else null. */
  pull(): PullQueue | null;
  /** The session's count of bytes in first messages still arriving (`maxPendingBytes`). */
  readonly pending: PendingBytes;
  /** How long a first message may take from its first byte (`requestTimeoutMs`; 0: no limit). */
  readonly requestTimeoutMs: number;
}

const EMPTY_META: ValueObject = Object.freeze({});
const NO_PARAMS: Params = Object.freeze({});
const NO_BYTES = new Uint8Array(0);
const NO_MATCH = Object.freeze({ status: 404 as const });
/** A caller's CLOSE this close to the deadline (or a tenth of it) is taken as the deadline (408). */
const DEADLINE_TOLERANCE_MS = 20;

/** One incoming call; it is the handler's {@link CallContext}. */
export class IncomingCall implements CallContext, FirstMessageWatch {
  verb = '';
  path = '';
  header: Header = EMPTY_META;
  body: Value = null;
  params: Params = NO_PARAMS;
  meta: Readonly<Record<string, Value>> = EMPTY_META;
  iface = '';
  route: RouteInfo<Handler> | undefined = undefined;
  stream: RequestStream | undefined = undefined;
  oneway = false;
  timeout: number | undefined = undefined;
  readonly peer: Peer;
  readonly session: RpcSession;

  readonly #host: CallHost;
  readonly #channel: Channel;
  readonly #reader: MessageReader;
  #controller: AbortController | null = null;
  /** Why the call ended early (cancel, deadline, shutdown, session end), once it has. */
  #abortReason: Error | null = null;
  /** Set once the reply (or error) is written, or can no longer be: nothing more is sent. */
  #replied = false;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** When the deadline passes (`performance.now()` ms), if the HEADER set one. */
  #deadlineAt = 0;
  #messagesTaken = false;
  /** Bytes of an incomplete first message, counted in the session's `pending`. */
  #pending = 0;
  /** Runs from the first byte of a first message that takes more than one chunk until it is whole. */
  #requestTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(host: CallHost, channel: Channel) {
    this.#host = host;
    this.#channel = channel;
    this.#reader = new MessageReader(channel, host.format.decoder(), this);
    this.peer = host.peer;
    this.session = host.session;
  }

  get deadlineAt(): number | undefined {
    return this.timeout === undefined ? undefined : this.#deadlineAt;
  }

  get signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === null) {
      controller = this.#controller = new AbortController();
      if (this.#abortReason !== null) controller.abort(this.#abortReason);
      else if (!this.oneway) void this.#channel.closed.then(() => this.#channelClosed());
    }
    return controller.signal;
  }

  get messages(): AsyncIterable<Value> {
    if (this.#messagesTaken) throw new Error('ctx.messages can be read only once');
    this.#messagesTaken = true;
    return this.stream === undefined ? noMessages() : this.#readMessages();
  }

  /**
   * Serves the call from its first bytes (`chunk`, read by the session; null if the channel ended
   * first) to the closed channel. Never rejects. A request that arrives whole and a handler that
   * answers at once are served without a pause, in the caller's microtask.
   */
  async run(chunk: Uint8Array | null): Promise<void> {
    let first: Message | null;
    try {
      const decoded = this.#reader.first(chunk);
      first = decoded instanceof Promise ? await decoded : decoded;
    } catch (error) {
      this.#arrived();
      this.#readFailed(error);
      this.#reader.release(this.#host.format);
      return;
    }
    this.#arrived();
    if (first === null) {
      // An idle pre-opened channel, closed by its opener (or at the session's end).
      this.#replied = true;
      void this.#channel.close();
      this.#reader.release(this.#host.format);
      return;
    }
    const refusal = this.#host.admit(this);
    if (refusal !== null) {
      this.#replyError(refusal, false);
      this.#reader.release(this.#host.format);
      return;
    }
    try {
      const handler = this.#accept(first);
      if (this.timeout !== undefined) {
        this.#deadlineAt = performance.now() + this.timeout;
        this.#timer = setTimeout(deadlinePassed, this.timeout, this);
      }
      let result = this.#host.service.invoke(this, handler);
      // A handler that answers at once is answered in this turn, not a microtask later.
      if (isThenable(result)) result = await result;
      if (this.#replied) return;
      if (this.oneway) {
        this.#replied = true;
        void this.#channel.close();
      } else if (isAsyncIterable(result)) {
        await this.#replyStream(result);
      } else {
        this.#reply(OK, result === undefined ? null : (result as Value), false);
      }
    } catch (error) {
      this.#fail(error);
    } finally {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#host.finish(this);
      // A read still pending (a stream the handler left unread) ends with null once released.
      this.#reader.release(this.#host.format);
    }
  }

  /**
   * Counts `bytes` more of a first message that is not whole yet against the session's budget
   * (429 past it), starting the request's clock at its first byte. Called by the reader. @internal
   */
  partial(bytes: number): void {
    const host = this.#host;
    if (this.#requestTimer === undefined && host.requestTimeoutMs > 0) {
      this.#requestTimer = setTimeout(requestTimedOut, host.requestTimeoutMs, this);
    }
    host.pending.claim(bytes);
    this.#pending += bytes;
  }

  /** The first read is over (a message, an end, a refusal): its clock stops and its bytes are given back. */
  #arrived(): void {
    if (this.#requestTimer !== undefined) clearTimeout(this.#requestTimer);
    this.#host.pending.give(this.#pending);
    this.#pending = 0;
  }

  /**
   * Ends the call early with `reason`: the signal fires, and unless the call is one-way (or the
   * reason is the session's end) the caller is answered with it. Used for the deadline, for
   * shutdown, and when the session ends.
   */
  abort(reason: RpcError | RpcSessionError): void {
    if (this.#abortReason !== null) return;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
    if (reason instanceof RpcError && !this.oneway && !this.#replied) this.#replyError(reason, true);
    else this.#replied = true;
  }

  // ---- the request ----

  /** Reads the request; returns the handler to run. Throws `RpcError` 400/403/404/405. */
  #accept(message: Message): Handler {
    const request: Request = parseRequest(message.header);
    this.verb = request.verb;
    this.path = request.path;
    this.header = message.header;
    this.body = message.body;
    this.stream = request.stream;
    this.oneway = request.oneway;
    this.timeout = request.timeout;
    if (request.meta !== undefined) this.meta = plainMeta(request.meta);
    const service = this.#host.service;
    const name = request.iface ?? service.defaultInterface;
    this.iface = name;
    if (this.peer.interface === 'control' && name !== 'control') {
      throw RpcError.forbidden('this session may call only the control interface');
    }
    const iface = service.interfaces.get(name);
    // A plain client's service has no interfaces at all: its default one is taken as empty.
    if (iface === undefined && name !== service.defaultInterface) throw RpcError.notFound(`no interface "${name}"`);
    const match = iface?.router.match(request.verb, request.path) ?? NO_MATCH;
    if (match.status === 200) {
      this.route = match.route;
      this.params = match.params;
      return match.route.handler;
    }
    if (iface?.fallbackHandler !== undefined) return iface.fallbackHandler;
    const pull = name === service.defaultInterface ? this.#host.pull() : null;
    if (pull !== null) return (ctx) => pull.take(ctx);
    if (match.status === 405) throw RpcError.verbNotAllowed(`${request.verb} is not allowed on ${request.path}`);
    throw RpcError.notFound(`no route for ${request.verb} ${request.path}`);
  }

  /**
   * The first message could not be read: answer 400 (413 past a limit, 429 past the session's
   * `maxPendingBytes`) if the channel still stands.
   */
  #readFailed(error: unknown): void {
    if (this.#replied) return; // answered already: the request timed out
    if (error instanceof RpcError) {
      this.#replyError(error, true);
    } else if (error instanceof WireError) {
      this.#replyError(requestError(error), true);
    } else {
      this.#replied = true; // the session is gone
    }
  }

  async *#readMessages(): AsyncGenerator<Value> {
    for (;;) {
      let message: Message | null;
      try {
        message = await this.#reader.next();
      } catch (error) {
        if (error instanceof WireError) {
          throw requestError(error);
        }
        throw this.#abortReason ?? RpcError.cancelled('the call ended');
      }
      if (message === null) return;
      yield message.body;
    }
  }

  // ---- the reply ----

  /** A value reply: the message, EOF and CLOSE, queued in one turn when the window allows. */
  #reply(header: Header, body: Value, force: boolean): void {
    let bytes: Encoded;
    try {
      bytes = this.#host.format.message(header, body);
    } catch (error) {
      this.#host.report(error, this);
      bytes = this.#host.format.message(errorHeader(500), errorBody(RpcError.internal(), this.#host.format.codec));
    }
    this.#replied = true;
    this.#finish(writeMessage(this.#channel, bytes), force);
  }

  #replyError(error: RpcError, force: boolean): void {
    this.#reply(errorHeader(error.code), errorBody(error, this.#host.format.codec), force);
  }

  /**
   * Sends EOF, then CLOSE once `written` (null: nothing pending) is done: at once when it was
   * queued in this turn, so the reply, EOF and CLOSE leave in one transport write.
   */
  #finish(written: Promise<void> | null, force: boolean): void {
    const channel = this.#channel;
    const eof = channel.closeWrite();
    // The mux hands back one shared settled promise for every write it queued at once:
    // identical promises mean the reply is queued whole.
    if (written === null || written === eof) {
      void channel.close();
      this.#host.flush();
      return;
    }
    written.catch(ignore);
    if (force) {
      eof.catch(ignore);
      void channel.close();
      this.#host.flush();
      return;
    }
    this.#host.flush();
    const close = (): void => void channel.close();
    eof.then(close, close);
  }

  /** A streaming reply: the head, then each item as the consumer makes room, then EOF. */
  async #replyStream(items: AsyncIterable<Value>): Promise<void> {
    const iterator = items[Symbol.asyncIterator]();
    const format = this.#host.format;
    const channel = this.#channel;
    let started = false;
    for (;;) {
      let step: IteratorResult<Value>;
      try {
        step = await iterator.next();
      } catch (error) {
        if (!this.#replied) this.#streamFailed(error, started);
        return;
      }
      if (this.#replied) return stop(iterator);
      if (step.done === true) break;
      // Copied, never by reference: a generator may refill the buffer it yielded once it resumes.
      let bytes: Uint8Array;
      try {
        bytes = format.encode(ITEM, step.value);
      } catch (error) {
        this.#streamFailed(error, started);
        return stop(iterator);
      }
      if (!started) {
        started = true;
        channel.write(format.encode(OK_STREAM, null)).catch(ignore);
      }
      try {
        await channel.write(bytes);
      } catch (error) {
        this.#lost(error);
        return stop(iterator);
      }
      if (this.#replied) return stop(iterator);
    }
    if (!started) return this.#reply(OK_STREAM, null, false);
    this.#replied = true;
    this.#finish(null, false);
  }

  /** The handler's stream threw: an error reply (or, after items, an error message), then EOF. */
  #streamFailed(error: unknown, started: boolean): void {
    const rpcError = this.#toRpcError(error);
    if (!started) return this.#replyError(rpcError, false);
    this.#replied = true;
    const written = this.#channel.write(
      this.#host.format.encode(errorHeader(rpcError.code), errorBody(rpcError, this.#host.format.codec)),
    );
    this.#finish(written, false);
  }

  /** The handler (or middleware) threw. */
  #fail(error: unknown): void {
    if (this.#replied) return;
    const rpcError = this.#toRpcError(error);
    if (this.oneway) {
      this.#replied = true;
      void this.#channel.close();
      return;
    }
    this.#replyError(rpcError, false);
  }

  #toRpcError(error: unknown): RpcError {
    if (error instanceof RpcError) return error;
    this.#host.report(error, this);
    return RpcError.internal();
  }

  /** A write failed: the caller closed the channel (a cancel) or the session ended. */
  #lost(error: unknown): void {
    this.#replied = true;
    if (error instanceof ChannelClosedError) this.abort(this.#cancelReason());
  }

  /** The channel closed while the handler runs: the caller cancelled, or the session ended. */
  #channelClosed(): void {
    if (this.#replied || this.#abortReason !== null) return;
    // A write of nothing tells which: the session's error if it ended, else ChannelClosedError.
    this.#channel.write(NO_BYTES).then(
      () => this.abort(this.#cancelReason()),
      (error: unknown) => this.abort(error instanceof ChannelClosedError ? this.#cancelReason() : this.#host.session.lostError(error)),
    );
  }

  /**
   * Why the caller closed: 408 if our own deadline is (nearly) due, since a caller's deadline
   * timer starts before ours and fires a transit time earlier; else 499 (spec/rpc.md §3.3).
   */
  #cancelReason(): RpcError {
    if (this.timeout !== undefined) {
      const left = this.#deadlineAt - performance.now();
      if (left <= Math.max(DEADLINE_TOLERANCE_MS, this.timeout / 10)) return RpcError.deadlineExceeded();
    }
    return RpcError.cancelled('the caller cancelled the call');
  }
}

function deadlinePassed(call: IncomingCall): void {
  call.abort(RpcError.deadlineExceeded());
}

/** The request did not arrive within `requestTimeoutMs`: 408, and the channel closes (the pending read ends). */
function requestTimedOut(call: IncomingCall): void {
  call.abort(RpcError.deadlineExceeded('the request did not arrive within requestTimeoutMs'));
}

/** `meta` as a plain object whatever the decode shape (a lossless decode gives a `Map`). */
function plainMeta(meta: Header): Readonly<Record<string, Value>> {
  if (!(meta instanceof Map)) return meta as ValueObject;
  const object: Record<string, Value> = {};
  for (const [key, value] of meta as ReadonlyMap<string | Uint8Array, Value>) {
    const name = textOf(key);
    if (name !== undefined) Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Value> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

function stop(iterator: AsyncIterator<Value>): void {
  if (iterator.return !== undefined) void Promise.resolve(iterator.return()).catch(ignore);
}

async function* noMessages(): AsyncGenerator<Value> {}

function ignore(): void {}
