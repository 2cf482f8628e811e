/**
 * Relays (spec/rpc.md §8.1): a handler forwards its call to another service, as parigot's "fake
 * server" does: the request rewritten on the way in, the reply on the way out, the backend's
 * errors mapped to friendlier ones, and streams passed through item by item, so backpressure
 * holds end to end and memory stays bounded.
 */
import type { Header, Value } from '@petrichor/wire';
import { RpcError, RpcProtocolError, RpcSessionError } from './errors.js';
import type { Call, CallOptions, OpenOptions } from './outgoing.js';
import type { CallContext, HandlerResult } from './service.js';

/** The request a relay sends to the backend; `rewrite` may change any of it. */
export interface RelayRequest {
  verb: string;
  path: string;
  body: Value;
  /** The request's other top-level HEADER fields (the mesh's `params`, `to`…), reserved ones left out. */
  header: Readonly<Record<string, Value>>;
  /** The `meta` dict, if the request had one. */
  meta: Header | undefined;
  /** The backend's interface; undefined: its default data interface. */
  iface: string | undefined;
}

/** Options of {@link relay}. */
export interface RelayOptions {
  /** Changes the request before it is forwarded (add a connection id, drop a field, move the path…). */
  rewrite?: (request: RelayRequest, ctx: CallContext) => RelayRequest | Promise<RelayRequest>;
  /** Changes each reply value: a unary reply's value, or each item of a streamed reply. */
  rewriteReply?: (value: Value, ctx: CallContext) => Value | Promise<Value>;
  /**
   * Turns the backend's error into the one the caller gets. It receives an `RpcError` (a backend
   * that could not be reached is 503 "backend unavailable", a malformed reply 502 "bad gateway").
   * Default {@link defaultMapError}: 5xx → 503 "try again", 4xx as they are.
   */
  mapError?: (error: RpcError, ctx: CallContext) => RpcError;
}

/** Anything that calls like a session: a `Client`, a server's `ctx.session`, `Endpoints`. */
export interface RelayTarget {
  stream(verb: string, path: string, body?: Value, options?: CallOptions): Call | Promise<Call>;
  open(verb: string, path: string, body?: Value, options?: OpenOptions): Call | Promise<Call>;
  deliver(verb: string, path: string, body?: Value, options?: Omit<CallOptions, 'signal'>): Promise<void>;
}

/** Request HEADER fields the relay sets itself (or must not forward, like a per-call signature). */
const RESERVED = new Set(['verb', 'path', 'timeout', 'stream', 'oneway', 'iface', 'meta', 'auth']);

/**
 * The default error mapping: a backend's 5xx becomes 503 "try again" (what failed behind the
 * relay is not the caller's business, and the call may succeed later); 4xx pass through.
 */
export function defaultMapError(error: RpcError): RpcError {
  return error.code >= 500 ? new RpcError(503, 'try again', undefined, { cause: error }) : error;
}

/**
 * Forwards the call in `ctx` to `backend` and answers with the backend's reply in the same form:
 * a value, or a stream of items. A client-streaming request is pumped message by message (each
 * waits for the backend's window, so a slow backend stalls the caller); a one-way request is
 * delivered. The caller's cancel or deadline cancels the backend call. Use it as a handler body:
 *
 * ```ts
 * server.route('*', '/search/*', (ctx) => relay(ctx, searchClient, { rewrite: (r) => ({ ...r, path: r.path.slice(7) }) }));
 * ```
 */
export async function relay(ctx: CallContext, backend: RelayTarget, options: RelayOptions = {}): Promise<HandlerResult> {
  let request: RelayRequest = {
    verb: ctx.verb,
    path: ctx.path,
    body: ctx.body,
    header: otherFields(ctx.header),
    meta: Object.keys(fieldsOf(ctx.meta)).length === 0 ? undefined : ctx.meta,
    iface: undefined,
  };
  if (options.rewrite !== undefined) request = await options.rewrite(request, ctx);
  const mapError = options.mapError ?? defaultMapError;
  const fail = (error: unknown): RpcError => mapError(backendError(error), ctx);
  const callOptions: CallOptions = { header: request.header };
  if (request.meta !== undefined) callOptions.meta = request.meta;
  if (request.iface !== undefined) callOptions.iface = request.iface;
  // What is left of the caller's deadline, not all of it: the rewrite and the hops before took some.
  if (ctx.timeout !== undefined) callOptions.timeout = remainingMs(ctx, ctx.timeout);
  if (ctx.oneway) {
    try {
      await backend.deliver(request.verb, request.path, request.body, callOptions);
    } catch (error) {
      throw fail(error);
    }
    return undefined;
  }
  callOptions.signal = ctx.signal;
  let call: Call;
  try {
    call =
      ctx.stream === undefined
        ? await backend.stream(request.verb, request.path, request.body, callOptions)
        : await backend.open(request.verb, request.path, request.body, { ...callOptions, stream: ctx.stream });
  } catch (error) {
    throw fail(error);
  }
  if (ctx.stream !== undefined) void pump(ctx, call);
  const rewriteReply = options.rewriteReply;
  try {
    if (!(await call.streaming)) {
      const value = await call.result;
      return rewriteReply === undefined ? value : await rewriteReply(value, ctx);
    }
  } catch (error) {
    call.cancel();
    throw fail(error);
  }
  return items(call, ctx, rewriteReply, fail);
}

/** The backend's reply items, rewritten, its failure mapped. Leaving early cancels the backend call. */
async function* items(
  call: Call,
  ctx: CallContext,
  rewriteReply: RelayOptions['rewriteReply'],
  fail: (error: unknown) => RpcError,
): AsyncGenerator<Value> {
  const iterator = call[Symbol.asyncIterator]();
  try {
    for (;;) {
      let step: IteratorResult<Value>;
      try {
        step = await iterator.next();
      } catch (error) {
        throw fail(error);
      }
      if (step.done === true) return;
      yield rewriteReply === undefined ? step.value : await rewriteReply(step.value, ctx);
    }
  } finally {
    // Done, failed, or the caller went away: a no-op after the end, else a cancel.
    call.cancel();
  }
}

/** Sends the caller's further messages to the backend, one at a time, then half-closes. */
async function pump(ctx: CallContext, call: Call): Promise<void> {
  try {
    for await (const body of ctx.messages) await call.send(body);
    await call.end();
  } catch {
    // The caller cancelled (its signal cancels the backend call), or the backend ended the call
    // (its reply, or its error, is what the caller gets).
  }
}

/** A backend failure as an `RpcError`, before mapping. */
function backendError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  if (error instanceof RpcProtocolError) return new RpcError(502, 'bad gateway', undefined, { cause: error });
  if (error instanceof RpcSessionError) return new RpcError(503, 'backend unavailable', undefined, { cause: error });
  return new RpcError(500, undefined, undefined, { cause: error });
}

function fieldsOf(header: Header): Readonly<Record<string, Value>> {
  if (!(header instanceof Map)) return header as Readonly<Record<string, Value>>;
  const out: Record<string, Value> = {};
  for (const [key, value] of header as ReadonlyMap<string | Uint8Array, Value>) if (typeof key === 'string') out[key] = value;
  return out;
}

/** The HEADER's fields the relay does not set itself. */
function otherFields(header: Header): Readonly<Record<string, Value>> {
  const out: Record<string, Value> = {};
  for (const [key, value] of Object.entries(fieldsOf(header))) {
    if (!RESERVED.has(key)) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The ms left until the caller's deadline (its whole `timeout` when the context does not know when it started). */
function remainingMs(ctx: CallContext, timeout: number): number {
  const deadlineAt = ctx.deadlineAt;
  return deadlineAt === undefined ? timeout : Math.max(0, Math.floor(deadlineAt - performance.now()));
}
