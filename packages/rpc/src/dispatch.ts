/**
 * Dispatch without a socket: one call run through a service's routes, middleware and handler,
 * the result handed back. For front ends that are not rpc sessions (the HTTP routes of
 * `@petrichor/http`): routing, the middleware chain and the error model stay the session's own.
 */
import type { Header, Value, ValueObject } from '@petrichor/wire';
import { requestHeader } from './envelope.js';
import { RpcError } from './errors.js';
import type { Peer } from './handshake/handshake.js';
import type { Params, RouteInfo } from './router.js';
import type { CallContext, Handler, HandlerResult, Service } from './service.js';
import type { RpcSession } from './session.js';

/** One call to {@link dispatch}. */
export interface DispatchRequest {
  /** Any text (`GET`, `relate`, …). */
  readonly verb: string;
  /** Starts with `/`. */
  readonly path: string;
  /** The argument (default null). */
  readonly body?: Value;
  /** The interface (default the service's default interface). */
  readonly iface?: string;
  /** Relative deadline in ms: past it the handler's signal fires and the call fails with 408. */
  readonly timeout?: number;
  /** More request HEADER fields, such as the mesh's `params` (the reserved names are ignored). */
  readonly header?: Readonly<Record<string, Value>>;
  /** Who calls: the front end says what it knows (it ran the auth). */
  readonly peer: Peer;
  /** Fires when the caller goes away: the handler's signal fires too, the call fails with 499. */
  readonly signal?: AbortSignal;
  /** Told of handler failures that are not `RpcError`s (they become a bare 500). */
  readonly onError?: (error: unknown, ctx: CallContext) => void;
}

/** What a dispatched call answered: one value, or items to read as they come. */
export type Dispatched =
  | { readonly stream: false; readonly value: Value }
  /** Reading the items keeps the deadline and the caller's signal in force; they end with the call. */
  | { readonly stream: true; readonly items: AsyncIterable<Value> };

const EMPTY: ValueObject = Object.freeze({});

/**
 * Runs one call on `service` (a server's `server.service`) as a session would: the route by
 * verb and path (404, 405, the fallback), the middleware, the handler. Resolves with the value or
 * the items of a streamed reply; rejects only with an `RpcError` (anything else a handler throws
 * is reported to `onError` and becomes 500 "internal error"). There is no session: `ctx.session`
 * throws 501, `ctx.messages` is empty, and a call is never one-way.
 */
export async function dispatch(service: Service, request: DispatchRequest): Promise<Dispatched> {
  const call = new DispatchedCall(service, request);
  try {
    const handler = call.accept(request.iface ?? service.defaultInterface);
    call.start();
    const result = await Promise.race([call.invoke(handler), call.aborted]);
    if (isAsyncIterable(result)) return { stream: true, items: call.items(result) };
    call.end();
    return { stream: false, value: result === undefined ? null : (result as Value) };
  } catch (error) {
    call.end();
    throw call.toRpcError(error);
  }
}

/**
 * The verbs `path` takes on an interface (for HTTP's `Allow`), in the order the routes were added.
 * Empty when no route matches the path; `*` routes are left out.
 */
export function allowedVerbs(service: Service, path: string, iface = service.defaultInterface): string[] {
  const router = service.interfaces.get(iface)?.router;
  if (router === undefined) return [];
  const verbs = new Set<string>();
  for (const route of router.routes) {
    if (route.verb !== '*' && !verbs.has(route.verb) && router.match(route.verb, path).status === 200) verbs.add(route.verb);
  }
  return [...verbs];
}

/** The context of a dispatched call, and its deadline and cancellation. */
class DispatchedCall implements CallContext {
  readonly verb: string;
  readonly path: string;
  readonly header: Header;
  readonly body: Value;
  readonly meta: Readonly<Record<string, Value>> = EMPTY;
  readonly peer: Peer;
  readonly stream = undefined;
  readonly oneway = false;
  readonly timeout: number | undefined;
  params: Params = EMPTY as Params;
  iface = '';
  route: RouteInfo<Handler> | undefined = undefined;
  /** Rejects with the reason once the call is cut short (never resolves). */
  readonly aborted: Promise<never>;

  readonly #service: Service;
  readonly #request: DispatchRequest;
  readonly #controller = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #onCallerAbort: (() => void) | undefined = undefined;
  #messagesTaken = false;

  constructor(service: Service, request: DispatchRequest) {
    this.#service = service;
    this.#request = request;
    this.verb = request.verb;
    this.path = request.path;
    this.timeout = request.timeout;
    this.body = request.body ?? null;
    this.peer = request.peer;
    this.header = requestHeader(request.verb, request.path, {
      timeout: request.timeout,
      iface: request.iface,
      header: request.header,
    });
    const signal = this.#controller.signal;
    this.aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    this.aborted.catch(ignore);
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get messages(): AsyncIterable<Value> {
    if (this.#messagesTaken) throw new Error('ctx.messages can be read only once');
    this.#messagesTaken = true;
    return noMessages();
  }

  get session(): RpcSession {
    throw new RpcError(501, 'this call came without a session: it cannot call back');
  }

  /** The handler for the request, as a session routes it (spec/rpc.md §5.1). Throws `RpcError`. */
  accept(name: string): Handler {
    this.iface = name;
    if (this.peer.interface === 'control' && name !== 'control') {
      throw RpcError.forbidden('this session may call only the control interface');
    }
    if (this.path.charCodeAt(0) !== 0x2f) throw RpcError.badRequest('the request path must start with "/"');
    const iface = this.#service.interfaces.get(name);
    if (iface === undefined) throw RpcError.notFound(`no interface "${name}"`);
    const match = iface.router.match(this.verb, this.path);
    if (match.status === 200) {
      this.route = match.route;
      this.params = match.params;
      return match.route.handler;
    }
    if (iface.fallbackHandler !== undefined) return iface.fallbackHandler;
    if (match.status === 405) throw RpcError.verbNotAllowed(`${this.verb} is not allowed on ${this.path}`);
    throw RpcError.notFound(`no route for ${this.verb} ${this.path}`);
  }

  /** Arms the deadline and the caller's signal. */
  start(): void {
    const caller = this.#request.signal;
    if (caller !== undefined) {
      if (caller.aborted) this.#abort(RpcError.cancelled('the caller went away'));
      else {
        this.#onCallerAbort = () => this.#abort(RpcError.cancelled('the caller went away'));
        caller.addEventListener('abort', this.#onCallerAbort, { once: true });
      }
    }
    if (this.timeout !== undefined) this.#timer = setTimeout(() => this.#abort(RpcError.deadlineExceeded()), this.timeout);
  }

  async invoke(handler: Handler): Promise<HandlerResult> {
    return this.#service.invoke(this, handler);
  }

  /** The handler's items, each raced against the deadline and the caller's signal. */
  async *items(source: AsyncIterable<Value>): AsyncGenerator<Value, void, undefined> {
    const iterator = source[Symbol.asyncIterator]();
    let done = false;
    try {
      for (;;) {
        let step: IteratorResult<Value>;
        try {
          step = await Promise.race([iterator.next(), this.aborted]);
        } catch (error) {
          throw this.toRpcError(error);
        }
        if (step.done === true) {
          done = true;
          return;
        }
        yield step.value;
      }
    } finally {
      this.end();
      if (!done && iterator.return !== undefined) void Promise.resolve(iterator.return()).catch(ignore);
    }
  }

  /** The call is over: no more deadline or listener. */
  end(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#onCallerAbort !== undefined) this.#request.signal?.removeEventListener('abort', this.#onCallerAbort);
    this.#onCallerAbort = undefined;
  }

  toRpcError(error: unknown): RpcError {
    if (error instanceof RpcError) return error;
    this.#request.onError?.(error, this);
    return RpcError.internal();
  }

  #abort(reason: RpcError): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Value> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

async function* noMessages(): AsyncGenerator<Value> {}

function ignore(): void {}
