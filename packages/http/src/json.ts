/**
 * JSON for Petrichor values (spec/rpc.md §10.3). JSON has fewer kinds than the data model, so
 * writing folds some together (documented in the README); reading gives the decode shape's dicts.
 */
import { RpcError } from '@petrichor/rpc';
import { Float, Keyword, MAX_DEPTH, Sym, UnencodableError, isDict, type Value } from '@petrichor/wire';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A value as JSON text. Integers past 2^53 are written as their exact digits, an integral
 * `Float` as `1.0`, bytes as base64 text, symbols and keywords as their names, `Map`s as objects
 * (text keys only). NaN, ±Infinity, `undefined`, cycles and other objects are refused with an
 * `UnencodableError` naming where.
 */
export function toJson(value: Value): string {
  return write(value, '$', 0);
}

function write(value: unknown, path: string, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new UnencodableError(`${value} has no JSON form`, path);
      return JSON.stringify(value);
  }
  if (value instanceof Float) {
    const n = value.value;
    if (!Number.isFinite(n)) throw new UnencodableError(`${n} has no JSON form`, path);
    const text = JSON.stringify(n);
    return /[.e]/.test(text) ? text : `${text}.0`;
  }
  if (value instanceof Sym || value instanceof Keyword) return JSON.stringify(value.name);
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
  if (depth >= MAX_DEPTH) throw new UnencodableError(`nested deeper than ${MAX_DEPTH}`, path);
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown, i) => write(item, `${path}[${i}]`, depth + 1)).join(',')}]`;
  }
  if (isDict(value as Value)) {
    const entries: [unknown, unknown][] = value instanceof Map ? [...(value as Map<unknown, unknown>)] : Object.entries(value as object);
    const parts = entries.map(([key, item]) => {
      const name = keyText(key, path);
      return `${JSON.stringify(name)}:${write(item, `${path}.${name}`, depth + 1)}`;
    });
    return `{${parts.join(',')}}`;
  }
  throw new UnencodableError(`${typeof value === 'object' ? 'this object' : typeof value} is not in the data model`, path);
}

function keyText(key: unknown, path: string): string {
  if (typeof key === 'string') return key;
  if (key instanceof Uint8Array) {
    try {
      return utf8.decode(key);
    } catch {
      // falls through
    }
  }
  throw new UnencodableError('a JSON object key must be text', path);
}

/**
 * JSON text (UTF-8 bytes) as a value: objects as plain objects, or as `Map`s when `objects` is
 * false (the socket's lossless shape). Throws `RpcError` 400 for text that is not UTF-8 JSON, a
 * number out of range, or nesting past 1000.
 */
export function fromJson(bytes: Uint8Array, objects: boolean): Value {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(bytes));
  } catch (error) {
    throw RpcError.badRequest(`the body is not JSON: ${(error as Error).message}`);
  }
  return check(parsed, objects, 0);
}

function check(value: unknown, objects: boolean, depth: number): Value {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw RpcError.badRequest('a JSON number is out of range');
    return value;
  }
  if (value === null || typeof value !== 'object') return value as Value;
  if (depth >= MAX_DEPTH) throw RpcError.badRequest(`the JSON body nests deeper than ${MAX_DEPTH}`);
  if (Array.isArray(value)) return value.map((item: unknown) => check(item, objects, depth + 1));
  if (objects) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      // An own `__proto__` (JSON.parse makes one) is redefined, never assigned through the setter.
      Object.defineProperty(object, key, { value: check(object[key], objects, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return object as Value;
  }
  return new Map(Object.entries(value).map(([key, item]) => [key, check(item, objects, depth + 1)]));
}
