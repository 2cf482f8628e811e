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

export * from './index.js';

/** Options of {@link Client.connect}: as `@petrichor/rpc`'s, and `codec` may be a name. */
export interface ClientOptions extends Omit<CodecClientOptions, 'codec'> {
  /** The codec for everything after the handshake, by name or as the object. Default `'tnetstring'`. */
  codec?: Codec | CodecName;
}

/** `@petrichor/rpc`'s `Client`, connecting with a codec given by name too. */
export class Client extends CodecClient {
  /** Runs the handshake over `stream` and returns the connected client (see `@petrichor/rpc`). */
  static override connect(stream: ByteStream, options: ClientOptions = {}): Promise<Client> {
    const { codec, ...rest } = options;
    if (typeof codec !== 'string') return super.connect(stream, codec === undefined ? rest : { ...rest, codec }) as Promise<Client>;
    if (!Object.hasOwn(codecs, codec)) return Promise.reject(new RangeError(`unknown codec "${String(codec)}"`));
    return super.connect(stream, { ...rest, codec: codecs[codec] }) as Promise<Client>;
  }
}

/** `Client.connect(stream, options)`, a codec by name allowed. */
export function connect(stream: ByteStream, options?: ClientOptions): Promise<Client> {
  return Client.connect(stream, options);
}
