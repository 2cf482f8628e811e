/** Big-endian u32 access without a DataView: byte shifts are as fast and allocate nothing. */

/** Reads the u32 at `at` (the caller guarantees 4 bytes are there). */
export function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** Writes `value` (0 … 2^32 − 1) at `at` and returns the offset after it. */
export function writeUint32(out: Uint8Array, at: number, value: number): number {
  out[at] = value >>> 24;
  out[at + 1] = value >>> 16;
  out[at + 2] = value >>> 8;
  out[at + 3] = value;
  return at + 4;
}

/** Largest value a u32 field holds. */
export const UINT32_MAX = 0xffff_ffff;
