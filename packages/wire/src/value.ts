/**
 * The data model every codec in this package reads and writes.
 *
 * It is lossless across the three formats: bytes stay apart from text, integers from floats,
 * dict order is kept, and integers too large for a double stay exact.
 *
 * | kind | JavaScript | notes |
 * |---|---|---|
 * | null | `null` | tnetstring `~`, sexpr `nil`, msgpack nil |
 * | boolean | `boolean` | |
 * | integer | `number` (a safe integer) or `bigint` (beyond ±(2^53−1)) | |
 * | float | `number`, or {@link Float} when the value is integral | see below |
 * | text | `string` | UTF-8 on the wire |
 * | bytes | `Uint8Array` | tnetstring `,` decodes to bytes unless asked for text |
 * | symbol, keyword | {@link Sym}, {@link Keyword} | s-expressions only |
 * | list | `Value[]` | |
 * | dict | `Map` (lossless) or a plain object (convenient) | insertion order is kept |
 *
 * Integers and floats: a `number` that is a safe integer (and not `-0`) is written as an integer;
 * any other `number` (`1.5`, `-0`, `1e300`) is written as a float. To write an integral float
 * such as `1.0`, wrap it: `new Float(1)`. Decoders return a `Float` exactly where a plain
 * `number` would not come back as a float, so decode-then-encode keeps every type.
 */

/** A float whose value happens to be integral (`1.0`, `-3.0`): keeps it a float on the wire. */
export class Float {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  valueOf(): number {
    return this.value;
  }
}

/** An s-expression symbol such as `GET` or `relate`. Compare with `.name`, or use {@link sym}. */
export class Sym {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  toString(): string {
    return this.name;
  }
}

/** An s-expression keyword such as `:params`; `name` is without the colon. */
export class Keyword {
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  toString(): string {
    return `:${this.name}`;
  }
}

/** A dict in lossless form. Keys are text; a tnetstring key that is not UTF-8 stays bytes. */
export type Dict = Map<string | Uint8Array, Value>;

/** A dict in convenient form: a plain object (text keys only). */
export interface ValueObject {
  readonly [key: string]: Value;
}

/** Any value a codec can carry. */
export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Float
  | Sym
  | Keyword
  | readonly Value[]
  | ReadonlyMap<string | Uint8Array, Value>
  | ValueObject;

/** `sym('GET')`: shorthand for `new Sym('GET')`. */
export function sym(name: string): Sym {
  return new Sym(name);
}

/** `keyword('params')`: shorthand for `new Keyword('params')`. */
export function keyword(name: string): Keyword {
  return new Keyword(name);
}

/** True for a dict in either form: a `Map`, or a plain object (not an array, bytes or model class). */
export function isDict(value: unknown): value is ReadonlyMap<string | Uint8Array, Value> | ValueObject {
  if (value instanceof Map) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
