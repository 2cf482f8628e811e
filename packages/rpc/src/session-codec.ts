/**
 * Session codecs by name, for the server (which offers all three) and `@petrichor/rpc/all`: a
 * file of its own, so a client that imports one codec does not hold the others.
 */
import { codecs, sexprCodec, type Codec, type CodecName } from '@petrichor/wire';
import { callForm } from './sexpr-header.js';

/**
 * The sexpr codec with the call form for HEADERs: pass it to `encodeMessage` and
 * `MessageDecoder` wherever a session's codec is `sexpr` (see {@link sessionCodec}).
 */
export const sexprCallCodec: Codec = Object.freeze({ ...sexprCodec, header: callForm });

/**
 * The codec an rpc session uses for a codec name agreed in the handshake: the built-in codec,
 * except `sexpr`, which writes request HEADERs in the call form. (Names bring every codec into
 * a bundle; a session given a codec object gets the call form from `withCallForm`.)
 */
export function sessionCodec(name: CodecName): Codec {
  return name === 'sexpr' ? sexprCallCodec : codecs[name];
}
