/**
 * `@petrichor/rpc/all`: everything `@petrichor/rpc` exports, with a {@link Client} that also
 * takes a codec by name (`codec: 'sexpr'`). A name can be any of the three, so this entry holds
 * every codec: for Node programs and tools. A browser app imports `@petrichor/rpc` and passes the
 * codec object it wants, and its bundle holds only that codec.
 *
 * @packageDocumentation
 * @module @petrichor/rpc/all
 */
import type { ByteStream } from '@petrichor/mux';
import { codecs, type Codec, type CodecName } from '@petrichor/wire';
import { Client as CodecClient, type ClientOptions as CodecClientOptions } from './client.js';
import { PullQueue, type PulledCall } from './pull.js';
import { Service, type Handler, type Interface, type InterfaceInfo, type Middleware, type RouteOptions } from './service.js';

export * from './index.js';

/** Options of {@link Client.connect}: as `@petrichor/rpc`'s, and `codec` may be a name. */
export interface ClientOptions extends Omit<CodecClientOptions, 'codec'> {
  /** The codec for everything after the handshake, by name or as the object. Default `'tnetstring'`. */
  codec?: Codec | CodecName;
}

/**
 * `@petrichor/rpc`'s `Client`, connecting with a codec given by name too, and answering the
 * server's calls (push) with routes added by `route`, as on a server, or pulled from `incoming`.
 */
export class Client extends CodecClient {
  #queue: PullQueue | null = null;

  /** Runs the handshake over `stream` and returns the connected client (see `@petrichor/rpc`). */
  static override connect(stream: ByteStream, options: ClientOptions = {}): Promise<Client> {
    const { codec, service, ...given } = options;
    const rest = { ...given, service: service ?? new Service() };
    if (typeof codec !== 'string') return super.connect(stream, codec === undefined ? rest : { ...rest, codec }) as Promise<Client>;
    if (!Object.hasOwn(codecs, codec)) return Promise.reject(new RangeError(`unknown codec "${String(codec)}"`));
    return super.connect(stream, { ...rest, codec: codecs[codec] }) as Promise<Client>;
  }

  /** Answers the server's calls of `verb` on `pattern` (push). See `Server.route`. */
  route(verb: string, pattern: string, handler: Handler, options?: RouteOptions): this {
    this.service.interface(this.service.defaultInterface).route(verb, pattern, handler, options);
    return this;
  }

  /** Answers the server's calls no route takes. */
  fallback(handler: Handler): this {
    this.service.interface(this.service.defaultInterface).fallback(handler);
    return this;
  }

  /** Adds middleware around the server's calls to this client. */
  use(middleware: Middleware): this {
    this.service.middleware.push(middleware);
    return this;
  }

  /** The named interface of the routes this client answers. */
  interface(name: string, info?: InterfaceInfo): Interface {
    return this.service.interface(name, info);
  }

  /**
   * The server's calls that no route takes (on the default interface), to answer by hand: pull
   * instead of push. While a loop iterates it, such calls wait for it (each counts against
   * `maxInFlight`); when the loop stops, they are answered 404 again.
   *
   * ```ts
   * for await (const call of client.incoming) call.reply(`got ${call.ctx.verb} ${call.ctx.path}`);
   * ```
   */
  get incoming(): AsyncIterable<PulledCall> {
    if (this.#queue === null || !this.#queue.open) this.pullInto((this.#queue = new PullQueue()));
    return this.#queue;
  }
}

/** `Client.connect(stream, options)`, a codec by name allowed. */
export function connect(stream: ByteStream, options?: ClientOptions): Promise<Client> {
  return Client.connect(stream, options);
}
