import { UnencodableError } from './errors.js';
import { MAX_DEPTH } from './limits.js';
import { utf8Length } from './utf8.js';
import { Float, Keyword, Sym, isDict } from './value.js';

/**
 * Encoders run a fast pass that only notices that something cannot be written. This module
 * then walks the value again, slowly, to say what and where: `$.items[3].name: NaN is not a
 * finite number`. Keeping the path out of the fast pass costs the common case nothing.
 */

/** What a codec accepts, for {@link explainUnencodable}. */
export interface EncodableRules {
  /** Why a value that is not a list or dict cannot be written, or `undefined` if it can. */
  leaf(value: unknown): string | undefined;
  /** Why a `Map` key cannot be written, or `undefined` if it can. */
  key(key: unknown): string | undefined;
  /** A stable form of a key's bytes on the wire, to find keys that would repeat there. */
  wireKey(key: string | Uint8Array): string;
}

/** Why `value` is not a finite number, a well-formed string or another leaf every codec shares. */
export function commonLeafReason(value: unknown): string | undefined {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? undefined : `${String(value)} is not a finite number`;
    case 'string':
      return utf8Length(value) >= 0 ? undefined : 'string holds a lone surrogate, so it has no UTF-8 form';
    case 'boolean':
    case 'bigint':
      return undefined;
    case 'undefined':
      return 'undefined is not a value (use null)';
    case 'object':
      if (value === null || value instanceof Uint8Array) return undefined;
      if (value instanceof Float) {
        return Number.isFinite(value.value) ? undefined : `Float(${String(value.value)}) is not a finite number`;
      }
      if (value instanceof Sym || value instanceof Keyword) return undefined;
      return `${Object.prototype.toString.call(value).slice(8, -1)} is not a value`;
    default:
      return `a ${typeof value} is not a value`;
  }
}

/** True for a plain object (prototype `Object.prototype` or `null`). */
export function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Walks `value` and throws the {@link UnencodableError} for the first thing `rules` reject, a
 * cycle, or nesting deeper than {@link MAX_DEPTH}. Called only after a fast pass failed.
 */
export function explainUnencodable(value: unknown, rules: EncodableRules): never {
  const ancestors = new Set<object>();
  const visit = (v: unknown, path: string, depth: number): void => {
    if (!(Array.isArray(v) || isDict(v))) {
      const reason = rules.leaf(v);
      if (reason !== undefined) throw new UnencodableError(reason, path);
      return;
    }
    if (ancestors.has(v)) throw new UnencodableError('circular reference', path);
    if (depth >= MAX_DEPTH) throw new UnencodableError(`nested deeper than ${MAX_DEPTH} levels`, path);
    ancestors.add(v);
    if (Array.isArray(v)) {
      v.forEach((item: unknown, i) => visit(item, `${path}[${i}]`, depth + 1));
    } else {
      // A plain object's keys are strings, checked as a Map's are (they cannot repeat).
      const seen = new Set<string>();
      for (const [key, item] of v instanceof Map ? (v as Map<unknown, unknown>) : Object.entries(v)) {
        const keyPath = `${path}${showKey(key)}`;
        const reason = rules.key(key);
        if (reason !== undefined) throw new UnencodableError(reason, keyPath);
        const wire = rules.wireKey(key as string | Uint8Array);
        if (seen.has(wire)) throw new UnencodableError('key repeats another key of the dict on the wire', keyPath);
        seen.add(wire);
        visit(item, keyPath, depth + 1);
      }
    }
    ancestors.delete(v);
  };
  visit(value, '$', 0);
  // The fast pass and this walk disagree: a bug, but still report it as ours.
  throw new UnencodableError('value cannot be encoded', '$');
}

function showKey(key: unknown): string {
  if (typeof key === 'string') return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  if (key instanceof Uint8Array) return `[bytes ${[...key].map((b) => b.toString(16).padStart(2, '0')).join('')}]`;
  return `[${typeof key} key]`;
}
