import {
  CodecDecoder,
  type Codec,
  type DecodeOptions,
  type Header,
  type Limits,
  type Value,
} from '@petrichor/wire';
import { withCallForm } from './sexpr-header.js';

/**
 * How decoded HEADERs and BODYs are shaped (the `@petrichor/wire` decode flags). The default is
 * the convenient shape, `{ text: true, objects: true }`: text as `string`, dicts as plain objects.
 * `{ text: false, objects: false }` is lossless (bytes stay bytes, dicts are `Map`s).
 */
export interface DecodeShape {
  /** tnetstring byte strings as `string` (default true). */
  text?: boolean;
  /** Dicts as plain objects instead of `Map`s (default true). */
  objects?: boolean;
  /** Integral floats as plain numbers instead of `Float` (default false). */
  plainFloats?: boolean;
}

/** Most idle decoders a session keeps for reuse. */
const SPARE_DECODERS = 64;

/**
 * The messages of one rpc session: the codec agreed in the handshake (with sexpr, request
 * HEADERs in the call form), the message limits and the decode shape. Every message on every
 * channel of the session is encoded and decoded here.
 */
export class MessageFormat {
  readonly codec: Codec;
  readonly #options: DecodeOptions;
  readonly #spare: CodecDecoder[] = [];

  constructor(codec: Codec, limits: Partial<Limits> | undefined, shape: DecodeShape | undefined) {
    this.codec = withCallForm(codec);
    this.#options = {
      text: shape?.text ?? true,
      objects: shape?.objects ?? true,
      plainFloats: shape?.plainFloats ?? false,
      ...(limits === undefined ? {} : { limits }),
    };
  }

  /** True when dicts decode as plain objects. */
  get objects(): boolean {
    return this.#options.objects === true;
  }

  /** One message (HEADER frame then BODY frame) in one buffer. Throws `UnencodableError`. */
  encode(header: Header, body: Value): Uint8Array {
    const form = this.codec.header;
    return this.codec.framing.encode([form === undefined ? header : form.write(header), body]);
  }

  /** A decoder for one channel's messages: a spare one if there is one. */
  decoder(): CodecDecoder {
    return this.#spare.pop() ?? new CodecDecoder(this.codec, this.#options);
  }

  /** Takes back a decoder that stopped between messages (anything else is dropped). */
  release(decoder: CodecDecoder): void {
    if (this.#spare.length >= SPARE_DECODERS || decoder.bufferedBytes !== 0) return;
    try {
      decoder.end(); // throws (and stays broken) unless it is between messages
    } catch {
      return;
    }
    this.#spare.push(decoder);
  }
}
