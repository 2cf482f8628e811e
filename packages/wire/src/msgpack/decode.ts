/** msgpack reading: scan first (profile and limits), then `@msgpack/msgpack`, then map onto the data model (spec/wire.md §4.2). */
import { DecodeError, Decoder } from '@msgpack/msgpack';
import { ConversionError, MalformedError, TruncatedError, WireError, shiftOffset } from '../errors.js';
import type { Limits } from '../limits.js';
import { OBJECTS } from '../options.js';
import type { Value } from '../value.js';
import { MsgpackScanner } from './scanner.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const decoders = new WeakMap<Limits, Decoder>();

/** A library decoder with our limits mapped onto its own (a second line of defence: the scanner checks them first). */
function decoderFor(limits: Limits): Decoder {
  let decoder = decoders.get(limits);
  if (decoder === undefined) {
    decoder = new Decoder({
      useBigInt64: true,
      maxStrLength: limits.maxElementBytes,
      maxBinLength: limits.maxElementBytes,
      maxArrayLength: limits.maxCollectionLength,
      maxMapLength: limits.maxCollectionLength,
      maxExtLength: 0,
    });
    decoders.set(limits, decoder);
  }
  return decoder;
}

/**
 * Decodes the value at `bytes[start]`, which the scanner has already delimited as ending at
 * `end`. Turns every library error into ours. @internal
 */
function decodeScanned(bytes: Uint8Array, start: number, end: number, limits: Limits, flags: number, scanner: MsgpackScanner): Value {
  let value: unknown;
  try {
    value = decoderFor(limits).decode(bytes.subarray(start, end));
  } catch (error) {
    throw libraryError(error, start);
  }
  const maps = (flags & OBJECTS) === 0 && scanner.hasMap;
  return scanner.has64 || maps ? normalize(value, maps) : (value as Value);
}

/**
 * Brings the library's output into the data model: a `bigint` within the safe range becomes a
 * number, and (lossless mode) an object a `Map`. Works in place on the arrays the library just
 * made. Recursion is bounded by `maxDepth`, which the scanner enforced.
 */
function normalize(value: unknown, maps: boolean): Value {
  if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value as Value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normalize(value[i], maps);
    return value as Value[];
  }
  const object = value as Record<string, unknown>;
  if (maps) {
    const map = new Map<string, Value>();
    for (const key of Object.keys(object)) map.set(key, normalize(object[key], maps));
    return map;
  }
  for (const key of Object.keys(object)) object[key] = normalize(object[key], maps);
  return object as Value;
}

function libraryError(error: unknown, offset: number): WireError {
  if (error instanceof WireError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof DecodeError && message.includes('__proto__')) {
    return new ConversionError('the key __proto__ cannot be decoded by @msgpack/msgpack', offset);
  }
  return new MalformedError(`msgpack: ${message}`, { offset });
}

/**
 * Reads the value at `start` of `bytes[start, end)`: scans it (checking the profile and the
 * limits), then decodes it. Returns the value; `scanner.scanned` is its size. @internal
 */
export function readValue(bytes: Uint8Array, start: number, end: number, limits: Limits, flags: number, scanner: MsgpackScanner): Value {
  scanner.reset(limits.maxElementBytes, 'maxElementBytes');
  let next: number;
  try {
    next = scanner.feed(bytes, start, end);
  } catch (error) {
    // The scanner counts offsets from the value's start; report them from the input's.
    throw shiftOffset(error, start);
  }
  if (next < 0) throw new TruncatedError('a msgpack value', start);
  return decodeScanned(bytes, start, next, limits, flags, scanner);
}

const scanners = new WeakMap<Limits, MsgpackScanner>();

/** The scanner for standalone decoding: one per limits object (decoding is never re-entered). */
export function scannerFor(limits: Limits): MsgpackScanner {
  let scanner = scanners.get(limits);
  if (scanner === undefined) {
    scanner = new MsgpackScanner(limits);
    scanners.set(limits, scanner);
  }
  return scanner;
}

/** {@link decode} with resolved limits and packed flags. @internal */
export function readWhole(bytes: Uint8Array, limits: Limits, flags: number): Value {
  const scanner = scannerFor(limits);
  const value = readValue(bytes, 0, bytes.length, limits, flags, scanner);
  if (scanner.scanned !== bytes.length) {
    throw new MalformedError('trailing bytes after the msgpack value', { offset: scanner.scanned });
  }
  return value;
}

