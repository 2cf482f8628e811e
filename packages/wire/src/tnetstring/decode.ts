import { ConversionError, LimitError, TruncatedError, malformed, type MalformedError } from '../errors.js';
import { prefixSize, readLengthPrefix } from '../length-prefix.js';
import type { Limits } from '../limits.js';
import { OBJECTS, PLAIN_FLOATS, TEXT } from '../options.js';
import { decodeKey, decodeUtf8, latin1 } from '../utf8.js';
import { Float, type Value } from '../value.js';
import { BOOLEAN, BYTES, DICT, DOT, FLOAT, INTEGER, LIST, LOWER_E, MAX_INTEGER_DIGITS, MINUS, NULL, PLUS, UPPER_E, ZERO } from './types.js';

/**
 * The tnetstring reader (spec/wire.md §2). One instance is reused for every call: decoding is
 * synchronous and calls no user code, so it is never re-entered.
 *
 * It recurses once per nesting level; `maxDepth` (at most 1000) bounds the recursion, so the
 * call stack cannot overflow. Every element's length is checked against `maxElementBytes` and
 * against its parent's end before any of its data is looked at, and no value is allocated
 * for bytes that are not in the input: the work is linear in the input's size.
 */
const EMPTY = new Uint8Array(0);

class Reader {
  #bytes: Uint8Array = EMPTY;
  /** The end of the input: an element that runs past it is truncated, not malformed. */
  #end = 0;
  #flags = 0;
  #maxDepth = 0;
  #maxElementBytes = 0;
  #maxCollectionLength = 0;
  /** Where the data of the element whose header `span` last read begins. */
  #dataStart = 0;
  /** Just past the element `element` last read. */
  pos = 0;

  /** Reads the element at `start` of `bytes`; {@link pos} is then just past it. */
  read(bytes: Uint8Array, start: number, limits: Limits, flags: number): Value {
    this.#bytes = bytes;
    this.#end = bytes.length;
    this.#flags = flags;
    this.#maxDepth = limits.maxDepth;
    this.#maxElementBytes = limits.maxElementBytes;
    this.#maxCollectionLength = limits.maxCollectionLength;
    try {
      if (start === bytes.length) throw new TruncatedError('a tnetstring', start);
      return this.#element(start, bytes.length, 0);
    } finally {
      this.#bytes = EMPTY; // so the reader does not keep the input alive
    }
  }

  /**
   * Reads the `LEN:` header of the element at `start`, which must end before `bound`; sets
   * `dataStart` and returns the index of its type byte.
   */
  #span(start: number, bound: number): number {
    const bytes = this.#bytes;
    const length = readLengthPrefix(bytes, start, bound);
    if (length > this.#maxElementBytes) {
      throw new LimitError('maxElementBytes', this.#maxElementBytes, length, start);
    }
    const dataStart = start + (length < 10 ? 2 : prefixSize(length)); // the common case inline
    const dataEnd = dataStart + length;
    if (length < 0 || dataEnd >= bound) {
      if (bound === this.#end) throw new TruncatedError('a tnetstring', start);
      throw malformed('element runs past the end of its list or dict', start);
    }
    this.#dataStart = dataStart;
    return dataEnd;
  }

  /** Reads the element at `start`, which must end before `bound`, inside `depth` lists or dicts. */
  #element(start: number, bound: number, depth: number): Value {
    const dataEnd = this.#span(start, bound);
    const dataStart = this.#dataStart;
    const bytes = this.#bytes;
    let value: Value;
    switch (bytes[dataEnd]) {
      case BYTES:
        value = (this.#flags & TEXT) === 0 ? bytes.subarray(dataStart, dataEnd) : this.#text(dataStart, dataEnd);
        break;
      case INTEGER:
        value = this.#integer(dataStart, dataEnd);
        break;
      case FLOAT:
        value = this.#float(dataStart, dataEnd);
        break;
      case BOOLEAN:
        value = this.#boolean(dataStart, dataEnd);
        break;
      case NULL:
        if (dataEnd !== dataStart) throw malformed('null (~) with non-empty data', start);
        value = null;
        break;
      case LIST:
        value = this.#list(dataStart, dataEnd, depth + 1);
        break;
      case DICT:
        value = this.#dict(dataStart, dataEnd, depth + 1);
        break;
      default:
        throw malformed(unknownType(bytes[dataEnd]!), dataEnd);
    }
    this.pos = dataEnd + 1;
    return value;
  }

  #text(start: number, end: number): string {
    const text = decodeUtf8(this.#bytes, start, end);
    if (text === undefined) throw new ConversionError('byte string is not UTF-8 text', start);
    return text;
  }

  #integer(start: number, end: number): number | bigint {
    const bytes = this.#bytes;
    const negative = bytes[start] === MINUS;
    const i = negative ? start + 1 : start;
    const digits = end - i;
    if (digits === 0) throw malformed('integer without digits', start);
    if (bytes[i] === ZERO && digits > 1) throw malformed('leading zero in integer', i);
    if (digits <= 9) {
      // Fits 31 bits: small-integer arithmetic, no heap number.
      let n = 0;
      for (let k = i; k < end; k++) {
        const digit = bytes[k]! - ZERO;
        if (digit >>> 0 > 9) throw nonDigit(k); // one comparison: a negative wraps to a large number
        n = (n * 10 + digit) | 0;
      }
      return negative ? -n | 0 : n; // `-0` reads as 0
    }
    return this.#longInteger(start, i, end);
  }

  #longInteger(start: number, i: number, end: number): number | bigint {
    const bytes = this.#bytes;
    const digits = end - i;
    if (digits > MAX_INTEGER_DIGITS) {
      throw malformed(`integer has more than ${MAX_INTEGER_DIGITS} digits`, start);
    }
    let n = 0;
    for (let k = i; k < end; k++) {
      const digit = bytes[k]! - ZERO;
      if (digit >>> 0 > 9) throw nonDigit(k);
      n = n * 10 + digit;
    }
    // Up to 15 digits the double is exact (below 2^53); past that it may have rounded.
    if (digits <= 15) return bytes[start] === MINUS ? -n : n;
    const exact = BigInt(decodeUtf8(bytes, start, end)!);
    return exact >= MIN_SAFE && exact <= MAX_SAFE ? Number(exact) : exact;
  }

  #float(start: number, end: number): number | Float {
    const bytes = this.#bytes;
    let i = start;
    if (bytes[i] === MINUS) i++;
    const intStart = i;
    // Digits go into `mantissa` as they are checked, for the fast path below.
    let mantissa = 0;
    let digit: number;
    while (i < end && (digit = bytes[i]! - ZERO) >= 0 && digit <= 9) {
      mantissa = mantissa * 10 + digit;
      i++;
    }
    if (i === intStart) throw malformed('float must start with a digit', i);
    if (bytes[intStart] === ZERO && i - intStart > 1) {
      throw malformed('leading zero in float', intStart);
    }
    let fraction = 0;
    if (i < end && bytes[i] === DOT) {
      const fracStart = ++i;
      while (i < end && (digit = bytes[i]! - ZERO) >= 0 && digit <= 9) {
        mantissa = mantissa * 10 + digit;
        i++;
      }
      fraction = i - fracStart;
      if (fraction === 0) throw malformed('float needs a digit after "."', i);
    }
    let exact = i - intStart - (fraction > 0 ? 1 : 0) <= 15; // at most 15 digits: the mantissa is exact
    if (i < end && (bytes[i] === LOWER_E || bytes[i] === UPPER_E)) {
      exact = false;
      i++;
      if (i < end && (bytes[i] === PLUS || bytes[i] === MINUS)) i++;
      const expStart = i;
      while (i < end && isDigit(bytes[i]!)) i++;
      if (i === expStart) throw malformed('float exponent without digits', i);
    }
    if (i !== end) throw malformed('unexpected byte in float', i);
    let value: number;
    if (exact) {
      // An exact integer over an exact power of ten: IEEE division rounds correctly, as parsing would.
      value = mantissa / POWERS_OF_TEN[fraction]!;
      if (bytes[start] === MINUS) value = -value;
    } else {
      value = Number(decodeUtf8(bytes, start, end));
      if (!Number.isFinite(value)) throw malformed('float out of range', start);
    }
    // A plain number that would re-encode as an integer keeps its float type in a Float.
    if ((this.#flags & PLAIN_FLOATS) === 0 && Number.isSafeInteger(value) && !Object.is(value, -0)) {
      return new Float(value);
    }
    return value;
  }

  #boolean(start: number, end: number): boolean {
    const bytes = this.#bytes;
    const length = end - start;
    if (length === 4 || length === 5) {
      // The first four bytes as one number: "true" or "fals".
      const word = (bytes[start]! << 24) | (bytes[start + 1]! << 16) | (bytes[start + 2]! << 8) | bytes[start + 3]!;
      if (length === 4 && word === 0x74727565) return true;
      if (length === 5 && word === 0x66616c73 && bytes[start + 4] === 0x65) return false;
    }
    throw malformed('boolean (!) must be "true" or "false"', start);
  }

  /** Throws if a list or dict at `start` is `depth` deep, past `maxDepth`. */
  #checkDepth(depth: number, start: number): void {
    if (depth > this.#maxDepth) throw new LimitError('maxDepth', this.#maxDepth, depth, start);
  }

  /** Throws if a list or dict that holds `count` items is to get one more, at `at`. */
  #checkCount(count: number, at: number): void {
    if (count === this.#maxCollectionLength) throw new LimitError('maxCollectionLength', this.#maxCollectionLength, count + 1, at);
  }

  #list(start: number, end: number, depth: number): Value[] {
    this.#checkDepth(depth, start);
    const items: Value[] = [];
    let pos = start;
    while (pos < end) {
      this.#checkCount(items.length, pos);
      items.push(this.#element(pos, end, depth));
      pos = this.pos;
    }
    return items;
  }

  /**
   * Reads a dict key at `pos` (a `,` byte string that must leave room for a value before `end`);
   * sets `dataStart` to its data and returns the end of its data.
   */
  #key(pos: number, end: number, count: number): number {
    this.#checkCount(count, pos);
    const keyEnd = this.#span(pos, end);
    if (this.#bytes[keyEnd] !== BYTES) throw malformed('dict key is not a byte string (,)', keyEnd);
    if (keyEnd + 1 === end) throw malformed('dict key without a value', pos);
    return keyEnd;
  }

  /** A dict: a `Map`, or with `objects` a plain object. */
  #dict(start: number, end: number, depth: number): Map<string | Uint8Array, Value> | Record<string, Value> {
    this.#checkDepth(depth, start);
    const bytes = this.#bytes;
    const map = (this.#flags & OBJECTS) === 0 ? new Map<string | Uint8Array, Value>() : undefined;
    const object: Record<string, Value> | undefined = map === undefined ? {} : undefined;
    /** Keys that are not UTF-8 stay bytes in a `Map`; this set (of their bytes as Latin-1) finds repeats. */
    let binaryKeys: Set<string> | undefined;
    let count = 0;
    let pos = start;
    while (pos < end) {
      const keyEnd = this.#key(pos, end, count);
      const keyStart = this.#dataStart;
      let key: string | Uint8Array | undefined = decodeKey(bytes, keyStart, keyEnd);
      if (key === undefined) {
        if (object !== undefined) throw new ConversionError('dict key is not UTF-8 text', keyStart);
        key = bytes.subarray(keyStart, keyEnd);
        binaryKeys ??= new Set();
        const wire = latin1(key);
        if (binaryKeys.has(wire)) throw duplicateKey(pos);
        binaryKeys.add(wire);
      }
      const value = this.#element(keyEnd + 1, end, depth);
      if (object === undefined) {
        map!.set(key, value);
      } else if (key === '__proto__') {
        Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        object[key as string] = value;
      }
      count++;
      pos = this.pos;
    }
    // A repeated key overwrote its first value: the dict came out smaller. Checking once here is
    // much cheaper than probing before every store.
    if ((object === undefined ? map!.size : count && Object.keys(object).length) !== count) throw this.#duplicateKey(start, end);
    return map ?? object!;
  }

  /** The error for the first repeated key of the dict in `[start, end)`, found by a second, slow pass. */
  #duplicateKey(start: number, end: number): MalformedError {
    const seen = new Set<string>();
    let pos = start;
    while (pos < end) {
      const keyEnd = this.#span(pos, end);
      const wire = latin1(this.#bytes.subarray(this.#dataStart, keyEnd));
      if (seen.has(wire)) return duplicateKey(pos);
      seen.add(wire);
      pos = this.#span(keyEnd + 1, end) + 1; // the value was read already: skip it
    }
    return malformed('duplicate dict key', start);
  }
}

/** 10^0 … 10^15, all exact doubles. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

function isDigit(byte: number): boolean {
  return byte >= ZERO && byte <= ZERO + 9;
}

function nonDigit(offset: number): MalformedError {
  return malformed('integer holds a non-digit', offset);
}

function duplicateKey(offset: number): MalformedError {
  return malformed('duplicate dict key', offset);
}

function unknownType(byte: number): string {
  const shown = byte >= 0x21 && byte < 0x7f ? `"${String.fromCharCode(byte)}" ` : '';
  const hint = byte === 0x3b ? ' (";" unicode strings are a non-standard extension)' : '';
  return `unknown type byte ${shown}(0x${byte.toString(16).padStart(2, '0')})${hint}`;
}

const reader = new Reader();

/** Reads the element at `start` of `bytes`; returns it and the index just past it. @internal */
export function readElement(bytes: Uint8Array, start: number, limits: Limits, flags: number): { value: Value; next: number } {
  const value = reader.read(bytes, start, limits, flags);
  return { value, next: reader.pos };
}

/** Reads every element of `bytes`, back to back. @internal */
export function readElements(bytes: Uint8Array, limits: Limits, flags: number): Value[] {
  const values: Value[] = [];
  for (let pos = 0; pos < bytes.length; pos = reader.pos) values.push(reader.read(bytes, pos, limits, flags));
  return values;
}

/** Reads exactly one element that fills `bytes`. @internal */
export function readWhole(bytes: Uint8Array, limits: Limits, flags: number): Value {
  const value = reader.read(bytes, 0, limits, flags);
  if (reader.pos !== bytes.length) throw malformed('trailing bytes after the tnetstring', reader.pos);
  return value;
}
