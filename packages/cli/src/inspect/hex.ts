import { badInput } from '../errors.js';
import type { Style } from '../style.js';

const ROW = 16;

/**
 * Bytes from hex text as people paste it: pairs of digits, in any case, optionally grouped and
 * separated by whitespace, `|` or `,`, a group optionally starting with `0x`
 * (`32 3a 34 32 23`, `64 | 00000000 | 40000000`, `0x6869`). Each group must have an even number
 * of digits. Throws a bad-input error naming the character at fault.
 */
export function parseHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length >>> 1);
  let n = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '|' || c === ',') {
      i++;
      continue;
    }
    const start = i;
    if (c === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) i += 2;
    const digitsStart = i;
    while (i < text.length && isHexDigit(text.charCodeAt(i))) i++;
    const end = i;
    if (i < text.length && !/[\s|,]/.test(text[i]!)) {
      throw badInput(`hex input: ${JSON.stringify(text[i])} is not a hex digit (character ${i + 1})`);
    }
    if (end === digitsStart) throw badInput(`hex input: "0x" without digits (character ${start + 1})`);
    if ((end - digitsStart) % 2 !== 0) {
      throw badInput(`hex input: odd number of digits in ${JSON.stringify(text.slice(start, end))} (character ${start + 1})`);
    }
    for (let j = digitsStart; j < end; j += 2) out[n++] = Number.parseInt(text.slice(j, j + 2), 16);
  }
  return out.subarray(0, n);
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/**
 * A hex dump of the rows around `offset`, with a caret line under the byte at `offset` (in the
 * hex and the text columns): where a decoder gave up. An offset at the end of the input marks
 * the place just past the last byte.
 *
 * ```text
 * 00000000  31 36 3a 31 3a 61 2c 31  3a 31 23 31 3a 61 2c 31  |16:1:a,1:1#1:a,1|
 *                                             ^^                          ^
 * ```
 */
export function dumpAround(bytes: Uint8Array, offset: number, style: Style, context = 1): string[] {
  const marked = Math.min(offset, bytes.length);
  // The row holding the marked byte; past a full last row, the last row (the caret goes after it).
  const markRow = bytes.length === 0 ? 0 : Math.floor(Math.min(marked, bytes.length - 1) / ROW);
  const first = Math.max(0, markRow - context);
  const last = Math.min(Math.max(0, Math.ceil(bytes.length / ROW) - 1), markRow + context);
  const lines: string[] = [];
  for (let row = first; row <= last; row++) {
    lines.push(dumpRow(bytes, row * ROW, style, row === markRow ? marked - row * ROW : -1));
    if (row === markRow) lines.push(caretLine(marked - row * ROW, style));
  }
  return lines;
}

/** Column of the hex digits of byte `i` of a row (after the 8-digit offset and two spaces). */
function hexColumn(i: number): number {
  return 10 + i * 3 + (i >= 8 ? 1 : 0);
}

/** Column of the text form of byte `i` of a row. */
function textColumn(i: number): number {
  return hexColumn(ROW) + 2 + i;
}

function dumpRow(bytes: Uint8Array, start: number, style: Style, mark: number): string {
  let hexPart = '';
  let textPart = '';
  for (let i = 0; i < ROW; i++) {
    const byte = bytes[start + i];
    const cell = byte === undefined ? '  ' : byte.toString(16).padStart(2, '0');
    const ch = byte === undefined ? ' ' : byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
    hexPart += (i === 8 ? '  ' : i === 0 ? '' : ' ') + (i === mark ? style.red(style.bold(cell)) : cell);
    textPart += i === mark ? style.red(style.bold(ch)) : ch;
  }
  return `${style.dim(start.toString(16).padStart(8, '0'))}  ${hexPart}  |${textPart}|`;
}

function caretLine(i: number, style: Style): string {
  const hexAt = i < ROW ? hexColumn(i) : hexColumn(ROW - 1) + 3;
  const textAt = textColumn(Math.min(i, ROW));
  return style.red(' '.repeat(hexAt) + '^^' + ' '.repeat(textAt - hexAt - 2) + '^');
}
