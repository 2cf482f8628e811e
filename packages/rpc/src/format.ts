import type { Channel } from '@petrichor/mux';
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
 * A byte-string BODY of at least this many bytes may be sent by reference, not copied into the
 * message: the copy (and the fresh zeroed buffer it needs) grows with the body, the three writes
 * instead of one do not. Below it the copy is cheap (not measured finer on a shared machine).
 */
const BY_REFERENCE = 32 * 1024;

/**
 * One message, encoded: its bytes in one buffer, or (a large byte-string BODY) the pieces to
 * write in order: the HEADER frame, the BODY frame's prefix, the BODY's own bytes, the suffix.
 */
export type Encoded = Uint8Array | readonly Uint8Array[];

/**
 * Writes a message on `channel` (the channel queues writes in order). Resolves once all of it
 * is queued; rejects as the channel's write does. A BODY written by reference is read until the
 * transport has sent it, which may be after that: use it where the sender cannot change the BODY
 * first (a unary call's request, whose reply proves it arrived; a oneway delivery, acknowledged;
 * a handler's returned value). A sender that goes on at once (`send`, stream items) copies.
 */
export function writeMessage(channel: Channel, message: Encoded): Promise<void> {
  if (message instanceof Uint8Array) return channel.write(message);
  let last: Promise<void> | undefined;
  for (const piece of message) {
    // An empty write settles at once: it would not wait for the pieces before it.
    if (piece.length === 0) continue;
    last?.catch(ignore); // the last one reports
    last = channel.write(piece);
  }
  return last!;
}

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
    return this.codec.framing.encode([this.#head(header), body]);
  }

  /**
   * One message for {@link writeMessage}: in one buffer, or with a large byte-string BODY by
   * reference where the codec frames bytes as they are (tnetstring, msgpack). Throws `UnencodableError`.
   */
  message(header: Header, body: Value): Encoded {
    const framing = this.codec.framing;
    const frame = body instanceof Uint8Array && body.length >= BY_REFERENCE ? framing.bytesFrame?.(body) : undefined;
    return frame === undefined ? this.encode(header, body) : [framing.encode([this.#head(header)]), frame[0], body as Uint8Array, frame[1]];
  }

  /** The HEADER as its frame carries it (with sexpr, a request in the call form). */
  #head(header: Header): Value {
    const form = this.codec.header;
    return form === undefined ? header : form.write(header);
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

function ignore(): void {}
