import { isDict, type Value } from '@petrichor/wire';

/** A dict's field, whether the dict is a `Map` (lossless decoding) or a plain object. */
export function field(dict: Value | undefined, name: string): Value | undefined {
  if (dict instanceof Map) return (dict as ReadonlyMap<string | Uint8Array, Value>).get(name);
  if (isDict(dict)) return Object.hasOwn(dict, name) ? (dict as Readonly<Record<string, Value>>)[name] : undefined;
  return undefined;
}

/**
 * A text field as a string: tnetstrings carry text as bytes, so a lossless decoder hands them
 * over as `Uint8Array`. `undefined` when absent, not text, or not UTF-8.
 */
export { textOf as text } from '../envelope.js';

/** A copy of a dict as a `Map` in the same order, with `name` set to `value` (or removed when `undefined`). */
export function withField(dict: Value, name: string, value: Value | undefined): Map<string | Uint8Array, Value> {
  const entries: Iterable<[string | Uint8Array, Value]> =
    dict instanceof Map ? (dict as ReadonlyMap<string | Uint8Array, Value>).entries() : Object.entries(dict as Readonly<Record<string, Value>>);
  const copy = new Map<string | Uint8Array, Value>();
  let placed = false;
  for (const [key, item] of entries) {
    if (key === name) {
      placed = true;
      if (value !== undefined) copy.set(key, value);
    } else {
      copy.set(key, item);
    }
  }
  if (!placed && value !== undefined) copy.set(name, value);
  return copy;
}
