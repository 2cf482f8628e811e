/**
 * What one end of a session answers (spec/rpc.md §5): interfaces, each with routes by verb and
 * path and an optional fallback, and the middleware every call goes through. A `Server` has one,
 * shared by all its sessions; a `Client` has its own, for the calls its server makes to it.
 */
import type { Header, Value } from '@petrichor/wire';
import type { Peer } from './handshake/handshake.js';
import type { RequestStream } from './envelope.js';
import { Answering } from './answering.js';
import { Router, type Params, type RouteInfo } from './router.js';
import type { AnswerHost, Answerer, RpcSession } from './session.js';

/** What a handler gets: the call's request, who made it, and how to notice cancellation. */
export interface CallContext {
  /** The verb: any text (`GET`, `relate`, `deliver`, …). */
  readonly verb: string;
  /** The path, as sent (starts with `/`). */
  readonly path: string;
  /** The whole request HEADER (shaped by the session's decode options). */
  readonly header: Header;
  /** The request BODY: the call's argument. */
  readonly body: Value;
  /** What the route's `:name` segments (and trailing `*`) captured. */
  readonly params: Params;
  /** The HEADER's `meta` dict, as a plain object whatever the decode shape (empty when absent). */
  readonly meta: Readonly<Record<string, Value>>;
  /** The interface called (the default data interface when the HEADER has no `iface`). */
  readonly iface: string;
  /** The route taken, or undefined when the fallback answers. */
  readonly route: RouteInfo<Handler> | undefined;
  /** The caller. */
  readonly peer: Peer;
  /** The session the call came on: call the peer back through it (push). */
  readonly session: RpcSession;
  /** `in` or `both` when the caller streams more messages after the first. */
  readonly stream: RequestStream | undefined;
  /** True for a one-way call: no reply is sent, whatever the handler returns. */
  readonly oneway: boolean;
  /** The relative deadline the caller set, in ms, if any. */
  readonly timeout: number | undefined;
  /** When that deadline passes, in `performance.now()` ms, if known (a relay passes on what is left). */
  readonly deadlineAt?: number | undefined;
  /**
   * Fires when the call is over before the handler is: the caller cancelled (reason: `RpcError`
   * 499), the deadline passed (408), the server shut down (503), or the connection was lost.
   */
  readonly signal: AbortSignal;
  /**
   * The BODYs of the messages the caller streams after the first (`stream: in | both`), until
   * its half-close. Empty for a unary request. Read it once.
   */
  readonly messages: AsyncIterable<Value>;
}

/**
 * What a handler returns: a value (a unary reply; `undefined` is sent as null), or an async
 * iterable of values (a streaming reply, sent item by item under backpressure).
 */
export type HandlerResult = Value | undefined | void | AsyncIterable<Value>;

/** Answers a call. Throw an `RpcError` to answer with an error. */
export type Handler = (ctx: CallContext) => HandlerResult | Promise<HandlerResult>;

/**
 * Runs around every call (logging, metrics, auth checks): call `next()` to run the rest of the
 * chain and the handler, and return (or change) what it returns; throw to answer with an error.
 */
export type Middleware = (ctx: CallContext, next: () => Promise<HandlerResult>) => Promise<HandlerResult>;

/** Who may call an interface, from the serving side's point of view (for the manifest). */
export type Direction = 'send' | 'recv' | 'send+recv';

/** Descriptions of a route, for the manifest. */
export interface RouteOptions {
  /** One line for people reading the manifest. */
  description?: string;
  /** The BODY's schema (a JSON-Schema-like dict). */
  body?: Value;
}

/** What an interface says about itself, for the manifest. */
export interface InterfaceInfo {
  /** What the interface is for, in one line. */
  purpose?: string;
  /** Default `send+recv`. */
  direction?: Direction;
}

/** A named set of routes (`data`, `control`, …): a request's `iface` picks one. */
export class Interface {
  readonly name: string;
  purpose: string;
  direction: Direction;
  readonly router = new Router<Handler>();
  /** Answers calls no route takes (instead of 404 / 405). */
  fallbackHandler: Handler | undefined = undefined;

  constructor(name: string, info?: InterfaceInfo) {
    this.name = name;
    this.purpose = info?.purpose ?? '';
    this.direction = info?.direction ?? 'send+recv';
  }

  /** Adds a route: `verb` (any text, or `*`), `pattern` (`/items/:id`, `/files/*`). */
  route(verb: string, pattern: string, handler: Handler, options?: RouteOptions): this {
    const info: { -readonly [K in keyof RouteInfo<Handler>]: RouteInfo<Handler>[K] } = { verb, pattern, handler };
    if (options?.description !== undefined) info.description = options.description;
    if (options?.body !== undefined) info.body = options.body;
    this.router.add(info);
    return this;
  }

  /** Sets the handler for calls no route takes. */
  fallback(handler: Handler): this {
    this.fallbackHandler = handler;
    return this;
  }
}

/** The interfaces and middleware of one serving end. */
export class Service {
  readonly interfaces = new Map<string, Interface>();
  /** The interface a request without `iface` calls. */
  readonly defaultInterface: string;
  readonly middleware: Middleware[] = [];

  constructor(defaultInterface = 'data', info?: InterfaceInfo) {
    this.defaultInterface = defaultInterface;
    this.interfaces.set(defaultInterface, new Interface(defaultInterface, info));
  }

  /** The interface named `name`, created on first use (`info` updates it when given). */
  interface(name: string, info?: InterfaceInfo): Interface {
    let iface = this.interfaces.get(name);
    if (iface === undefined) {
      iface = new Interface(name, info);
      this.interfaces.set(name, iface);
    } else if (info !== undefined) {
      if (info.purpose !== undefined) iface.purpose = info.purpose;
      if (info.direction !== undefined) iface.direction = info.direction;
    }
    return iface;
  }

  /**
   * The side of a session that answers its peer's calls with this service. Here, not in the
   * session, so a client without a service holds none of it. @internal
   */
  answerer(host: AnswerHost): Answerer {
    return new Answering(host, this);
  }

  /** Runs the middleware chain, then `handler`. */
  invoke(ctx: CallContext, handler: Handler): HandlerResult | Promise<HandlerResult> {
    const middleware = this.middleware;
    if (middleware.length === 0) return handler(ctx);
    const dispatch = async (i: number): Promise<HandlerResult> => {
      if (i === middleware.length) return handler(ctx);
      let called = false;
      return middleware[i]!(ctx, () => {
        if (called) return Promise.reject(new Error('next() called twice by one middleware'));
        called = true;
        return dispatch(i + 1);
      });
    };
    return dispatch(0);
  }
}
