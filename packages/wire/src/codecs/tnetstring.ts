import type { Codec } from '../codec.js';
import { flagsOf } from '../options.js';
import { readWhole } from '../tnetstring/decode.js';
import { encodeValues } from '../tnetstring/encode.js';
import * as tnetstring from '../tnetstring/index.js';
import { LengthPrefixedScanner } from './length-prefixed-scanner.js';

/**
 * tnetstrings, the default codec (spec/wire.md §2). A frame is the tnetstring itself: it is
 * self-delimiting and states its size in its first ten bytes.
 */
export const tnetstringCodec: Codec = {
  name: 'tnetstring',
  mediaType: 'application/x-tnetstring',
  encode: tnetstring.encode,
  decode: tnetstring.decode,
  framing: {
    encode: encodeValues,
    scanner: () => new LengthPrefixedScanner(),
    decode: (frame, limits, options) => readWhole(frame, limits, flagsOf(options)),
  },
};
