/**
 * UTF-8 helpers for the binary codecs. Short strings, the bulk of any header or record, are
 * decoded and encoded by hand: crossing into TextDecoder/TextEncoder costs more than the work
 * itself below a few dozen bytes. Long strings go to the platform. Decoding is strict (no
 * replacement characters) so that text and bytes never blur.
 */

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Below this many bytes (or UTF-16 units, when encoding) the hand-written loops win. */
const SHORT = 48;

/**
 * Decodes `bytes[start, end)` as UTF-8, or returns `undefined` if it is not valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). A leading BOM is kept.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  const length = end - start;
  if (length > SHORT) {
    try {
      return fatalDecoder.decode(bytes.subarray(start, end));
    } catch {
      return undefined;
    }
  }
  if (length === 0) return '';
  // ASCII, the common case for keys and short values.
  let i = start;
  while (i < end && bytes[i]! < 0x80) i++;
  if (i === end) {
    return length === 1
      ? String.fromCharCode(bytes[start]!)
      : String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  return decodeShortUtf8(bytes, start, end);
}

const units: number[] = [];

/** The hand-written strict decoder for short runs that are not pure ASCII. */
function decodeShortUtf8(bytes: Uint8Array, start: number, end: number): string | undefined {
  units.length = 0;
  let i = start;
  while (i < end) {
    const b1 = bytes[i++]!;
    if (b1 < 0x80) {
      units.push(b1);
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    let cp: number;
    if (b1 >= 0xc2 && b1 <= 0xdf) {
      need = 1;
      cp = b1 & 0x1f;
    } else if (b1 >= 0xe0 && b1 <= 0xef) {
      need = 2;
      cp = b1 & 0x0f;
      if (b1 === 0xe0) lo = 0xa0; // no overlong 3-byte forms
      else if (b1 === 0xed) hi = 0x9f; // no UTF-16 surrogates
    } else if (b1 >= 0xf0 && b1 <= 0xf4) {
      need = 3;
      cp = b1 & 0x07;
      if (b1 === 0xf0) lo = 0x90; // no overlong 4-byte forms
      else if (b1 === 0xf4) hi = 0x8f; // nothing past U+10FFFF
    } else {
      return undefined;
    }
    if (i + need > end) return undefined;
    for (let k = 0; k < need; k++) {
      const b = bytes[i++]!;
      if (b < lo || b > hi) return undefined;
      lo = 0x80;
      hi = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      units.push(0xd800 | (cp >> 10), 0xdc00 | (cp & 0x3ff));
    } else {
      units.push(cp);
    }
  }
  return String.fromCharCode.apply(null, units);
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
    if (n > SHORT) {
      encoder.encodeInto(text, out.subarray(offset, offset + n));
    } else {
      for (let i = 0; i < n; i++) out[offset + i] = text.charCodeAt(i);
    }
    return offset + n;
  }
  if (n > SHORT) {
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
