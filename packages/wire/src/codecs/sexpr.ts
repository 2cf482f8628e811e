import type { Codec } from '../codec.js';
import { UnencodableError } from '../errors.js';
import { prefixSize, writeLengthPrefix } from '../length-prefix.js';
import type { Limits } from '../limits.js';
import { decodeFrame, MAX_PAYLOAD_BYTES } from '../netstring.js';
import type { DecodeOptions } from '../options.js';
import { parse, stringify } from '../sexpr/index.js';
import { utf8Length, writeUtf8 } from '../utf8.js';
import { Float, type Value } from '../value.js';
import { LengthPrefixedScanner } from './length-prefixed-scanner.js';

const encoder = new TextEncoder();
const COMMA = 0x2c;

/**
 * The options s-expressions can honour after parsing: `objects` (maps as plain objects) and
 * `plainFloats`. `text` has nothing to do: strings are already text. Recursion is bounded by
 * `maxDepth`, which the parser enforced.
 */
function convenient(value: Value, objects: boolean, floats: boolean): Value {
  if (value instanceof Float) return floats ? value.value : value;
  if (Array.isArray(value)) return (value as Value[]).map((item) => convenient(item, objects, floats));
  if (value instanceof Map) {
    if (!objects) {
      for (const [key, item] of value as Map<string, Value>) (value as Map<string, Value>).set(key, convenient(item, objects, floats));
      return value;
    }
    const object: Record<string, Value> = {};
    for (const [key, item] of value as Map<string, Value>) {
      const converted = convenient(item, objects, floats);
      if (key === '__proto__') {
        Object.defineProperty(object, key, { value: converted, enumerable: true, writable: true, configurable: true });
      } else {
        object[key] = converted;
      }
    }
    return object;
  }
  return value;
}

function read(payload: Uint8Array, limits: Partial<Limits> | undefined, options: DecodeOptions | undefined): Value {
  const value = parse(payload, limits === undefined ? undefined : { limits });
  const objects = options?.objects === true;
  const floats = options?.plainFloats === true;
  return objects || floats ? convenient(value, objects, floats) : value;
}

/** Writes each value's canonical text in a netstring frame, all into one buffer. */
function encodeFrames(values: readonly Value[]): Uint8Array {
  const texts = values.map(stringify);
  const lengths = texts.map((text) => {
    const length = utf8Length(text); // stringify never leaves a lone surrogate, so this is >= 0
    if (length > MAX_PAYLOAD_BYTES) {
      throw new UnencodableError(`text of ${length} bytes exceeds the ${MAX_PAYLOAD_BYTES} a frame can carry`, '$');
    }
    return length;
  });
  const out = new Uint8Array(lengths.reduce((n, length) => n + prefixSize(length) + length + 1, 0));
  let pos = 0;
  texts.forEach((text, i) => {
    const length = lengths[i]!;
    pos = writeUtf8(text, out, writeLengthPrefix(out, pos, length), length);
    out[pos++] = COMMA;
  });
  return out;
}

/**
 * S-expressions (spec/wire.md §3) behind the codec interface. A standalone document is the
 * UTF-8 text of one datum; on a byte stream each value travels in a netstring frame
 * `LEN:TEXT,` (spec/wire.md §6.3), whose prefix states its size.
 */
export const sexprCodec: Codec = {
  name: 'sexpr',
  mediaType: 'application/sexp',
  encode: (value) => encoder.encode(stringify(value)),
  decode: (bytes, options) => read(bytes, options?.limits, options),
  framing: {
    encode: encodeFrames,
    scanner: () => new LengthPrefixedScanner(),
    decode(frame, limits, options) {
      const { payload } = decodeFrame(frame, { maxBytes: frame.length });
      return read(payload, limits, options);
    },
  },
};
