/**
 * UTF-8 helpers for the binary codecs. Short ASCII strings, the bulk of any header or record, are
 * decoded by hand, and short strings encoded by hand: crossing into TextDecoder/TextEncoder costs
 * more than the work itself below a few dozen bytes. The rest goes to the platform. Decoding is
 * strict (no replacement characters) so that text and bytes never blur.
 */

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * Up to this many bytes the hand-written decoders win; past it TextDecoder does (measured on
 * Node 20: building a string from 8 bytes at a time costs about as much as TextDecoder's fixed
 * overhead at 24 to 32 bytes).
 */
const SHORT = 24;
/** Up to this many UTF-16 units the hand-written encoder wins over TextEncoder.encodeInto. */
const SHORT_ENCODE = 48;

/**
 * Decodes `bytes[start, end)` as UTF-8, or returns `undefined` if it is not valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). A leading BOM is kept.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (end - start > SHORT) return decodeStrict(bytes, start, end);
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return decodeStrict(bytes, start, end);
  return ascii(bytes, start, end);
}

const fromCharCode = String.fromCharCode;

/** A short ASCII run as a string, eight bytes per call: no intermediate array or view. */
function ascii(b: Uint8Array, start: number, end: number): string {
  let out = '';
  let s = start;
  for (; end - s > 8; s += 8) {
    out += fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
  }
  switch (end - s) {
    case 0: return out;
    case 1: return out + fromCharCode(b[s]!);
    case 2: return out + fromCharCode(b[s]!, b[s + 1]!);
    case 3: return out + fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4: return out + fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5: return out + fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6: return out + fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7: return out + fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    default: return out + fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
  }
}

/** Dict keys repeat from message to message: short ASCII keys are kept in a small cache. */
const KEY_CACHE_SLOTS = 4096;
const MAX_CACHED_KEY = 16;
const keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SLOTS).fill(undefined);

/**
 * {@link decodeUtf8} for dict keys: a short ASCII key seen before comes back as the same string,
 * found by its bytes' hash and checked byte by byte, so no new string is built.
 */
export function decodeKey(bytes: Uint8Array, start: number, end: number): string | undefined {
  const length = end - start;
  if (length > MAX_CACHED_KEY) return decodeUtf8(bytes, start, end);
  let hash = 0x811c9dc5 ^ length;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte >= 0x80) return decodeStrict(bytes, start, end);
    hash = Math.imul(hash ^ byte, 0x01000193); // FNV-1a
  }
  const slot = (hash ^ (hash >>> 15)) & (KEY_CACHE_SLOTS - 1);
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === length) {
    let i = 0;
    while (i < length && cached.charCodeAt(i) === bytes[start + i]) i++;
    if (i === length) return cached;
  }
  const key = ascii(bytes, start, end);
  keyCache[slot] = key;
  return key;
}

/**
 * TextDecoder, strict. Short runs that are not pure ASCII come here too: a hand-written decoder
 * was measured only ~20 % faster on them (Node 20, 5 to 21 bytes) and cost 200 bytes of a gzipped
 * browser bundle.
 */
function decodeStrict(bytes: Uint8Array, start: number, end: number): string | undefined {
  try {
    return fatalDecoder.decode(bytes.subarray(start, end));
  } catch {
    return undefined;
  }
}

/**
 * Bytes `text` takes in UTF-8, or `-1` if it holds a lone surrogate (which has no UTF-8 form:
 * writing it would silently become U+FFFD).
 */
export function utf8Length(text: string): number {
  const n = text.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c < 0xd800 || c > 0xdfff) {
      bytes += 2;
    } else if (c <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a pair: 2 units, 4 bytes
      i++;
    } else {
      return -1;
    }
  }
  return bytes;
}

/**
 * Writes `text` (whose UTF-8 length `byteLength` the caller measured with {@link utf8Length})
 * into `out` at `offset`; returns the offset after it.
 */
export function writeUtf8(text: string, out: Uint8Array, offset: number, byteLength: number): number {
  const n = text.length;
  if (n === byteLength) {
    // Pure ASCII: one byte per unit.
    if (n > SHORT_ENCODE) {
      encoder.encodeInto(text, out.subarray(offset, offset + n));
    } else {
      for (let i = 0; i < n; i++) out[offset + i] = text.charCodeAt(i);
    }
    return offset + n;
  }
  if (n > SHORT_ENCODE) {
    encoder.encodeInto(text, out.subarray(offset, offset + byteLength));
    return offset + byteLength;
  }
  let o = offset;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
    } else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 0x3f);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return o;
}

/** True if `text` holds no lone surrogate, that is, if it has a UTF-8 form. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A resumable UTF-8 validator for bytes that arrive in pieces (the msgpack scanner checks `str`
 * payloads with it). State between calls: continuation bytes still expected, and the range the
 * next one must fall in. Same rules as {@link decodeUtf8}.
 */
export class Utf8Validator {
  /** Continuation bytes still expected. */
  need = 0;
  private lo = 0x80;
  private hi = 0xbf;

  reset(): void {
    this.need = 0;
    this.lo = 0x80;
    this.hi = 0xbf;
  }

  /** Checks `bytes[start, end)`; returns the index of the first bad byte, or -1 if all is well so far. */
  check(bytes: Uint8Array, start: number, end: number): number {
    let need = this.need;
    let lo = this.lo;
    let hi = this.hi;
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (need === 0) {
        if (b < 0x80) continue;
        if (b >= 0xc2 && b <= 0xdf) need = 1;
        else if (b >= 0xe0 && b <= 0xef) {
          need = 2;
          if (b === 0xe0) lo = 0xa0;
          else if (b === 0xed) hi = 0x9f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          need = 3;
          if (b === 0xf0) lo = 0x90;
          else if (b === 0xf4) hi = 0x8f;
        } else {
          return i;
        }
      } else {
        if (b < lo || b > hi) return i;
        lo = 0x80;
        hi = 0xbf;
        need--;
      }
    }
    this.need = need;
    this.lo = lo;
    this.hi = hi;
    return -1;
  }
}

/** `bytes` as a Latin-1 string, one character per byte: a compact key for sets of byte strings. */
export function latin1(bytes: Uint8Array): string {
  let out = '';
  // In slices: fromCharCode.apply takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return out;
}
