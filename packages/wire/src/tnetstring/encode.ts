import { prefixSize, writeLengthPrefix } from '../length-prefix.js';
import { MAX_DEPTH } from '../limits.js';
import { allocate } from '../slab.js';
import { commonLeafReason, explainUnencodable, type EncodableRules } from '../unencodable.js';
import { latin1, utf8Length, writeUtf8 } from '../utf8.js';
import { Float, Keyword, Sym, type Value } from '../value.js';
import { BOOLEAN, BYTES, DICT, FLOAT, INTEGER, LIST, MAX_INTEGER_DIGITS, MINUS, NULL, ZERO } from './types.js';

/**
 * The tnetstring writer (spec/wire.md §2.8). Two passes: {@link measure} finds every size,
 * then {@link write} fills one buffer allocated once at the exact final size. A container's
 * `LEN:` comes before its data, so the first pass records in `found`, in the order the second
 * pass reads them: each container's data size (and a dict's pair count after it), each string's
 * UTF-8 size, the text of each float and bigint, and each dict's keys and values (each key just
 * before its own entries), so that nothing is computed or looked up twice.
 *
 * Encoding is synchronous and calls no user code, so the scratch array is shared.
 */
const found: unknown[] = [];
/** Entries the first pass wrote, and the second pass read (the array is reused: emptying it would drop its storage). */
let filled = 0;
let taken = 0;
/** Past this many entries the scratch array is let go after use, so one huge value's lists are not kept. */
const KEEP_ENTRIES = 8192;

/** Thrown by the fast pass; {@link explainUnencodable} then finds what and where. */
const UNENCODABLE = new Error('unencodable');

/** The encoded size of `value`, nested `depth` lists or dicts deep. */
function measure(value: unknown, depth: number): number {
  switch (typeof value) {
    case 'string': {
      const n = utf8Length(value);
      if (n < 0) throw UNENCODABLE;
      found[filled++] = n;
      return prefixSize(n) + n + 1;
    }
    case 'number':
      if (Number.isSafeInteger(value) && (value !== 0 || 1 / value > 0)) {
        const n = integerDigits(value);
        return prefixSize(n) + n + 1;
      }
      return measureText(floatText(value));
    case 'boolean':
      return value ? 7 : 8; // 4:true! 5:false!
    case 'bigint':
      return measureText(bigintText(value));
    case 'object': {
      if (value === null) return 3; // 0:~
      // One prototype lookup sorts the common cases; the instanceof chain is for the rest.
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return measureObject(value as Record<string, unknown>, depth);
      if (proto === Array.prototype || Array.isArray(value)) return measureList(value as unknown[], depth);
      if (value instanceof Uint8Array) return prefixSize(value.length) + value.length + 1;
      if (value instanceof Map) return measureMap(value, depth);
      if (value instanceof Float) return measureText(floatText(value.value));
      throw UNENCODABLE;
    }
    default:
      throw UNENCODABLE;
  }
}

function measureList(list: unknown[], depth: number): number {
  if (depth >= MAX_DEPTH) throw UNENCODABLE;
  const slot = filled++;
  found[slot] = 0; // in order: writing past the end would leave a hole (a slower array)
  let size = 0;
  for (let i = 0; i < list.length; i++) size += measure(list[i], depth + 1);
  found[slot] = size;
  return prefixSize(size) + size + 1;
}

function measureObject(object: Record<string, unknown>, depth: number): number {
  if (depth >= MAX_DEPTH) throw UNENCODABLE;
  const keys = Object.keys(object);
  const slot = filled;
  found[slot] = 0;
  found[slot + 1] = keys.length;
  filled += 2;
  let size = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    found[filled++] = key;
    size += measure(key, depth);
    const item = object[key];
    found[filled++] = item;
    size += measure(item, depth + 1);
  }
  found[slot] = size;
  return prefixSize(size) + size + 1;
}

function measureMap(map: Map<unknown, unknown>, depth: number): number {
  if (depth >= MAX_DEPTH) throw UNENCODABLE;
  const slot = filled;
  found[slot] = 0;
  found[slot + 1] = map.size;
  filled += 2;
  let size = 0;
  let byteKeys = false;
  for (const [key, item] of map) {
    found[filled++] = key;
    if (key instanceof Uint8Array) {
      byteKeys = true;
      size += prefixSize(key.length) + key.length + 1;
    } else if (typeof key === 'string') {
      size += measure(key, depth);
    } else {
      throw UNENCODABLE;
    }
    found[filled++] = item;
    size += measure(item, depth + 1);
  }
  // A byte key can repeat a text key's UTF-8, or another byte key: rare, so checked only then.
  if (byteKeys && !distinctOnWire(map)) throw UNENCODABLE;
  found[slot] = size;
  return prefixSize(size) + size + 1;
}

function distinctOnWire(map: Map<unknown, unknown>): boolean {
  const seen = new Set<string>();
  for (const key of map.keys()) {
    const wire = wireKey(key as string | Uint8Array);
    if (seen.has(wire)) return false;
    seen.add(wire);
  }
  return true;
}

const utf8 = new TextEncoder();

/** A key's bytes on the wire as a Latin-1 string: equal strings mean equal keys. */
function wireKey(key: string | Uint8Array): string {
  return latin1(typeof key === 'string' ? utf8.encode(key) : key);
}

function measureText(text: string): number {
  found[filled++] = text;
  return prefixSize(text.length) + text.length + 1;
}

/** Decimal digits of a safe integer, with its sign. */
function integerDigits(n: number): number {
  if (n < 0) return 1 + integerDigits(-n);
  let digits = 1;
  for (let limit = 10; n >= limit && digits < 16; limit *= 10) digits++;
  return digits;
}

/**
 * The canonical float text (spec/wire.md §2.4): JavaScript's shortest round-trip form, with
 * `.0` added when that has neither `.` nor an exponent, and `-0.0` for negative zero.
 */
export function floatText(x: number): string {
  if (!Number.isFinite(x)) throw UNENCODABLE;
  if (x === 0) return 1 / x < 0 ? '-0.0' : '0.0';
  const text = String(x);
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

function bigintText(n: bigint): string {
  const text = n.toString();
  if (text.length - (n < 0n ? 1 : 0) > MAX_INTEGER_DIGITS) throw UNENCODABLE;
  return text;
}

/** Writes `value` at `pos`; returns the position after it. Mirrors {@link measure}. */
function write(value: unknown, out: Uint8Array, pos: number): number {
  switch (typeof value) {
    case 'string': {
      const n = found[taken++] as number;
      pos = writeUtf8(value, out, writeLengthPrefix(out, pos, n), n);
      out[pos] = BYTES;
      return pos + 1;
    }
    case 'number':
      if (Number.isSafeInteger(value) && (value !== 0 || 1 / value > 0)) return writeInteger(value, out, pos);
      return writeText(out, pos, FLOAT);
    case 'boolean':
      if (value) {
        out.set(TRUE, pos);
        return pos + 7;
      }
      out.set(FALSE, pos);
      return pos + 8;
    case 'bigint':
      return writeText(out, pos, INTEGER);
    default: {
      if (value === null) {
        out[pos] = 0x30;
        out[pos + 1] = 0x3a;
        out[pos + 2] = NULL;
        return pos + 3;
      }
      if (value instanceof Uint8Array) {
        pos = writeLengthPrefix(out, pos, value.length);
        out.set(value, pos);
        pos += value.length;
        out[pos] = BYTES;
        return pos + 1;
      }
      if (Array.isArray(value)) {
        pos = writeLengthPrefix(out, pos, found[taken++] as number);
        for (let i = 0; i < value.length; i++) pos = write(value[i], out, pos);
        out[pos] = LIST;
        return pos + 1;
      }
      if (value instanceof Float) return writeText(out, pos, FLOAT);
      // A dict, a Map or a plain object: its size, its pair count, then each key and value in turn.
      pos = writeLengthPrefix(out, pos, found[taken] as number);
      const count = found[taken + 1] as number;
      taken += 2;
      for (let i = 0; i < 2 * count; i++) pos = write(found[taken++], out, pos);
      out[pos] = DICT;
      return pos + 1;
    }
  }
}

const TRUE = new Uint8Array([0x34, 0x3a, 0x74, 0x72, 0x75, 0x65, BOOLEAN]);
const FALSE = new Uint8Array([0x35, 0x3a, 0x66, 0x61, 0x6c, 0x73, 0x65, BOOLEAN]);

function writeInteger(n: number, out: Uint8Array, pos: number): number {
  const digits = integerDigits(n);
  const end = writeLengthPrefix(out, pos, digits) + digits;
  out[end] = INTEGER;
  let i = end;
  let rest = n < 0 ? -n : n;
  // Above 31 bits, divide as doubles; below, as small integers.
  for (; rest > 0x7fffffff; rest = Math.floor(rest / 10)) out[--i] = ZERO + (rest % 10);
  do {
    out[--i] = ZERO + (rest % 10);
    rest = (rest / 10) | 0;
  } while (rest > 0);
  if (n < 0) out[--i] = MINUS;
  return end + 1;
}

function writeText(out: Uint8Array, pos: number, type: number): number {
  const text = found[taken++] as string;
  pos = writeLengthPrefix(out, pos, text.length);
  for (let i = 0; i < text.length; i++) out[pos + i] = text.charCodeAt(i);
  pos += text.length;
  out[pos] = type;
  return pos + 1;
}

/** What tnetstrings can carry, for error messages (spec/wire.md §5). */
const rules: EncodableRules = {
  leaf(value) {
    if (value instanceof Sym || value instanceof Keyword) return 'symbols and keywords exist only in s-expressions';
    if (typeof value === 'bigint' && value.toString().length - (value < 0n ? 1 : 0) > MAX_INTEGER_DIGITS) {
      return `integer has more than ${MAX_INTEGER_DIGITS} digits`;
    }
    return commonLeafReason(value);
  },
  key(key) {
    if (typeof key === 'string') return commonLeafReason(key);
    return key instanceof Uint8Array ? undefined : 'dict keys must be strings or Uint8Arrays';
  },
  wireKey,
};

/**
 * Encodes `values` back to back into new bytes. Throws {@link UnencodableError}. Unless `exact`,
 * a small result is a part of a shared slab (see slab.ts): messages take this path.
 * @internal
 */
export function encodeValues(values: readonly Value[], exact = false): Uint8Array {
  reset();
  let total = 0;
  try {
    for (let i = 0; i < values.length; i++) total += measure(values[i], 0);
  } catch (error) {
    reset();
    if (error !== UNENCODABLE) throw error;
    for (const value of values) {
      try {
        measure(value, 0);
      } catch {
        reset();
        explainUnencodable(value, rules);
      }
    }
    reset();
    throw error;
  }
  const out = exact ? new Uint8Array(total) : allocate(total);
  let pos = 0;
  for (let i = 0; i < values.length; i++) pos = write(values[i], out, pos);
  reset();
  return out;
}

/** Empties the scratch array (also so that it keeps no value's strings alive). */
function reset(): void {
  if (filled > KEEP_ENTRIES) found.length = 0;
  else for (let i = 0; i < filled; i++) found[i] = undefined;
  filled = 0;
  taken = 0;
}
