import { Float, Keyword, Sym, isDict, type Value } from '@petrichor/wire';
import { hex, utf8OrUndefined } from './utf8.js';

/**
 * A value as JSON text. Exact where JSON can be: integers of any size keep every digit, floats
 * keep a `.0` when integral (`1.0`, `-0.0`), dict order is kept. Where JSON has no form:
 * symbols are strings of their name, keywords strings `":name"`, byte strings that are UTF-8
 * are strings, other bytes `{"$hex": "00ff"}`.
 *
 * @param indent spaces per level; 0 writes one line.
 * @param spaced on one line, a space after each `,` and `:` (for people).
 */
export function jsonText(value: Value, indent = 0, spaced = false): string {
  return write(value, indent, '', spaced);
}

function write(value: Value, indent: number, pad: string, spaced: boolean): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'number':
      return numberText(value);
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (value instanceof Float) return floatText(value.value);
  if (value instanceof Sym) return JSON.stringify(value.name);
  if (value instanceof Keyword) return JSON.stringify(':' + value.name);
  if (value instanceof Uint8Array) {
    const text = utf8OrUndefined(value);
    return text === undefined ? `{"$hex":"${hex(value)}"}` : JSON.stringify(text);
  }
  const inner = pad + ' '.repeat(indent);
  const open = indent === 0 ? '' : '\n' + inner;
  const close = indent === 0 ? '' : '\n' + pad;
  const comma = indent === 0 ? (spaced ? ', ' : ',') : ',\n' + inner;
  const colon = indent === 0 && !spaced ? ':' : ': ';
  if (Array.isArray(value)) {
    const items = value as readonly Value[];
    if (items.length === 0) return '[]';
    return '[' + open + items.map((item) => write(item, indent, inner, spaced)).join(comma) + close + ']';
  }
  if (isDict(value)) {
    const entries = value instanceof Map ? [...(value as ReadonlyMap<string | Uint8Array, Value>)] : Object.entries(value);
    if (entries.length === 0) return '{}';
    const pairs = entries.map(([key, item]) => {
      const name = typeof key === 'string' ? key : (utf8OrUndefined(key) ?? hex(key));
      return JSON.stringify(name) + colon + write(item, indent, inner, spaced);
    });
    return '{' + open + pairs.join(comma) + close + '}';
  }
  throw new TypeError('not a value');
}

function numberText(x: number): string {
  return Number.isSafeInteger(x) && !Object.is(x, -0) ? String(x) : floatText(x);
}

function floatText(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const text = String(x);
  return text.includes('.') || text.includes('e') ? text : text + '.0';
}
