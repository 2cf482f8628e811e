import { malformed } from './errors.js';

const COLON = 0x3a;
const ZERO = 0x30;
/** At most 9 digits: a length below 1,000,000,000, so it always fits a safe integer. */
const MAX_DIGITS = 9;

/**
 * Reads the `LEN:` prefix shared by tnetstrings and netstring frames (spec/wire.md §1):
 * 1 to 9 ASCII digits, no leading zero unless the length is `0`, then `:`.
 *
 * Returns the length, or `-1` when the input ends before the prefix does (read more, then call
 * again). The payload starts at `offset + prefixSize(length)`. Throws `MalformedError` on a
 * bad prefix as soon as the offending byte is seen, so a reader never waits on garbage.
 */
export function readLengthPrefix(bytes: Uint8Array, offset: number, end: number = bytes.length): number {
  if (offset >= end) return -1;
  // The hot path stays small enough to be inlined into the readers; errors are built elsewhere.
  let length = bytes[offset]! - ZERO;
  if (length < 0 || length > 9) return badPrefix(bytes, offset, offset);
  for (let i = offset + 1; i < end; i++) {
    const byte = bytes[i]!;
    if (byte === COLON) return length;
    const digit = byte - ZERO;
    if (digit < 0 || digit > 9 || length === 0 || i - offset === MAX_DIGITS) return badPrefix(bytes, offset, i);
    length = length * 10 + digit;
  }
  return -1;
}

/** Throws the error for byte `i` of the prefix that starts at `offset`. */
function badPrefix(bytes: Uint8Array, offset: number, i: number): never {
  if (i === offset) {
    throw malformed(bytes[i] === COLON ? 'empty length before ":"' : 'expected a length digit', offset);
  }
  const digit = bytes[i]! - ZERO;
  if (digit < 0 || digit > 9) throw malformed('expected a length digit or ":"', i);
  if (i - offset === MAX_DIGITS) throw malformed('length has more than 9 digits', i);
  throw malformed('leading zero in length', offset);
}

/** Bytes taken by the prefix of a payload of `length` bytes: its digits plus the `:`. */
export function prefixSize(length: number): number {
  return length < 10 ? 2 : length < 100 ? 3 : length < 1e3 ? 4 : length < 1e4 ? 5 : length < 1e5 ? 6
    : length < 1e6 ? 7 : length < 1e7 ? 8 : length < 1e8 ? 9 : 10;
}

/** Writes the ASCII digits of `length` followed by `:` into `out` at `offset`; returns the new offset. */
export function writeLengthPrefix(out: Uint8Array, offset: number, length: number): number {
  const size = prefixSize(length);
  let i = offset + size - 1;
  out[i] = COLON;
  let rest = length;
  do {
    out[--i] = ZERO + (rest % 10);
    rest = Math.floor(rest / 10);
  } while (rest > 0);
  return offset + size;
}
