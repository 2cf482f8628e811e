import type { Codec } from '../codec.js';
import * as msgpack from '../msgpack/index.js';
import { readWhole } from '../msgpack/decode.js';
import { binPrefix, encodeValues } from '../msgpack/encode.js';
import { MsgpackScanner } from '../msgpack/scanner.js';
import { flagsOf } from '../options.js';

/** A bin value has nothing after its bytes (and an empty array has nothing to change). */
const EMPTY = new Uint8Array(0);

/**
 * msgpack through `@msgpack/msgpack` (spec/wire.md §4). A frame is the msgpack value itself;
 * `MsgpackScanner` finds its end as the bytes arrive.
 */
export const msgpackCodec: Codec = {
  name: 'msgpack',
  mediaType: 'application/vnd.msgpack',
  encode: msgpack.encode,
  decode: msgpack.decode,
  framing: {
    encode: encodeValues,
    scanner: (limits) => new MsgpackScanner(limits),
    decode: (frame, limits, options) => readWhole(frame, limits, flagsOf(options)),
    bytesFrame: (bytes) => [binPrefix(bytes.length), EMPTY],
  },
};
