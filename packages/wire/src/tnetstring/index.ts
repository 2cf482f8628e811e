/**
 * tnetstrings (spec/wire.md §2): `LEN:DATA` then a type byte, self-delimiting and typed.
 *
 * Decoding is lossless unless {@link DecodeOptions} ask otherwise: a `,` byte string is a
 * `Uint8Array` **that aliases the input** (a zero-copy view: copy it with `.slice()` if the
 * input buffer will be reused), a dict is a `Map` in wire order, an integer beyond 2^53−1 is a
 * `bigint`, and an integral float is a {@link Float}. Decode-then-encode of canonical input
 * gives back the same bytes.
 *
 * @module
 */
import { resolveLimits } from '../limits.js';
import { flagsOf, type DecodeOptions } from '../options.js';
import type { Value } from '../value.js';
import { readElement, readElements, readWhole } from './decode.js';
import { encodeValues } from './encode.js';

export type { DecodeOptions } from '../options.js';

/**
 * Encodes one value in canonical form (spec/wire.md §2.5). Throws {@link UnencodableError}
 * (with the path of the culprit) for `undefined`, NaN and ±Infinity, symbols and keywords,
 * strings with lone surrogates, cycles, nesting deeper than 1000, and anything else that is
 * not a {@link Value}.
 */
export function encode(value: Value): Uint8Array {
  return encodeValues([value], true);
}

/** Encodes `values` back to back in one buffer: the input {@link decodeAll} reads. */
export function encodeAll(values: readonly Value[]): Uint8Array {
  return encodeValues(values, true);
}

/**
 * Decodes exactly one tnetstring that fills all of `bytes`; trailing bytes, even a newline,
 * are a {@link MalformedError}. Throws {@link TruncatedError} if `bytes` stops inside the
 * value, {@link LimitError} past a limit, {@link ConversionError} when a convenient form
 * cannot hold a value.
 */
export function decode(bytes: Uint8Array, options?: DecodeOptions): Value {
  return readWhole(bytes, resolveLimits(options?.limits), flagsOf(options));
}

/**
 * Decodes the tnetstring at the start of `bytes` and returns it with the bytes after it
 * (`rest`, a view of the same buffer).
 */
export function decodeFirst(bytes: Uint8Array, options?: DecodeOptions): { value: Value; rest: Uint8Array } {
  const { value, next } = readElement(bytes, 0, resolveLimits(options?.limits), flagsOf(options));
  return { value, rest: bytes.subarray(next) };
}

/** Decodes a concatenation of tnetstrings (possibly none) that fills all of `bytes`. */
export function decodeAll(bytes: Uint8Array, options?: DecodeOptions): Value[] {
  return readElements(bytes, resolveLimits(options?.limits), flagsOf(options));
}
