/**
 * The s-expression writer: canonical text (spec/wire.md §3.8). Iterative, so a deeply nested
 * value costs heap, never call stack; a value it cannot write faithfully is refused with the
 * path to the offending part, never written approximately.
 */
import { UnencodableError } from '../errors.js';
import { Float, Keyword, Sym, isDict, type Value } from '../value.js';
import { IDENTIFIER, MAX_INTEGER_DIGITS, NUMBER_LIKE, RESERVED } from './chars.js';

/** An open list or map being written. */
interface Frame {
  /** The container, for cycle detection and error paths. */
  readonly container: object;
  /** List items, or map entries as `[key, value]` pairs. */
  readonly items: readonly Value[] | readonly (readonly [unknown, Value])[];
  readonly isMap: boolean;
  /** Index of the next item or entry. */
  next: number;
}

/** Characters that force the slow path of {@link quote}: `"`, `\`, controls, surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f\ud800-\udfff]/;

/**
 * Writes `value` as canonical s-expression text: single spaces between items, no comments,
 * escapes only where needed, maps as `{:key value …}` (a key that is not an identifier as a
 * string), integral floats with a `.0`.
 *
 * @throws {UnencodableError} for a value with no faithful s-expression form: bytes
 *   (`Uint8Array`), NaN and ±Infinity, a string with a lone surrogate, a symbol or keyword name
 *   that would not read back as itself, an integer of more than 4,300 digits, a cycle, or
 *   anything outside the data model (`undefined`, functions, class instances…). Its `path`
 *   says where, as in `$[2].name`.
 */
export function stringify(value: Value): string {
  const stack: Frame[] = [];
  const open = new Set<object>();
  let out = '';
  let v: unknown = value;
  for (;;) {
    // Write `v`, or open it.
    if (v === null) out += 'nil';
    else if (typeof v === 'string') out += quote(v, stack);
    else if (typeof v === 'number') out += numberText(v, stack);
    else if (typeof v === 'boolean') out += v ? 'true' : 'false';
    else if (typeof v === 'bigint') {
      const text = v.toString();
      if (text.length - (v < 0n ? 1 : 0) > MAX_INTEGER_DIGITS) fail(`integer has more than ${MAX_INTEGER_DIGITS} digits`, stack);
      out += text;
    } else if (v instanceof Sym) {
      if (!IDENTIFIER.test(v.name) || NUMBER_LIKE.test(v.name) || RESERVED.has(v.name)) {
        fail(`symbol ${JSON.stringify(v.name)} would not read back as a symbol`, stack);
      }
      out += v.name;
    } else if (v instanceof Keyword) {
      if (!IDENTIFIER.test(v.name)) fail(`keyword name ${JSON.stringify(v.name)} is not an identifier`, stack);
      out += ':' + v.name;
    } else if (v instanceof Float) {
      out += typeof v.value === 'number' ? floatText(v.value, stack) : fail('Float holds no number', stack);
    } else if (Array.isArray(v) || isDict(v)) {
      if (open.has(v)) fail('cycle: the value contains itself', stack);
      const isMap = !Array.isArray(v);
      const items = isMap ? (v instanceof Map ? [...(v as Map<unknown, Value>)] : Object.entries(v)) : (v as Value[]);
      if (items.length === 0) out += isMap ? '{}' : '()';
      else {
        out += isMap ? '{' : '(';
        open.add(v);
        stack.push({ container: v, items, isMap, next: 0 });
      }
    } else if (v instanceof Uint8Array) {
      fail('bytes have no s-expression form: send text, or use the tnetstring or msgpack codec', stack);
    } else {
      fail(`${describeType(v)} is not in the data model`, stack);
    }

    // Move to the next item, closing finished containers.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return out;
      if (top.next < top.items.length) {
        if (top.next > 0) out += ' ';
        if (top.isMap) {
          const [key, item] = top.items[top.next++] as readonly [unknown, Value];
          if (typeof key !== 'string') fail('a map key must be text; bytes keys have no s-expression form', stack);
          out += (IDENTIFIER.test(key) ? ':' + key : quote(key, stack)) + ' ';
          v = item;
        } else {
          v = top.items[top.next++];
        }
        break;
      }
      out += top.isMap ? '}' : ')';
      open.delete(top.container);
      stack.pop();
    }
  }
}

/** The text of a JS number: an integer when it is a safe integer (and not -0), else a float. */
function numberText(x: number, stack: readonly Frame[]): string {
  return Number.isSafeInteger(x) && !Object.is(x, -0) ? String(x) : floatText(x, stack);
}

/**
 * A float's canonical text: the shortest decimal that reads back as the same double (ECMAScript
 * Number::toString), with `.0` appended when that has neither `.` nor an exponent.
 */
function floatText(x: number, stack: readonly Frame[]): string {
  if (!Number.isFinite(x)) fail(`${String(x)} has no s-expression form`, stack);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const text = String(x);
  return text.includes('.') || text.includes('e') ? text : text + '.0';
}

/** `s` as a string literal: only `"`, `\` and control characters escaped. */
function quote(s: string, stack: readonly Frame[]): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escape: string;
    if (c === 0x22) escape = '\\"';
    else if (c === 0x5c) escape = '\\\\';
    else if (c === 0x0a) escape = '\\n';
    else if (c === 0x09) escape = '\\t';
    else if (c === 0x0d) escape = '\\r';
    else if (c < 0x20 || c === 0x7f) escape = '\\u00' + (c < 0x10 ? '0' : '') + c.toString(16);
    else if (c >= 0xd800 && c <= 0xdfff) {
      const low = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) {
        fail(`string has a lone surrogate U+${c.toString(16).toUpperCase()} at index ${i}: it is not valid Unicode`, stack);
      }
      i++;
      continue;
    } else continue;
    out += s.slice(run, i) + escape;
    run = i + 1;
  }
  return out + s.slice(run) + '"';
}

function describeType(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a JS symbol';
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return `an instance of ${name ?? 'an unknown class'}`;
}

/** Throws an {@link UnencodableError} at the path of the item being written. */
function fail(reason: string, stack: readonly Frame[]): never {
  let path = '$';
  for (const frame of stack) {
    const at = frame.next - 1;
    if (!frame.isMap) path += `[${at}]`;
    else {
      const key = (frame.items[at] as readonly [unknown, Value])[0];
      path += typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${typeof key === 'string' ? JSON.stringify(key) : 'bytes'}]`;
    }
  }
  throw new UnencodableError(reason, path);
}
