/**
 * The s-expression writer: canonical text (spec/wire.md §3.8). Iterative, so a deeply nested
 * value costs heap, never call stack; a value it cannot write faithfully is refused with the
 * path to the offending part, never written approximately.
 */
import { UnencodableError } from '../errors.js';
import { Float, Keyword, Sym, isDict, type Value } from '../value.js';
import { MAX_INTEGER_DIGITS, NUMBER_LIKE, RESERVED, isIdentifier } from './chars.js';

/** An open list or map being written. */
interface Frame {
  /** The container, for cycle detection and error paths. */
  readonly container: object;
  /** List items; or a map's keys and values interleaved (key, value, key, value…): no pair arrays. */
  readonly items: readonly unknown[];
  readonly isMap: boolean;
  /** Index of the next item (of a map: the next key). */
  next: number;
}

/**
 * Characters {@link quote} must look at: `"`, `\`, controls, and surrogates (a pair is written
 * raw, a lone one refused). Global, so that a search can resume where the last one stopped.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f\ud800-\udfff]/g;

/** The escape of each ASCII code that needs one (§3.8): the short forms, else `\u00xx`. */
const SHORT_ESCAPES: Readonly<Record<number, string>> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x09: '\\t', 0x0d: '\\r' };
const ESCAPE_TEXT: readonly string[] = Array.from({ length: 0x80 }, (_, c) => SHORT_ESCAPES[c] ?? '\\u00' + c.toString(16).padStart(2, '0'));

/**
 * Up to this depth, a cycle is found by walking the open containers on the stack; deeper ones
 * are also kept in a Set, so that a deep value costs no more than linear time.
 */
const WALK_DEPTH = 32;

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
  const deep = new Set<object>(); // the open containers past WALK_DEPTH
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
      if (!isIdentifier(v.name) || NUMBER_LIKE.test(v.name) || RESERVED.has(v.name)) {
        fail(`symbol ${JSON.stringify(v.name)} would not read back as a symbol`, stack);
      }
      out += v.name;
    } else if (v instanceof Keyword) {
      if (!isIdentifier(v.name)) fail(`keyword name ${JSON.stringify(v.name)} is not an identifier`, stack);
      out += ':' + v.name;
    } else if (v instanceof Float) {
      out += typeof v.value === 'number' ? floatText(v.value, stack) : fail('Float holds no number', stack);
    } else if (Array.isArray(v) || isDict(v)) {
      if (isOpen(v, stack, deep)) fail('cycle: the value contains itself', stack);
      const isMap = !Array.isArray(v);
      const items = isMap ? interleave(v as ReadonlyMap<unknown, Value> | Readonly<Record<string, Value>>) : (v as Value[]);
      if (items.length === 0) out += isMap ? '{}' : '()';
      else {
        out += isMap ? '{' : '(';
        if (stack.length >= WALK_DEPTH) deep.add(v);
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
          const key = top.items[top.next];
          v = top.items[top.next + 1];
          top.next += 2;
          if (typeof key !== 'string') fail('a map key must be text; bytes keys have no s-expression form', stack);
          out += (isIdentifier(key) ? ':' + key : quote(key, stack)) + ' ';
        } else {
          v = top.items[top.next++];
        }
        break;
      }
      out += top.isMap ? '}' : ')';
      stack.pop();
      if (stack.length >= WALK_DEPTH) deep.delete(top.container);
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

/** True when `v` is one of the containers being written: the value contains itself. */
function isOpen(v: object, stack: readonly Frame[], deep: ReadonlySet<object>): boolean {
  const walk = Math.min(stack.length, WALK_DEPTH);
  for (let k = 0; k < walk; k++) if (stack[k]!.container === v) return true;
  return stack.length > WALK_DEPTH && deep.has(v);
}

/** A map's (or plain object's) keys and values, interleaved, in order. */
function interleave(map: ReadonlyMap<unknown, Value> | Readonly<Record<string, Value>>): unknown[] {
  const items: unknown[] = [];
  if (map instanceof Map) {
    for (const [key, item] of map as ReadonlyMap<unknown, Value>) items.push(key, item);
  } else {
    const object = map as Readonly<Record<string, Value>>;
    for (const key of Object.keys(object)) items.push(key, object[key]);
  }
  return items;
}

/**
 * `s` as a string literal: only `"`, `\` and control characters escaped. One regex search finds
 * the first character to look at; a string with none, the usual case, is wrapped as it is.
 */
function quote(s: string, stack: readonly Frame[]): string {
  const special = NEEDS_ESCAPE;
  special.lastIndex = 0;
  if (!special.test(s)) return '"' + s + '"';
  let out = '"';
  let run = 0;
  do {
    const i = special.lastIndex - 1;
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      const low = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) {
        fail(`string has a lone surrogate U+${c.toString(16).toUpperCase()} at index ${i}: it is not valid Unicode`, stack);
      }
      special.lastIndex = i + 2; // the pair is written raw
      continue;
    }
    out += s.slice(run, i) + ESCAPE_TEXT[c]!;
    run = i + 1;
  } while (special.test(s));
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
    if (!frame.isMap) path += `[${frame.next - 1}]`;
    else {
      const key = frame.items[frame.next - 2];
      path += typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${typeof key === 'string' ? JSON.stringify(key) : 'bytes'}]`;
    }
  }
  throw new UnencodableError(reason, path);
}
