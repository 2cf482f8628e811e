import { Float, Keyword, Sym, isDict, keyword, sexpr, type Value } from '@petrichor/wire';
import { hex, utf8OrUndefined } from './utf8.js';

/**
 * A value as s-expression text, for people: canonical text (exactly `sexpr.stringify`) for every
 * value s-expressions can hold, and two readable stand-ins for what they cannot: byte strings
 * that are UTF-8 print as strings (a tnetstring's `,` carries text as bytes), other bytes as
 * `#x"00ff"`. Atoms go through `sexpr.stringify`, so escapes and number forms are the wire's own.
 */
export function sexprText(value: Value): string {
  if (Array.isArray(value)) return '(' + (value as readonly Value[]).map(sexprText).join(' ') + ')';
  if (value instanceof Uint8Array) {
    const text = utf8OrUndefined(value);
    return text === undefined ? `#x"${hex(value)}"` : sexpr.stringify(text);
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Float || value instanceof Sym || value instanceof Keyword) && isDict(value)) {
    const entries = value instanceof Map ? [...(value as ReadonlyMap<string | Uint8Array, Value>)] : Object.entries(value);
    return '{' + entries.map(([key, item]) => keyText(key) + ' ' + sexprText(item)).join(' ') + '}';
  }
  return sexpr.stringify(value);
}

/** A map key: `:name` when the name is an identifier, else a string (or `#x"…"` for non-UTF-8 bytes). */
function keyText(key: string | Uint8Array): string {
  const name = typeof key === 'string' ? key : utf8OrUndefined(key);
  if (name === undefined) return `#x"${hex(key as Uint8Array)}"`;
  try {
    return sexpr.stringify(keyword(name));
  } catch {
    return sexpr.stringify(name);
  }
}
