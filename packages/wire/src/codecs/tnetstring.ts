import type { Codec } from '../codec.js';
import { prefixSize, writeLengthPrefix } from '../length-prefix.js';
import { UnencodableError } from '../errors.js';
import { flagsOf } from '../options.js';
import { allocate } from '../slab.js';
import { readWhole } from '../tnetstring/decode.js';
import { encodeValues } from '../tnetstring/encode.js';
import * as tnetstring from '../tnetstring/index.js';
import { LengthPrefixedScanner } from './length-prefixed-scanner.js';

/** The largest length a 9-digit `LEN:` can state (spec/wire.md §1). */
const MAX_LENGTH = 999_999_999;

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
    bytesFrame(bytes) {
      if (bytes.length > MAX_LENGTH) throw new UnencodableError(`a byte string of ${bytes.length} bytes exceeds the ${MAX_LENGTH} a tnetstring can carry`, '$');
      // `LEN:` and the `,` type byte; the slab makes both nearly free (slab.ts).
      const prefix = allocate(prefixSize(bytes.length));
      writeLengthPrefix(prefix, 0, bytes.length);
      const suffix = allocate(1);
      suffix[0] = 0x2c;
      return [prefix, suffix];
    },
  },
};
