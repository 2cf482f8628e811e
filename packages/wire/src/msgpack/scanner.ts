import { LimitError, MalformedError, type LimitName } from '../errors.js';
import type { Limits } from '../limits.js';
import { Utf8Validator } from '../utf8.js';
import type { FrameScanner } from '../codec.js';

/**
 * A resumable msgpack structure scanner (spec/wire.md §4.2). Fed the bytes of one value in
 * pieces of any size, it finds where the value ends without decoding it and without ever
 * holding more than a fixed amount of state: a stack of item counts (at most `maxDepth` deep)
 * and a partially read length field. It checks the Petrichor msgpack profile (no ext types,
 * `str` map keys, valid UTF-8 in `str`) and the limits as it goes, so a value that breaks one
 * is refused at the first byte that shows it, before the rest is buffered.
 *
 * Only then is the complete value handed to `@msgpack/msgpack`, which can trust its input.
 */

// What a head byte starts (spec/wire.md §4.1).
const SCALAR = 0; // fixints, nil, false, true: the head is the whole value
const FIXED = 1; // ARG more bytes: floats, ints
const FIXSTR = 2; // a str of ARG bytes
const FIXARRAY = 3; // ARG items
const FIXMAP = 4; // ARG pairs
const STR = 5; // an ARG-byte length, then a str
const BIN = 6; // an ARG-byte length, then bytes
const ARRAY = 7; // an ARG-byte item count
const MAP = 8; // an ARG-byte pair count
const FLOAT = 9; // a float 32 (ARG 4) or float 64 (ARG 8): its first two bytes are read to refuse NaN and ±Infinity
const EXT = 10; // not in the profile
const NEVER = 11; // 0xc1, never used

const KIND = new Uint8Array(256);
const ARG = new Uint8Array(256);
function set(from: number, to: number, kind: number, arg: (head: number) => number): void {
  for (let b = from; b <= to; b++) {
    KIND[b] = kind;
    ARG[b] = arg(b);
  }
}
set(0x00, 0x7f, SCALAR, () => 0);
set(0x80, 0x8f, FIXMAP, (b) => b & 0x0f);
set(0x90, 0x9f, FIXARRAY, (b) => b & 0x0f);
set(0xa0, 0xbf, FIXSTR, (b) => b & 0x1f);
set(0xc0, 0xc0, SCALAR, () => 0);
set(0xc1, 0xc1, NEVER, () => 0);
set(0xc2, 0xc3, SCALAR, () => 0);
set(0xc4, 0xc6, BIN, (b) => 1 << (b - 0xc4));
set(0xc7, 0xc9, EXT, () => 0);
set(0xca, 0xcb, FLOAT, (b) => (b === 0xca ? 4 : 8));
set(0xcc, 0xcf, FIXED, (b) => 1 << (b - 0xcc));
set(0xd0, 0xd3, FIXED, (b) => 1 << (b - 0xd0));
set(0xd4, 0xd8, EXT, () => 0);
set(0xd9, 0xdb, STR, (b) => 1 << (b - 0xd9));
set(0xdc, 0xdd, ARRAY, (b) => (b === 0xdc ? 2 : 4));
set(0xde, 0xdf, MAP, (b) => (b === 0xde ? 2 : 4));
set(0xe0, 0xff, SCALAR, () => 0);

/** Incremental finder of one msgpack value's end; reusable via {@link reset}. */
export class MsgpackScanner implements FrameScanner {
  private maxBytes = 0;
  private limitName: LimitName = 'maxElementBytes';
  private maxDepth: number;
  private maxElementBytes: number;
  private maxCollectionLength: number;
  /** Bytes of the value fed so far: the element-relative offset of the next byte. */
  private consumed = 0;
  /** Items still to read in each open array or map (maps count keys and values). */
  private readonly remaining: number[] = [];
  /** Whether each open container is a map. */
  private readonly isMap: boolean[] = [];
  private depth = 0;
  /** The head byte whose length field is being read, its element offset, and what is left of it. */
  private head = 0;
  private headOffset = 0;
  private lengthBytes = 0;
  private length = 0;
  /** Payload bytes still to pass over, and whether they are a `str` (then UTF-8 is checked). */
  private skip = 0;
  private inStr = false;
  private readonly utf8 = new Utf8Validator();
  /** The value holds an int 64 or uint 64 (decoded as bigint, so it needs normalising). */
  has64 = false;
  /** The value holds a map. */
  hasMap = false;

  constructor(limits: Limits) {
    this.maxDepth = limits.maxDepth;
    this.maxElementBytes = limits.maxElementBytes;
    this.maxCollectionLength = limits.maxCollectionLength;
  }

  /** Starts a new value, which may take at most `maxBytes` bytes (else `limitName` is raised). */
  reset(maxBytes: number, limitName: LimitName): void {
    this.maxBytes = maxBytes;
    this.limitName = limitName;
    this.consumed = 0;
    this.depth = 0;
    this.lengthBytes = 0;
    this.skip = 0;
    this.inStr = false;
    this.has64 = false;
    this.hasMap = false;
  }

  /** msgpack states no size up front: a value's size is known only once it has been scanned. */
  get size(): number {
    return -1;
  }

  /** Bytes of the current value fed so far. */
  get scanned(): number {
    return this.consumed;
  }

  /**
   * Continues the value with `bytes[from, end)`. Returns the index just past the value's last
   * byte if it ends in that range, or -1 if it needs more. Throws {@link MalformedError} and
   * {@link LimitError} with offsets counted from the value's first byte.
   */
  feed(bytes: Uint8Array, from: number, end: number): number {
    let i = from;
    const base = this.consumed - from; // element offset of bytes[i] is base + i
    while (i < end) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - i);
        if (this.inStr) {
          const bad = this.utf8.check(bytes, i, i + n);
          if (bad >= 0) throw new MalformedError('str is not valid UTF-8', { offset: base + bad });
        }
        i += n;
        this.skip -= n;
        if (this.skip > 0) break;
        if (this.inStr) {
          this.inStr = false;
          if (this.utf8.need !== 0) {
            throw new MalformedError('str ends inside a UTF-8 sequence', { offset: base + i - 1 });
          }
        }
        if (this.completed()) return this.finish(i, from);
        continue;
      }
      if (this.lengthBytes > 0) {
        this.length = this.length * 256 + bytes[i++]!;
        if (--this.lengthBytes > 0) continue;
        if (this.sized(this.head, this.length, base + i) && this.completed()) return this.finish(i, from);
        continue;
      }
      const offset = base + i;
      const head = bytes[i++]!;
      if (offset >= this.maxBytes) this.overLimit(offset + 1, offset);
      if (this.depth > 0 && this.isMap[this.depth - 1] && (this.remaining[this.depth - 1]! & 1) === 0
        && KIND[head] !== FIXSTR && KIND[head] !== STR) {
        throw new MalformedError('map key is not a str', { offset });
      }
      const arg = ARG[head]!;
      switch (KIND[head]) {
        case SCALAR:
          break;
        case FIXED:
          if (head === 0xcf || head === 0xd3) this.has64 = true;
          this.passOver(arg, false, offset + 1);
          continue;
        case FIXSTR:
          if (arg === 0) break;
          this.passOver(arg, true, offset + 1);
          continue;
        case FIXARRAY:
        case FIXMAP:
          if (!this.open(KIND[head] === FIXMAP, arg, offset, offset + 1)) continue;
          break;
        case STR:
        case BIN:
        case ARRAY:
        case MAP:
        case FLOAT:
          this.head = head;
          this.headOffset = offset;
          this.lengthBytes = KIND[head] === FLOAT ? 2 : arg;
          this.length = 0;
          if (offset + 1 + arg > this.maxBytes) this.overLimit(offset + 1 + arg, offset);
          continue;
        case EXT:
          throw new MalformedError('msgpack ext types are not part of the Petrichor profile', { offset });
        default:
          throw new MalformedError('0xc1 is never used in msgpack', { offset });
      }
      if (this.completed()) return this.finish(i, from);
    }
    this.consumed += i - from;
    return -1;
  }

  private finish(i: number, from: number): number {
    this.consumed += i - from;
    return i;
  }

  /**
   * A length field (or a float's first two bytes) just ended at element offset `at`; returns
   * true if the value is complete.
   */
  private sized(head: number, length: number, at: number): boolean {
    const kind = KIND[head];
    if (kind === FLOAT) {
      // All exponent bits set: NaN or ±Infinity, which the data model does not hold.
      if (head === 0xca ? (length & 0x7f80) === 0x7f80 : (length & 0x7ff0) === 0x7ff0) {
        throw new MalformedError('NaN and ±Infinity are not part of the Petrichor profile', { offset: this.headOffset });
      }
      this.passOver(ARG[head]! - 2, false, at);
      return false;
    }
    if (kind === STR || kind === BIN) {
      if (length > this.maxElementBytes) {
        throw new LimitError('maxElementBytes', this.maxElementBytes, length, this.headOffset);
      }
      if (length === 0) return true;
      this.passOver(length, kind === STR, at);
      return false;
    }
    return this.open(kind === MAP, length, this.headOffset, at);
  }

  /** Begins `count` items (pairs for a map); returns true if empty (the value is complete). */
  private open(isMap: boolean, count: number, offset: number, at: number): boolean {
    if (count > this.maxCollectionLength) {
      throw new LimitError('maxCollectionLength', this.maxCollectionLength, count, offset);
    }
    if (isMap) this.hasMap = true;
    if (count === 0) return true;
    if (this.depth + 1 > this.maxDepth) throw new LimitError('maxDepth', this.maxDepth, this.depth + 1, offset);
    const items = isMap ? count * 2 : count;
    // Every item takes at least one byte: refuse a count the limit cannot hold right away.
    if (at + items > this.maxBytes) this.overLimit(at + items, offset);
    this.remaining[this.depth] = items;
    this.isMap[this.depth] = isMap;
    this.depth++;
    return false;
  }

  private passOver(bytes: number, isStr: boolean, at: number): void {
    if (at + bytes > this.maxBytes) this.overLimit(at + bytes, at - 1);
    this.skip = bytes;
    this.inStr = isStr;
    if (isStr) this.utf8.reset();
  }

  /** One value ended; closes every container it completes. Returns true when the top value is done. */
  private completed(): boolean {
    while (this.depth > 0) {
      if (--this.remaining[this.depth - 1]! > 0) return false;
      this.depth--;
    }
    return true;
  }

  private overLimit(size: number, offset: number): never {
    throw new LimitError(this.limitName, this.maxBytes, size, offset);
  }
}
