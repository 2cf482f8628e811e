import type { ByteStream, SessionOptions as MuxOptions } from '@petrichor/mux';
import type { CodecName, Value } from '@petrichor/wire';
import { sessionCodec } from './session-codec.js';
import type { ServerAuth } from './auth/types.js';
import { randomIdent } from './client.js';
import { serveControl } from './control.js';
import { serverMuxOptions } from './budget.js';
import { RpcError } from './errors.js';
import { CODEC_NAMES, resolveLimits, serverHandshake, type HandshakeLimits, type Peer } from './handshake/handshake.js';
import { RpcSession, SESSION_DEFAULTS, checkSessionOptions, type SessionInit, type SessionOptions } from './session.js';
import { Service, type Handler, type Interface, type InterfaceInfo, type Middleware, type RouteOptions } from './service.js';

/** Options of a {@link Server}. */
export interface ServerOptions extends SessionOptions, HandshakeLimits {
  /** The service's name (for the manifest). Default `''`. */
  name?: string;
  /** The server's version string, sent in the handshake answer. Default `'0'`. */
  version?: string;
  /** The server's unique id, sent in the handshake answer. Default a fresh random hex id. */
  ident?: string;
  /** The codecs clients may pick, by name (the server holds all three). Default all three. */
  codecs?: readonly CodecName[];
  /** Checks the handshake's credentials. Without it every client is `{ scheme: 'none', id: user }`. */
  auth?: ServerAuth;
  /** Allows or denies a client by identity, after auth: throw an `RpcError` (403, a reason) to deny. */
  authorize?: (peer: Peer) => void | Promise<void>;
  /** The welcome (the allowed answer's BODY), or a function of the peer making it. Default null. */
  welcome?: Value | ((peer: Peer) => Value | Promise<Value>);
  /** Name of the interface a request without `iface` calls. Default `'data'`. */
  defaultInterface?: string;
}

/** Options of {@link Server.close}. */
export interface CloseOptions {
  /** How long calls in flight may run before they are ended with 503. Default 10,000 ms. */
  deadlineMs?: number;
}

/**
 * The answering end (spec/rpc.md §1, §5): routes by verb and path, middleware, and one session
 * per connection handed to {@link serve}.
 *
 * ```ts
 * const server = new Server({ version: '1.0' });
 * server.route('GET', '/items/:id', (ctx) => items.get(ctx.params.id) ?? RpcError.notFound());
 * net.createServer((socket) => void server.serve(socketStream(socket))).listen(7000, '127.0.0.1');
 * ```
 */
export class Server {
  readonly options: Readonly<ServerOptions>;
  /** The interfaces, routes and middleware every session of this server answers with. */
  readonly service: Service;
  readonly #sessions = new Set<RpcSession>();
  readonly #ident: string;
  /** Every session's qmux options: `maxChannels` lower than qmux's default unless given. */
  readonly #mux: MuxOptions;
  #closing: RpcError | null = null;

  constructor(options: ServerOptions = {}) {
    checkSessionOptions(options);
    resolveLimits(options);
    for (const codec of options.codecs ?? []) {
      if (!CODEC_NAMES.includes(codec)) throw new RangeError(`unknown codec "${String(codec)}"`);
    }
    this.options = options;
    this.service = new Service(options.defaultInterface ?? 'data');
    this.#ident = options.ident ?? randomIdent();
    this.#mux = serverMuxOptions(options.mux, options.maxInFlight ?? SESSION_DEFAULTS.maxInFlight, SESSION_DEFAULTS.maxChannels);
    // Every server describes itself on its control interface (spec/rpc.md §7).
    serveControl(this.service, { name: options.name ?? '', version: options.version ?? '0' });
  }

  /** The sessions running now (one per connected client). */
  get sessions(): ReadonlySet<RpcSession> {
    return this.#sessions;
  }

  /** The server's ident (the handshake answer's). */
  get ident(): string {
    return this.#ident;
  }

  /**
   * Answers `verb` (any text; `*` for every verb) on `pattern` (`/items/:id`, `/files/*`) in the
   * default interface. Throws `RangeError` for a malformed pattern or a route already defined.
   */
  route(verb: string, pattern: string, handler: Handler, options?: RouteOptions): this {
    this.service.interface(this.service.defaultInterface).route(verb, pattern, handler, options);
    return this;
  }

  /** Answers the calls no route of the default interface takes (instead of 404 / 405). */
  fallback(handler: Handler): this {
    this.service.interface(this.service.defaultInterface).fallback(handler);
    return this;
  }

  /** Adds middleware: it runs around every call, in the order added. */
  use(middleware: Middleware): this {
    this.service.middleware.push(middleware);
    return this;
  }

  /** The interface named `name` (created on first use): its own routes, chosen by a request's `iface`. */
  interface(name: string, info?: InterfaceInfo): Interface {
    return this.service.interface(name, info);
  }

  /**
   * Runs one connection: the handshake, then the session until it ends. Resolves with the
   * session once the handshake has allowed it, or null when the handshake denied the client
   * (or failed); never rejects. The session's `closed` tells when it ends.
   */
  async serve(stream: ByteStream): Promise<RpcSession | null> {
    const options = this.options;
    const handshaken = await serverHandshake(stream, {
      ident: this.#ident,
      version: options.version ?? '0',
      codecs: options.codecs ?? CODEC_NAMES,
      auth: options.auth,
      authorize: options.authorize,
      welcome: options.welcome,
      maxHandshakeBytes: options.maxHandshakeBytes,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      refuse: () => this.#closing,
      onError: (error) => options.onError?.(error, undefined),
    });
    if (handshaken === null) return null;
    const init: SessionInit = {
      ...options,
      mux: this.#mux,
      codec: sessionCodec(handshaken.peer.codec),
      service: this.service,
      preopen: false,
    };
    const session = new RpcSession(handshaken.stream, handshaken.peer, init);
    if (this.#closing !== null) {
      // Shut down while this handshake finished: no new sessions.
      void session.close();
      return null;
    }
    this.#sessions.add(session);
    void session.closed.then(() => this.#sessions.delete(session));
    return session;
  }

  /**
   * Shuts down gracefully: new connections are denied and new calls refused (503); calls in
   * flight get `deadlineMs` to finish, then end with `RpcError` 503 (their signals fire, their
   * callers get the error); then every session closes. Resolves when all have.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    const refusal = RpcError.unavailable('the server is shutting down');
    this.#closing ??= refusal;
    const sessions = [...this.#sessions];
    const drained = Promise.all(sessions.map((session) => session.drain(refusal)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.deadlineMs ?? 10_000)));
    await Promise.race([drained, deadline]);
    clearTimeout(timer);
    for (const session of sessions) session.abortCalls(refusal);
    await Promise.all(sessions.map((session) => session.close()));
  }
}
