import type { Codec, CodecName } from './codec.js';
import { codecs } from './codecs/index.js';
import { UnencodableError } from './errors.js';
import { isDict, type Value, type ValueObject } from './value.js';

/**
 * A message's HEADER: a dict, as a `Map` (lossless decoding) or a plain object (with the
 * `objects` option, or as written by hand).
 */
export type Header = ReadonlyMap<string | Uint8Array, Value> | ValueObject;

/** A Petrichor message: a HEADER dict and a BODY of any value (spec/wire.md §6.1). */
export interface Message {
  header: Header;
  body: Value;
}

/** The codec itself, or the built-in one of that name. Throws `RangeError` for an unknown name. */
export function resolveCodec(codec: Codec | CodecName | undefined): Codec {
  if (codec === undefined) return codecs.tnetstring;
  if (typeof codec !== 'string') return codec;
  if (!Object.hasOwn(codecs, codec)) throw new RangeError(`unknown codec "${String(codec)}"`);
  return codecs[codec];
}

/**
 * Encodes one message as it travels on a byte stream (spec/wire.md §6): the HEADER frame then
 * the BODY frame, back to back, in new bytes. The codec defaults to tnetstrings; a codec with a
 * `header` form writes the HEADER in that form (spec/wire.md §6.6). A small message may be a part
 * of a shared buffer (its `buffer` is larger than it, as with Node's `Buffer.allocUnsafe`): use
 * its `byteOffset` and `byteLength` with `buffer`, and do not transfer it.
 *
 * @throws {UnencodableError} if `header` is not a dict, or either part cannot be encoded.
 */
export function encodeMessage(header: Header, body: Value, codec?: Codec | CodecName): Uint8Array {
  if (!isDict(header)) throw new UnencodableError('a HEADER must be a dict (a Map or a plain object)', 'header');
  const resolved = resolveCodec(codec);
  return resolved.framing.encode([resolved.header === undefined ? header : resolved.header.write(header), body]);
}
