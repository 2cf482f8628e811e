/**
 * msgpack through `@msgpack/msgpack` (spec/wire.md §4), mapped onto the shared data model.
 *
 * What msgpack keeps: text (`str`) apart from bytes (`bin`), integers apart from non-integral
 * floats, 64-bit integers exactly (as `bigint` past 2^53−1), dict contents. What this mapping
 * loses, because the library reads and writes numbers and maps as plain JavaScript numbers and
 * objects: an integral {@link Float} is written as an integer and `-0` as `0`; a float that
 * arrives with an integral value decodes as an integer; float 32 widens to float 64; dict keys
 * that look like array indices (`"0"`, `"17"`) come first, in ascending order, as in any
 * JavaScript object. `bin` values alias the input, as with tnetstrings.
 *
 * @module
 */
import { resolveLimits, type Limits } from '../limits.js';
import { flagsOf, type DecodeOptions } from '../options.js';
import type { Value } from '../value.js';
import { readValue, readWhole, scannerFor } from './decode.js';
import type { MsgpackScanner } from './scanner.js';
import { encodeValues } from './encode.js';

export type { DecodeOptions } from '../options.js';

/**
 * Encodes one value (spec/wire.md §4.3). Throws {@link UnencodableError} with the culprit's
 * path for what msgpack or the data model cannot hold: symbols, keywords, non-text `Map` keys,
 * integers outside 64 bits, NaN, ±Infinity, `undefined`, cycles.
 */
export function encode(value: Value): Uint8Array {
  return encodeValues([value]);
}

/** Encodes `values` back to back in one buffer: the input {@link decodeAll} reads. */
export function encodeAll(values: readonly Value[]): Uint8Array {
  return encodeValues(values);
}

function setup(options: DecodeOptions | undefined): { limits: Limits; scanner: MsgpackScanner; flags: number } {
  const limits = resolveLimits(options?.limits);
  return { limits, scanner: scannerFor(limits), flags: flagsOf(options) };
}

/** Decodes exactly one msgpack value that fills all of `bytes`; trailing bytes are malformed. */
export function decode(bytes: Uint8Array, options?: DecodeOptions): Value {
  return readWhole(bytes, resolveLimits(options?.limits), flagsOf(options));
}

/** Decodes the msgpack value at the start of `bytes`; returns it and the bytes after it. */
export function decodeFirst(bytes: Uint8Array, options?: DecodeOptions): { value: Value; rest: Uint8Array } {
  const { limits, scanner, flags } = setup(options);
  const value = readValue(bytes, 0, bytes.length, limits, flags, scanner);
  return { value, rest: bytes.subarray(scanner.scanned) };
}

/** Decodes a concatenation of msgpack values (possibly none) that fills all of `bytes`. */
export function decodeAll(bytes: Uint8Array, options?: DecodeOptions): Value[] {
  const { limits, scanner, flags } = setup(options);
  const values: Value[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    values.push(readValue(bytes, pos, bytes.length, limits, flags, scanner));
    pos += scanner.scanned;
  }
  return values;
}
