import type { ByteStream } from '@petrichor/mux';
import { tnetstringCodec, type Codec, type CodecName, type Value } from '@petrichor/wire';
import type { ClientAuth } from './auth/types.js';
import { fetchManifest } from './control.js';
import type { Manifest } from './manifest.js';
import type { CallOptions } from './outgoing.js';
import {
  CODEC_NAMES,
  clientHandshake,
  resolveLimits,
  type HandshakeLimits,
  type InterfaceScope,
  type Peer,
} from './handshake/handshake.js';
import { RpcSession, checkSessionOptions, type SessionInit, type SessionOptions } from './session.js';
import { NotFound } from './not-found.js';
import type { Service } from './service.js';

/** Options of {@link Client.connect}. */
export interface ClientOptions extends SessionOptions, HandshakeLimits {
  /** Who we are (the handshake's `user`). Default `''`. */
  user?: string;
  /** Our application's version string. Default `'0'`. */
  version?: string;
  /** Our unique id for this connection. Default a fresh random 128-bit hex id. */
  ident?: string;
  /**
   * The codec for everything after the handshake, as the object itself (`sexprCodec`,
   * `msgpackCodec` from `@petrichor/wire`), so a bundle holds only the codecs it imports.
   * The handshake names it. Default `tnetstringCodec`.
   */
  codec?: Codec;
  /** `control` to connect for the control interface only (a manifest reader). Default `'data'`. */
  interface?: InterfaceScope;
  /** Produces the handshake's `auth` field (HMAC, bearer token…). */
  auth?: ClientAuth;
  /** The handshake BODY. Default null. */
  hello?: Value;
  /**
   * What answers the server's calls (push): a `Service` built with its routes. Without it every
   * call from the server is answered 404, and no router is in the bundle. (`Client` of
   * `@petrichor/rpc/all` makes one and has `route`, `fallback`, `use`, `interface`, `incoming`.)
   */
  service?: Service;
}

/**
 * The calling end of a session (spec/rpc.md §1, §2): connects over a byte stream, runs the
 * handshake, then calls the server (`call`, `stream`, `open`, `deliver`). The server's calls to
 * it (push) are answered by `options.service` if given, else 404; `Client` of `@petrichor/rpc/all`
 * adds `route` and `incoming`.
 *
 * ```ts
 * const client = await Client.connect(stream, { user: 'ana', version: '1.0' });
 * const item = await client.call('GET', '/items/7');
 * ```
 */
export class Client extends RpcSession {
  /** The server, as its handshake answer described it (`body` is its welcome). */
  get server(): Peer {
    return this.peer;
  }

  /** The server's welcome (the allowed answer's BODY). */
  get welcome(): Value {
    return this.peer.body;
  }

  /**
   * Runs the handshake over `stream` and returns the connected client. Rejects with
   * `HandshakeDeniedError` (the server said no: `status`, `reason`), `HandshakeTimeoutError` or
   * `HandshakeError`, having closed the stream.
   */
  static async connect(stream: ByteStream, options: ClientOptions = {}): Promise<Client> {
    const codec = options.codec ?? tnetstringCodec;
    const name: unknown = (codec as Codec | null)?.name;
    if (typeof codec !== 'object' || !CODEC_NAMES.includes(name as CodecName)) {
      // A name would need every codec in the bundle: the caller imports the one it wants.
      throw new RangeError(`codec must be a codec object such as sexprCodec from @petrichor/wire (names need @petrichor/rpc/all), got ${String(name ?? codec)}`);
    }
    checkSessionOptions(options);
    resolveLimits(options);
    const handshaken = await clientHandshake(stream, {
      user: options.user ?? '',
      ident: options.ident ?? randomIdent(),
      version: options.version ?? '0',
      codec: codec.name,
      interface: options.interface,
      auth: options.auth,
      body: options.hello,
      maxHandshakeBytes: options.maxHandshakeBytes,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
    });
    const init: SessionInit = { ...options, codec, service: options.service ?? noService(), preopen: true };
    // `this`: `Client` from `@petrichor/rpc/all` connects through here and gets its own class.
    return new this(handshaken.stream, handshaken.peer, init);
  }

  /**
   * The server's manifest (spec/rpc.md §7): `GET /manifest` on its control interface. Works on a
   * session connected with `interface: 'control'` too.
   */
  manifest(options?: Omit<CallOptions, 'iface'>): Promise<Manifest> {
    return fetchManifest(this, options);
  }
}

/** `Client.connect(stream, options)`. */
export function connect(stream: ByteStream, options?: ClientOptions): Promise<Client> {
  return Client.connect(stream, options);
}

/** A fresh 128-bit id in hex, from the platform's CSPRNG (Node 20 and browsers). */
export function randomIdent(): string {
  return globalThis.crypto.randomUUID().replaceAll('-', '');
}

/**
 * A service with no interfaces: its sessions answer every call 404 (not-found.ts), without a
 * router or the machinery that runs handlers.
 */
function noService(): Service {
  return {
    interfaces: new Map(),
    defaultInterface: 'data',
    middleware: [],
    interface(): never {
      throw new Error('no routes: pass options.service, or use Client from @petrichor/rpc/all');
    },
    invoke: (ctx, handler) => handler(ctx),
    answerer: (host) => new NotFound(host),
  };
}
