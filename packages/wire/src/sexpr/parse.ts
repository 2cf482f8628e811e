/**
 * The s-expression reader (spec/wire.md §3). One pass over a JS string with an explicit stack
 * of open lists, so depth costs heap, never call stack; atoms are sliced out of the input, and
 * only strings with escapes are built piece by piece. Positions are computed only on error.
 */
import { LimitError, MalformedError } from '../errors.js';
import { resolveLimits, type Limits } from '../limits.js';
import { Float, Keyword, Sym, type Value } from '../value.js';
import { CLASS, DELIMITER, DIGIT, IDENT_CONT, IDENT_START, MAX_INTEGER_DIGITS, describeChar } from './chars.js';
import { firstInvalidUtf8, isLowSurrogate, positionAt } from './position.js';

/** Options of {@link parse} and {@link parseAll}. */
export interface ParseOptions {
  /**
   * Limits on what the reader accepts (see `Limits`): `maxDepth` bounds nesting of lists and
   * maps, `maxCollectionLength` the items of a list (or pairs of a map, or data of `parseAll`),
   * and `maxElementBytes` the input bytes of one atom (a string between its quotes, a symbol,
   * a keyword, a number).
   */
  limits?: Partial<Limits>;
}

/** What a token starting with an ASCII character is, for the reader's dispatch (§3.1). */
const enum Token {
  Other,
  Open,
  Close,
  String,
  Keyword,
  Hash,
  Symbol,
  Digit,
  /** `+` `-` `.`: a number when a digit follows (§3.3), else a symbol. */
  Sign,
}

/** The {@link Token} of each ASCII code. */
const TOKEN: Uint8Array = (() => {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) if ((CLASS[c]! & IDENT_START) !== 0) table[c] = Token.Symbol;
  const mark = (chars: string, token: Token): void => {
    for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = token;
  };
  mark('({', Token.Open);
  mark(')}', Token.Close);
  mark('"', Token.String);
  mark(':', Token.Keyword);
  mark('#', Token.Hash);
  mark('0123456789', Token.Digit);
  mark('+-.', Token.Sign);
  return table;
})();

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Returned by {@link Reader.next} when the input holds no further datum. */
const END: unique symbol = Symbol('end');
type End = typeof END;

const LIST = 0;
const MAP = 1;

/** An open `(` or `{`. Both kinds share one shape so the hot loop sees one hidden class. */
class Frame {
  readonly kind: typeof LIST | typeof MAP;
  /** Index of the opening bracket, for errors. */
  readonly start: number;
  readonly items: Value[];
  readonly map: Map<string, Value> | null;
  /** A map's key that still waits for its value. */
  key: string | null = null;
  /** `#;` datum comments waiting for a datum to drop at this level. */
  discard = 0;
  constructor(kind: typeof LIST | typeof MAP, start: number) {
    this.kind = kind;
    this.start = start;
    this.items = kind === LIST ? [] : (EMPTY as Value[]);
    this.map = kind === MAP ? new Map() : null;
  }
}
const EMPTY: readonly Value[] = Object.freeze([]);

/**
 * A plain run inside a string: up to a `"`, a `\`, a control character a string may not hold raw
 * (all but TAB, LF and CR), U+007F, or a surrogate (a pair is checked and skipped). Sticky, so
 * that one match skips the run from where the reader stands.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PLAIN_RUN = /[^"\\\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ud800-\udfff]*/y;

/** The character of each one-letter escape by the ASCII code after the `\`; '' where there is none. */
const ESCAPES: readonly string[] = (() => {
  const table: string[] = new Array<string>(128).fill('');
  table[0x22] = '"';
  table[0x5c] = '\\';
  table[0x6e] = '\n';
  table[0x74] = '\t';
  table[0x72] = '\r';
  return table;
})();

/** Reads data one at a time from `text`. */
class Reader {
  private readonly text: string;
  private readonly n: number;
  private readonly limits: Limits;
  /** Index of the next unread character. */
  i = 0;
  /** Index where the datum last returned by {@link next} began. */
  start = 0;

  constructor(text: string, limits: Limits) {
    this.text = text;
    this.n = text.length;
    this.limits = limits;
  }

  /**
   * Reads the next datum, or returns {@link END} when only whitespace and comments remain.
   * With `single`, a datum found here is an error: the caller expected the end of the input.
   */
  next(single = false): Value | End {
    const text = this.text;
    const n = this.n;
    const { maxDepth, maxCollectionLength } = this.limits;
    const stack: Frame[] = [];
    let discard = 0; // pending `#;` at the top level
    let discardAt = 0;
    let i = this.i;
    for (;;) {
      // Whitespace and comments.
      let c = 0;
      while (i < n) {
        c = text.charCodeAt(i);
        if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) i++;
        else if (c === 0x3b) i = this.skipComment(i + 1);
        else break;
      }
      if (i >= n) {
        this.i = n;
        const open = stack[stack.length - 1];
        if (open !== undefined) {
          this.fail(`${open.kind === LIST ? 'list' : 'map'} never closed: input ended before its "${open.kind === LIST ? ')' : '}'}"`, open.start);
        }
        if (discard > 0) this.fail('datum comment "#;" has no datum after it', discardAt);
        return END;
      }
      if (stack.length === 0) {
        if (single && discard === 0 && startsDatum(c)) {
          this.fail('expected the end of the input after one datum, found another datum', i);
        }
        this.start = i;
      }

      let at = i; // where the datum starts
      let value: Value;
      switch (c < 0x80 ? TOKEN[c]! : Token.Other) {
        case Token.Digit:
          value = this.readNumber(i);
          i = this.i;
          break;
        case Token.Symbol:
          value = this.readSymbol(i);
          i = this.i;
          break;
        case Token.Sign:
          if (this.numberLike(c, i)) {
            if (c === 0x2b) this.fail('a number has no "+" sign', i);
            if (c === 0x2e || text.charCodeAt(i + 1) === 0x2e) this.fail('a float needs a digit before its "."', c === 0x2e ? i : i + 1);
            value = this.readNumber(i);
          } else value = this.readSymbol(i);
          i = this.i;
          break;
        case Token.String:
          value = this.readString(i);
          i = this.i;
          break;
        case Token.Keyword:
          value = new Keyword(this.readName(i + 1, 'keyword'));
          i = this.i;
          break;
        case Token.Open:
          if (stack.length >= maxDepth) {
            throw new LimitError('maxDepth', maxDepth, stack.length + 1, positionAt(text, i).offset);
          }
          stack.push(new Frame(c === 0x28 ? LIST : MAP, i));
          i++;
          continue;
        case Token.Close: {
          const frame = stack.pop();
          if (frame === undefined) this.fail(`unexpected ${describeChar(c)}: nothing is open`, i);
          this.checkClose(frame, c, i);
          value = frame.map ?? frame.items;
          at = frame.start;
          i++;
          break;
        }
        case Token.Hash: {
          if (text.charCodeAt(i + 1) !== 0x3b) this.unexpected(c, i);
          // `#;` datum comment: drop the next datum at this level.
          const top = stack[stack.length - 1];
          if (top === undefined) {
            if (discard === 0) discardAt = i;
            discard++;
          } else top.discard++;
          i += 2;
          continue;
        }
        default:
          this.unexpected(c, i);
      }

      // Hand the finished datum to its parent, or return it.
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (discard > 0) {
          discard--;
          continue;
        }
        this.i = i;
        return value;
      }
      if (top.discard > 0) {
        top.discard--;
      } else if (top.map === null) {
        if (top.items.length >= maxCollectionLength) {
          throw new LimitError('maxCollectionLength', maxCollectionLength, top.items.length + 1, positionAt(text, at).offset);
        }
        top.items.push(value);
      } else if (top.key === null) {
        const key = typeof value === 'string' ? value : value instanceof Keyword ? value.name : null;
        if (key === null) this.fail('a map key must be a keyword or a string', at);
        if (top.map.has(key)) this.fail(`duplicate map key ${JSON.stringify(key)}`, at);
        if (top.map.size >= maxCollectionLength) {
          throw new LimitError('maxCollectionLength', maxCollectionLength, top.map.size + 1, positionAt(text, at).offset);
        }
        top.key = key;
      } else {
        top.map.set(top.key, value);
        top.key = null;
      }
    }
  }

  /** The byte offset of UTF-16 index `index`. */
  offsetOf(index: number): number {
    return positionAt(this.text, index).offset;
  }

  /** Reads a symbol or reserved word from `i`. */
  private readSymbol(i: number): Value {
    const name = this.readName(i, 'symbol');
    return name === 'nil' ? null : name === 'true' ? true : name === 'false' ? false : new Sym(name);
  }

  /** Checks that the closer `c` at `i` may close `frame`. */
  private checkClose(frame: Frame, c: number, i: number): void {
    if ((c === 0x29) !== (frame.kind === LIST)) {
      const open = positionAt(this.text, frame.start);
      this.fail(
        `${describeChar(c)} cannot close the ${frame.kind === LIST ? 'list "("' : 'map "{"'} opened at line ${open.line}, column ${open.column}`,
        i,
      );
    }
    if (frame.discard > 0) this.fail(`datum comment "#;" has no datum before ${describeChar(c)}`, i);
    if (frame.key !== null) this.fail('map has a key with no value (odd number of items)', i);
  }

  /** Throws a {@link MalformedError} positioned at UTF-16 index `index`. */
  fail(reason: string, index: number): never {
    throw new MalformedError(reason, positionAt(this.text, index));
  }

  /** Skips a `;` comment from `i` (after the `;`); returns the index of the line break or the end. */
  private skipComment(i: number): number {
    const text = this.text;
    for (; i < this.n; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a || c === 0x0d) return i;
      if (c >= 0xd800 && c <= 0xdfff) i = this.surrogatePair(c, i);
    }
    return i;
  }

  /** At a surrogate at `i`: returns the index of the pair's second half, or fails on a lone one. */
  private surrogatePair(c: number, i: number): number {
    if (c <= 0xdbff && isLowSurrogate(this.text.charCodeAt(i + 1))) return i + 1;
    return this.fail(`lone surrogate ${describeChar(c)}: the text is not valid Unicode`, i);
  }

  /** True when the token at `i` (starting with `c`) starts like a number: the reader's rule of §3.3. */
  private numberLike(c: number, i: number): boolean {
    if (c !== 0x2d && c !== 0x2b && c !== 0x2e) return false;
    let d = this.text.charCodeAt(i + 1);
    if (d === 0x2e && c !== 0x2e) d = this.text.charCodeAt(i + 2);
    return d >= 0x30 && d <= 0x39;
  }

  /** Reads an identifier from `i` (a symbol's name, or a keyword's after its `:`) and checks what ends it. */
  private readName(i: number, what: 'symbol' | 'keyword'): string {
    const text = this.text;
    const n = this.n;
    const start = i;
    const c = i < n ? text.charCodeAt(i) : -1;
    if (c < 0 || c >= 0x80 || (CLASS[c]! & IDENT_START) === 0) {
      this.fail(
        c === 0x3a
          ? 'a keyword name cannot start with ":"'
          : c < 0 || (c < 0x80 && (CLASS[c]! & DELIMITER) !== 0)
            ? 'a keyword needs a name after ":"'
            : `a keyword name cannot start with ${describeChar(c)}`,
        what === 'keyword' ? i - 1 : i,
      );
    }
    for (i++; i < n; i++) {
      const d = text.charCodeAt(i);
      if (d >= 0x80 || (CLASS[d]! & IDENT_CONT) === 0) {
        if (d < 0x80 && (CLASS[d]! & DELIMITER) !== 0) break;
        this.fail(`invalid character ${this.describeAt(i)} in ${what}`, i);
      }
    }
    this.i = i;
    const token = what === 'keyword' ? start - 1 : start; // a keyword's size counts its ':'
    this.checkAtomSize(token, i, token);
    return text.slice(start, i);
  }

  /**
   * Reads a number token from `start`, a digit or a `-` then a digit: `-?[0-9]+` is an
   * integer; with a fraction or an exponent it is a float. Anything else is an error.
   */
  private readNumber(start: number): Value {
    const text = this.text;
    let i = start;
    let c = text.charCodeAt(i);
    const negative = c === 0x2d;
    if (negative) c = text.charCodeAt(++i);
    const digitsStart = i;
    let v = 0; // exact while there are at most 15 digits
    while (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      c = text.charCodeAt(++i);
    }
    const digits = i - digitsStart;
    if (c === 0x2e || c === 0x65 || c === 0x45) return this.readFloat(start, i, c);
    if (i < this.n && (c >= 0x80 || (CLASS[c]! & DELIMITER) === 0)) {
      this.fail(`invalid character ${this.describeAt(i)} in number`, i);
    }
    this.i = i;
    this.checkAtomSize(start, i, start);
    if (digits <= 15) return negative && v !== 0 ? -v : v;
    if (digits > MAX_INTEGER_DIGITS) this.fail(`integer has more than ${MAX_INTEGER_DIGITS} digits`, start);
    const big = BigInt(text.slice(start, i));
    return big >= -MAX_SAFE && big <= MAX_SAFE ? Number(big) : big;
  }

  /** Reads the rest of a float from `i`, where `c` is its `.`, `e` or `E`. */
  private readFloat(start: number, i: number, c: number): Value {
    const text = this.text;
    if (c === 0x2e) {
      c = text.charCodeAt(++i);
      if (!(c >= 0x30 && c <= 0x39)) this.fail('a float needs a digit after its "."', i);
      while (c >= 0x30 && c <= 0x39) c = text.charCodeAt(++i);
    }
    if (c === 0x65 || c === 0x45) {
      c = text.charCodeAt(++i);
      if (c === 0x2b || c === 0x2d) c = text.charCodeAt(++i);
      if (!(c >= 0x30 && c <= 0x39)) this.fail('an exponent needs a digit', i);
      while (c >= 0x30 && c <= 0x39) c = text.charCodeAt(++i);
    }
    if (i < this.n && (c >= 0x80 || (CLASS[c]! & DELIMITER) === 0)) {
      this.fail(`invalid character ${this.describeAt(i)} in number`, i);
    }
    this.i = i;
    this.checkAtomSize(start, i, start);
    const x = Number(text.slice(start, i));
    if (!Number.isFinite(x)) this.fail('float is too large: it overflows to infinity', start);
    // A plain number that is a safe integer (and not -0) would be written back as an integer.
    return x === 0 ? (Object.is(x, -0) ? x : new Float(0)) : Number.isSafeInteger(x) ? new Float(x) : x;
  }

  /**
   * Reads a string whose `"` is at `start`. Plain runs are skipped by one regex match and taken
   * as slices: per-character work in JS costs twice as much or more on long strings.
   */
  private readString(start: number): string {
    const text = this.text;
    const plain = PLAIN_RUN;
    let i = start + 1;
    let out = '';
    let runStart = i;
    for (;;) {
      plain.lastIndex = i;
      plain.test(text);
      i = plain.lastIndex;
      if (i >= this.n) this.fail('string never closed: input ended before its closing \'"\'', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        out += text.slice(runStart, i);
        i = this.readEscape(i, start);
        out += this.escaped;
        runStart = i;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        i = this.surrogatePair(c, i) + 1;
      } else {
        this.fail(c === 0x7f ? 'raw control character U+007F in string: write it as \\u007f' : `raw control character ${describeChar(c)} in string: write it as a \\u escape`, i);
      }
    }
    this.i = i + 1;
    this.checkAtomSize(start + 1, i, start);
    return runStart === start + 1 ? text.slice(runStart, i) : out + text.slice(runStart, i);
  }

  /** The text of the escape read by the last {@link readEscape}. */
  private escaped = '';

  /**
   * Reads the escape whose `\` is at `i`, in the string whose `"` is at `start`, into
   * {@link escaped}; returns the index after it.
   */
  private readEscape(i: number, start: number): number {
    const c = this.text.charCodeAt(i + 1);
    const simple = c < 0x80 ? ESCAPES[c]! : ''; // NaN past the end: not < 0x80
    if (simple !== '') {
      this.escaped = simple;
      return i + 2;
    }
    if (i + 1 >= this.n) this.fail('string never closed: input ended inside an escape', start);
    if (c !== 0x75) {
      this.fail(`unknown escape: "\\" then ${this.describeAt(i + 1)}; only \\" \\\\ \\n \\t \\r and \\uXXXX exist`, i);
    }
    const unit = this.hex4(i, start);
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      this.fail(`lone surrogate \\u${unit.toString(16)}: a low surrogate must follow a high one`, i);
    }
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = this.text.charCodeAt(i + 6) === 0x5c && this.text.charCodeAt(i + 7) === 0x75 ? this.hex4(i + 6, start) : -1;
      if (!isLowSurrogate(low)) {
        this.fail(`lone surrogate \\u${unit.toString(16)}: a high surrogate must be followed by a \\u escape of a low one`, i);
      }
      this.escaped = String.fromCharCode(unit, low);
      return i + 12;
    }
    this.escaped = String.fromCharCode(unit);
    return i + 6;
  }

  /** The value of the 4 hex digits after the `\u` at `i`, in the string whose `"` is at `start`. */
  private hex4(i: number, start: number): number {
    let v = 0;
    for (let k = i + 2; k < i + 6; k++) {
      if (k >= this.n) this.fail('string never closed: input ended inside an escape', start);
      const c = this.text.charCodeAt(k);
      const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
      if (d < 0) this.fail('a \\u escape needs exactly 4 hex digits', k);
      v = v * 16 + d;
    }
    return v;
  }

  /** Enforces `maxElementBytes` on the input [from, to) of the atom that starts at `at`. */
  private checkAtomSize(from: number, to: number, at: number): void {
    const max = this.limits.maxElementBytes;
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only long atoms need counting.
    if ((to - from) * 3 <= max) return;
    const bytes = positionAt(this.text.slice(from, to), to - from).offset;
    if (bytes > max) throw new LimitError('maxElementBytes', max, bytes, positionAt(this.text, at).offset);
  }

  /** Describes the character at `i`, whole even when it is a surrogate pair. */
  private describeAt(i: number): string {
    return describeChar(this.text.codePointAt(i)!);
  }

  /** Fails on a character that starts no datum. */
  private unexpected(c: number, i: number): never {
    const next = this.text.charCodeAt(i + 1);
    if (c === 0x5b || c === 0x5d) this.fail(`${describeChar(c)}: square brackets are not supported, write a list with ( )`, i);
    if (c === 0x2c) this.fail('",": a comma is not whitespace in this grammar', i);
    if (c === 0x27) this.fail(`"'": quote is not supported, write (quote x)`, i);
    if (c === 0x23) {
      if (next === 0x74 || next === 0x66) this.fail(`"#${next === 0x74 ? 't' : 'f'}" is not supported: write ${next === 0x74 ? 'true' : 'false'}`, i);
      this.fail('"#" starts no datum: only the datum comment "#;" begins with it', i);
    }
    if (c >= 0xd800 && c <= 0xdfff && !(c <= 0xdbff && isLowSurrogate(next))) {
      this.fail(`lone surrogate ${describeChar(c)}: the text is not valid Unicode`, i);
    }
    this.fail(`unexpected character ${this.describeAt(i)}${c >= 0x80 ? ': outside strings and comments only ASCII is allowed' : ''}`, i);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** True when `c` can start a datum (not a closer, a comment, or an unsupported extension). */
function startsDatum(c: number): boolean {
  return c === 0x28 || c === 0x7b || c === 0x22 || c === 0x3a || (c < 0x80 && (CLASS[c]! & (IDENT_START | DIGIT)) !== 0);
}

/** The input as text: bytes must be well-formed UTF-8 (a BOM is kept, and is then an error). */
function toText(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  if (!(input instanceof Uint8Array)) throw new TypeError('sexpr: the input must be a string or a Uint8Array');
  try {
    return decoder.decode(input);
  } catch {
    const offset = firstInvalidUtf8(input);
    // Valid, yet refused: a view of shared memory, which some platforms will not decode.
    if (offset < 0) return decoder.decode(input.slice());
    const before = decoder.decode(input.subarray(0, offset));
    const { line, column } = positionAt(before, before.length);
    throw new MalformedError('invalid UTF-8', { offset, line: line ?? 1, column: column ?? 1 });
  }
}

/**
 * Reads exactly one datum from `input` (text, or UTF-8 bytes). Whitespace and comments may
 * surround it; empty input, or a second datum, is a {@link MalformedError}.
 *
 * @throws {MalformedError} on any text outside the grammar of spec/wire.md §3, with the byte
 *   offset, line and column of the fault.
 * @throws {LimitError} when the input exceeds `options.limits`.
 */
export function parse(input: string | Uint8Array, options?: ParseOptions): Value {
  const reader: Reader = new Reader(toText(input), resolveLimits(options?.limits));
  const value = reader.next();
  if (value === END) reader.fail('expected a datum, found only whitespace and comments', reader.i);
  reader.next(true);
  return value;
}

/**
 * Reads every datum of `input` in order (none for empty text). For a file or a log of data;
 * on a byte stream each message is a netstring frame instead (spec/wire.md §3.10).
 *
 * @throws {MalformedError} as {@link parse}.
 * @throws {LimitError} as {@link parse}; more than `maxCollectionLength` data is one too.
 */
export function parseAll(input: string | Uint8Array, options?: ParseOptions): Value[] {
  const limits = resolveLimits(options?.limits);
  const reader = new Reader(toText(input), limits);
  const all: Value[] = [];
  for (;;) {
    const value = reader.next();
    if (value === END) return all;
    if (all.length >= limits.maxCollectionLength) {
      throw new LimitError('maxCollectionLength', limits.maxCollectionLength, all.length + 1, reader.offsetOf(reader.start));
    }
    all.push(value);
  }
}
