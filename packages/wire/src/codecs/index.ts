import type { Codec, CodecName } from '../codec.js';
import { msgpackCodec } from './msgpack.js';
import { sexprCodec } from './sexpr.js';
import { tnetstringCodec } from './tnetstring.js';

/** The built-in codecs by name. `tnetstring` is the default wherever a codec is optional. */
export const codecs: Readonly<Record<CodecName, Codec>> = Object.freeze({
  tnetstring: tnetstringCodec,
  sexpr: sexprCodec,
  msgpack: msgpackCodec,
});

/** Media types also seen for msgpack in the wild, accepted by {@link getCodec}. */
const ALIASES: Readonly<Record<string, Codec>> = Object.freeze({
  'application/msgpack': msgpackCodec,
  'application/x-msgpack': msgpackCodec,
});

/**
 * The codec with this name (`'tnetstring'`, `'sexpr'`, `'msgpack'`) or media type (matched
 * without parameters and case-insensitively, so `Application/SEXP; charset=utf-8` finds
 * `sexpr`); `undefined` if there is none.
 */
export function getCodec(nameOrMediaType: string): Codec | undefined {
  if (Object.hasOwn(codecs, nameOrMediaType)) return codecs[nameOrMediaType as CodecName];
  const mediaType = nameOrMediaType.split(';', 1)[0]!.trim().toLowerCase();
  for (const codec of Object.values(codecs)) if (codec.mediaType === mediaType) return codec;
  return Object.hasOwn(ALIASES, mediaType) ? ALIASES[mediaType] : undefined;
}
