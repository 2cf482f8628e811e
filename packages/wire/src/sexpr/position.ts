/**
 * Error positions for the s-expression reader (spec/wire.md §3.9). The reader works on a JS
 * string and keeps only an index while it runs; these functions turn that index into a byte
 * offset, line and column when, and only when, an error is raised.
 */
import type { Position } from '../errors.js';

/**
 * The position of UTF-16 index `index` of `text`: `offset` is the count of UTF-8 bytes before it,
 * `line` is 1 + the line breaks before it (LF, CR or CRLF, each one break), and `column` is 1 +
 * the Unicode code points between the line's start and it.
 */
export function positionAt(text: string, index: number): Position {
  let offset = 0;
  let line = 1;
  let column = 1;
  for (let i = 0; i < index; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      offset += 1;
      if (code === 0x0a || (code === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
        line++;
        column = 1;
        continue;
      }
    } else if (code < 0x800) {
      offset += 2;
    } else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1)) && i + 1 < index) {
      offset += 4;
      i++;
    } else {
      offset += 3;
    }
    column++;
  }
  return { offset, line, column };
}

/** True for a UTF-16 low (trailing) surrogate. */
export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * The offset of the first byte of `bytes` that does not start or continue a well-formed UTF-8
 * sequence (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), or -1 if all are
 * well formed. Used only to locate the error after `TextDecoder` has refused the input.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min = 0x80;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) min = 0xa0; // overlong
      if (b === 0xed) max = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) min = 0x90; // overlong
      if (b === 0xf4) max = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (c < (k === 1 ? min : 0x80) || c > (k === 1 ? max : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}
