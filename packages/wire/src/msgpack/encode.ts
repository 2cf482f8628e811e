/** msgpack writing: the data model mapped onto what `@msgpack/msgpack` writes (spec/wire.md §4.3). */
import { Encoder } from '@msgpack/msgpack';
import { UnencodableError } from '../errors.js';
import { MAX_DEPTH } from '../limits.js';
import { commonLeafReason, explainUnencodable, isPlainObject, type EncodableRules } from '../unencodable.js';
import { allocate } from '../slab.js';
import { isWellFormed } from '../utf8.js';
import { Float, Keyword, Sym, type Value } from '../value.js';

const UNENCODABLE = new Error('unencodable');
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * Turns a {@link Value} into what `@msgpack/msgpack` writes faithfully, copying only what must
 * change: `Map`s become objects (the library writes only objects as maps), a `Float` its number,
 * a small `bigint` a number and a large integer `number` a `bigint` (so that every integer
 * takes its shortest msgpack form: with `useBigInt64` the library would write a safe integer
 * past 32 bits as a float 64). Throws {@link UNENCODABLE} for anything else.
 */
function prepare(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      if (!isWellFormed(value)) throw UNENCODABLE;
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw UNENCODABLE;
      return Number.isSafeInteger(value) && (value > 0xffffffff || value < -0x80000000) ? BigInt(value) : value;
    case 'boolean':
      return value;
    case 'bigint':
      if (value < INT64_MIN || value > UINT64_MAX) throw UNENCODABLE;
      return value >= -0x80000000n && value <= 0xffffffffn ? Number(value) : value;
    case 'object': {
      if (value === null || value instanceof Uint8Array) return value;
      if (value instanceof Float) {
        if (!Number.isFinite(value.value)) throw UNENCODABLE;
        return value.value;
      }
      if (depth >= MAX_DEPTH) throw UNENCODABLE;
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          const prepared = prepare(item, depth + 1);
          if (prepared !== item) copy ??= value.slice();
          if (copy !== undefined) copy[i] = prepared;
        }
        return copy ?? value;
      }
      if (value instanceof Map) {
        const object: Record<string, unknown> = {};
        for (const [key, item] of value as Map<unknown, unknown>) {
          if (typeof key !== 'string' || !isWellFormed(key)) throw UNENCODABLE;
          define(object, key, prepare(item, depth + 1));
        }
        return object;
      }
      if (!isPlainObject(value)) throw UNENCODABLE;
      const object = value as Record<string, unknown>;
      let copy: Record<string, unknown> | undefined;
      for (const key of Object.keys(object)) {
        if (!isWellFormed(key)) throw UNENCODABLE;
        const item = object[key];
        const prepared = prepare(item, depth + 1);
        if (prepared !== item) copy ??= { ...object };
        if (copy !== undefined) define(copy, key, prepared);
      }
      return copy ?? object;
    }
    default:
      throw UNENCODABLE;
  }
}

/** Sets an own property, even one named `__proto__` (plain assignment would set the prototype). */
function define(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

const rules: EncodableRules = {
  leaf(value) {
    if (value instanceof Sym || value instanceof Keyword) return 'symbols and keywords exist only in s-expressions';
    if (typeof value === 'bigint' && (value < INT64_MIN || value > UINT64_MAX)) {
      return 'integer outside the 64-bit range msgpack holds';
    }
    return commonLeafReason(value);
  },
  key(key) {
    return typeof key === 'string' ? commonLeafReason(key) : 'msgpack dict keys must be strings';
  },
  wireKey: (key) => key as string,
};

// `maxDepth` one past ours: the library counts the top value as depth 1.
const encoder = new Encoder({ useBigInt64: true, maxDepth: MAX_DEPTH + 1 });

/** Encodes `values` back to back into one new buffer. @internal */
export function encodeValues(values: readonly Value[]): Uint8Array {
  const prepared: unknown[] = [];
  for (const value of values) {
    try {
      prepared.push(prepare(value, 0));
    } catch (error) {
      if (error === UNENCODABLE) explainUnencodable(value, rules);
      throw error;
    }
  }
  try {
    if (prepared.length === 1) return encoder.encode(prepared[0]);
    // Every part but the last is copied out of the encoder's buffer; the last is read straight
    // from it (valid until the next call), so the largest part, usually a BODY, is copied once.
    const parts = prepared.slice(0, -1).map((value) => encoder.encode(value));
    const last = encoder.encodeSharedRef(prepared[prepared.length - 1]);
    const out = new Uint8Array(parts.reduce((n, part) => n + part.length, last.length));
    let pos = 0;
    for (const part of parts) {
      out.set(part, pos);
      pos += part.length;
    }
    out.set(last, pos);
    return out;
  } catch (error) {
    // `prepare` leaves nothing the library refuses; should it still throw, it is still ours.
    throw new UnencodableError(`@msgpack/msgpack: ${error instanceof Error ? error.message : String(error)}`, '$');
  }
}

/**
 * The head of a bin value of `length` bytes, in the shortest form, as `@msgpack/msgpack` writes
 * it (spec/wire.md §4.1): bin 8 (`c4`), bin 16 (`c5`) or bin 32 (`c6`), the length big-endian.
 * Throws {@link UnencodableError} past 2^32−1 bytes, which msgpack cannot hold. @internal
 */
export function binPrefix(length: number): Uint8Array {
  if (length > 0xffffffff) throw new UnencodableError(`a byte string of ${length} bytes exceeds msgpack's 4 GiB`, '$');
  const size = length < 0x100 ? 1 : length < 0x10000 ? 2 : 4;
  const out = allocate(1 + size);
  out[0] = size === 1 ? 0xc4 : size === 2 ? 0xc5 : 0xc6;
  for (let i = size, rest = length; i > 0; i--, rest = Math.floor(rest / 256)) out[i] = rest % 256;
  return out;
}
