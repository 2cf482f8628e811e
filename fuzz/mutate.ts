/**
 * Hostile inputs for a byte format: random bytes, runs of the format's own tokens, valid inputs,
 * and valid inputs mutated (bit flips, byte insert/delete, truncation, splicing two valid inputs,
 * repeated slices, length fields set to extreme values, hostile headers inserted).
 */
import fc from 'fast-check';

/** A length field inside a valid input: where it starts and how it is written. */
export interface LengthField {
  at: number;
  /** `decimal`: ASCII digits up to a non-digit (tnetstrings, netstrings); else big-endian bytes. */
  width: 'decimal' | 1 | 2 | 4;
}

/** What a format tells the mutator. */
export interface Format {
  /** Valid inputs to mutate. */
  valid: fc.Arbitrary<Uint8Array>;
  /** Where the length fields of a valid input are. */
  lengthFields?(bytes: Uint8Array): LengthField[];
  /** Byte strings of the format (type bytes, prefixes, keywords) that random runs are made of. */
  tokens?: readonly Uint8Array[];
  /** Headers claiming huge sizes, inserted anywhere. */
  hostileHeads?: readonly Uint8Array[];
}

/** The lengths every format is tried with: the largest 9-digit prefix, zero, and 2^32 − 1. */
export const EXTREME_LENGTHS = [999_999_999, 0, 2 ** 32 - 1, 2 ** 31, 2 ** 31 - 1, 65_535, 65_536, 16 * 1024 * 1024 + 1, 1, 9] as const;

/** Mutated inputs never grow past this (the time budget is set for inputs under 64 KiB). */
export const MAX_INPUT = 64 * 1024;

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; count: number }
  | { op: 'truncate'; at: number }
  | { op: 'splice'; at: number; from: number }
  | { op: 'repeat'; at: number; length: number; times: number }
  | { op: 'length'; which: number; value: number }
  | { op: 'head'; at: number; which: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.oneof(fc.nat(255), fc.constantFrom(0x30, 0x39, 0x3a, 0x2c, 0x00, 0xff, 0x7f, 0x80)) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('splice' as const), at: fc.nat(), from: fc.nat() }),
  fc.record({ op: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }), times: fc.integer({ min: 2, max: 2000 }) }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('length' as const), which: fc.nat(), value: fc.constantFrom(...EXTREME_LENGTHS) }) },
  fc.record({ op: fc.constant('head' as const), at: fc.nat(), which: fc.nat() }),
);

/** Inputs for `format`: a quarter each of random bytes, token runs, and (mostly mutated) valid inputs. */
export function hostileBytes(format: Format): fc.Arbitrary<Uint8Array> {
  const sources: fc.Arbitrary<Uint8Array>[] = [fc.uint8Array({ maxLength: 256 }), format.valid, mutated(format)];
  if (format.tokens !== undefined && format.tokens.length > 0) {
    sources.push(fc.array(fc.oneof(fc.constantFrom(...format.tokens), fc.uint8Array({ maxLength: 2 })), { maxLength: 40 }).map(join));
  }
  return fc.oneof(
    { weight: 2, arbitrary: sources[0]! },
    { weight: 1, arbitrary: sources[1]! },
    { weight: 5, arbitrary: sources[2]! },
    ...(sources[3] === undefined ? [] : [{ weight: 2, arbitrary: sources[3] }]),
  );
}

/** Valid inputs of `format` with one to four mutations applied. */
export function mutated(format: Format): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(format.valid, format.valid, fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([base, other, mutations]) => mutations.reduce((bytes, m) => apply(bytes, other, m, format), base));
}

function apply(bytes: Uint8Array, other: Uint8Array, m: Mutation, format: Format): Uint8Array {
  const n = bytes.length;
  switch (m.op) {
    case 'flip': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[m.at % n]! ^= 1 << m.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return bytes;
      const out = bytes.slice();
      out[m.at % n] = m.byte;
      return out;
    }
    case 'insert':
      return insert(bytes, m.at % (n + 1), m.bytes);
    case 'delete': {
      const at = m.at % (n + 1);
      return join([bytes.subarray(0, at), bytes.subarray(at + m.count)]);
    }
    case 'truncate':
      return bytes.slice(0, m.at % (n + 1));
    case 'splice':
      return join([bytes.subarray(0, m.at % (n + 1)), other.subarray(m.from % (other.length + 1))]);
    case 'repeat': {
      const at = m.at % (n + 1);
      const slice = bytes.subarray(at, at + m.length);
      const times = Math.min(m.times, Math.floor((MAX_INPUT - n) / Math.max(1, slice.length)));
      return insert(bytes, at, join(Array.from({ length: times }, () => slice)));
    }
    case 'length': {
      const fields = format.lengthFields?.(bytes) ?? [];
      const field = fields[m.which % Math.max(1, fields.length)];
      return field === undefined ? bytes : setLength(bytes, field, m.value);
    }
    case 'head': {
      const heads = format.hostileHeads ?? [];
      const head = heads[m.which % Math.max(1, heads.length)];
      return head === undefined ? bytes : insert(bytes, m.at % (n + 1), head);
    }
  }
}

/** `bytes` with the length field rewritten to `value` (clamped to a binary field's width). */
function setLength(bytes: Uint8Array, field: LengthField, value: number): Uint8Array {
  if (field.width === 'decimal') {
    let end = field.at;
    while (end < bytes.length && bytes[end]! >= 0x30 && bytes[end]! <= 0x39) end++;
    return join([bytes.subarray(0, field.at), new TextEncoder().encode(String(value)), bytes.subarray(end)]);
  }
  const out = bytes.slice();
  let v = Math.min(value, 2 ** (8 * field.width) - 1);
  for (let i = field.width - 1; i >= 0; i--) {
    if (field.at + i < out.length) out[field.at + i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}

function insert(bytes: Uint8Array, at: number, piece: Uint8Array): Uint8Array {
  return join([bytes.subarray(0, at), piece, bytes.subarray(at)]).subarray(0, Math.max(MAX_INPUT, bytes.length));
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The start of every `digits:` prefix in `bytes` (tnetstrings and netstrings). */
export function decimalPrefixes(bytes: Uint8Array): LengthField[] {
  const fields: LengthField[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! < 0x30 || bytes[i]! > 0x39 || (i > 0 && bytes[i - 1]! >= 0x30 && bytes[i - 1]! <= 0x39)) continue;
    let j = i;
    while (j < bytes.length && bytes[j]! >= 0x30 && bytes[j]! <= 0x39) j++;
    if (bytes[j] === 0x3a) fields.push({ at: i, width: 'decimal' });
  }
  return fields;
}

/** ASCII text as bytes. */
export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
