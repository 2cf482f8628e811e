/** Shared test helpers: byte literals, error capture, value generators and model normalisers. */
import fc from 'fast-check';
import { expect } from 'vitest';
import { Float, Keyword, Sym, WireError, type Value } from '@petrichor/wire';
import { isWellFormed } from '../../src/utf8.js';

const encoder = new TextEncoder();

/** ASCII/UTF-8 text as bytes. */
export const bytes = (text: string): Uint8Array => encoder.encode(text);

/** Bytes from hex, spaces allowed: `hex('81 a2 6f 70')`. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from({ length: clean.length / 2 }, (_, i) => parseInt(clean.slice(2 * i, 2 * i + 2), 16));
}

/** Bytes as hex, for readable failures. */
export const toHex = (data: Uint8Array): string => [...data].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Bytes as Latin-1 text, for readable tnetstring and netstring comparisons. */
export const latin1 = (data: Uint8Array): string => String.fromCharCode(...data);

/** A tnetstring element built from its data and type, with the length computed. */
export function tn(data: string, type: string): string {
  return `${encoder.encode(data).length}:${data}${type}`;
}

/** Runs `fn`, expecting it to throw; returns the error. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, got none');
}

/** Runs `fn`; if it throws, the error must be one of ours. */
export function onlyWireErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(WireError);
  }
}

/** Text with no lone surrogate (it has a UTF-8 form). */
export const text = (maxLength = 12): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', maxLength }).filter(isWellFormed);

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
const safeInteger = fc.oneof(fc.integer(), fc.maxSafeInteger().map((n) => n), fc.integer({ min: -1000, max: 1000 }));
const bigInteger = fc.oneof(
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 200n }),
  fc.bigInt({ min: -(2n ** 200n), max: -(2n ** 53n) }),
);
const integralFloat = fc.integer({ min: -1e6, max: 1e6 }).map((n) => new Float(n));

/** Which parts of the data model a generated value may use. */
export interface ValueShape {
  bytes?: boolean;
  floats?: boolean;
  bigints?: boolean;
  /** Integers past 2^64 (msgpack holds 64 bits). */
  hugeIntegers?: boolean;
  symbols?: boolean;
  maps?: boolean;
  objects?: boolean;
  /** Keys of maps: text only, or also bytes (tnetstrings). */
  byteKeys?: boolean;
}

/** Values of the data model, restricted to `shape`. */
export function values(shape: ValueShape, maxDepth = 3): fc.Arbitrary<Value> {
  const leaves: fc.Arbitrary<Value>[] = [fc.constant(null), fc.boolean(), safeInteger, finiteDouble, text()];
  if (shape.bytes) leaves.push(fc.uint8Array({ maxLength: 12 }));
  if (shape.floats) leaves.push(integralFloat, fc.constant(-0));
  if (shape.bigints) {
    leaves.push(shape.hugeIntegers ? bigInteger : fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }));
  }
  if (shape.symbols) {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/).filter((n) => !['true', 'false', 'nil'].includes(n));
    leaves.push(name.map((n) => new Sym(n)), name.map((n) => new Keyword(n)));
  }
  const leaf = fc.oneof(...leaves);
  const key = shape.byteKeys ? fc.oneof(text(6), fc.uint8Array({ maxLength: 4 })) : text(6);
  return fc.letrec<{ value: Value }>((tie) => {
    const containers: fc.Arbitrary<Value>[] = [fc.array(tie('value'), { maxLength: 4 })];
    if (shape.maps !== false) {
      containers.push(
        fc
          .uniqueArray(fc.tuple(key, tie('value')), {
            maxLength: 4,
            selector: ([k]) => (typeof k === 'string' ? `s${k}` : `b${latin1(k)}`),
          })
          .filter((entries) => distinctOnWire(entries.map(([k]) => k)))
          .map((entries) => new Map<string | Uint8Array, Value>(entries)),
      );
    }
    if (shape.objects) {
      containers.push(
        fc.uniqueArray(fc.tuple(text(6), tie('value')), { maxLength: 4, selector: ([k]) => k }).map((entries) => {
          const object: Record<string, Value> = {};
          for (const [k, v] of entries) Object.defineProperty(object, k, { value: v, enumerable: true, writable: true, configurable: true });
          return object;
        }),
      );
    }
    return {
      value: fc.oneof({ depthSize: 'small', maxDepth, withCrossShrink: true }, leaf, ...containers),
    };
  }).value;
}

/** No two keys have the same bytes on the wire (a text key and a byte key can collide). */
function distinctOnWire(keys: (string | Uint8Array)[]): boolean {
  const seen = new Set(keys.map((k) => latin1(typeof k === 'string' ? encoder.encode(k) : k)));
  return seen.size === keys.length;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * What lossless tnetstring decoding returns for `value`: text becomes bytes (a `,` string has
 * no text type), dicts `Map`s in the same order with UTF-8 keys as text, small bigints numbers.
 */
export function tnetstringModel(value: Value): Value {
  if (typeof value === 'string') return encoder.encode(value);
  if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
  if (value instanceof Float) return Number.isSafeInteger(value.value) && !Object.is(value.value, -0) ? value : value.value;
  if (Array.isArray(value)) return value.map(tnetstringModel);
  if (value instanceof Map) {
    const out = new Map<string | Uint8Array, Value>();
    for (const [k, v] of value as Map<string | Uint8Array, Value>) out.set(keyModel(k), tnetstringModel(v));
    return out;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const object = value as Record<string, Value>;
    return new Map(Object.keys(object).map((k) => [k, tnetstringModel(object[k]!)] as [string, Value]));
  }
  return value;
}

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function keyModel(key: string | Uint8Array): string | Uint8Array {
  if (typeof key === 'string') return key;
  try {
    return fatal.decode(key);
  } catch {
    return key;
  }
}

/**
 * What lossless msgpack decoding returns for `value` (spec/wire.md §4.4): integral floats and
 * `-0` come back as integers, and dict keys that are array indices come first, ascending.
 */
export function msgpackModel(value: Value): Value {
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
  if (value instanceof Float) return Object.is(value.value, -0) ? 0 : value.value;
  if (Array.isArray(value)) return value.map(msgpackModel);
  if (value instanceof Map || (value !== null && typeof value === 'object' && !(value instanceof Uint8Array))) {
    const entries: [string, Value][] = value instanceof Map
      ? [...(value as Map<string, Value>)]
      : Object.keys(value).map((k) => [k, (value as Record<string, Value>)[k]!]);
    // The order a JavaScript object gives these keys.
    const object: Record<string, true> = {};
    for (const [k] of entries) Object.defineProperty(object, k, { value: true, enumerable: true });
    const byKey = new Map(entries);
    return new Map(Object.keys(object).map((k) => [k, msgpackModel(byKey.get(k)!)] as [string, Value]));
  }
  return value;
}
