import { netstring, tnetstring } from '@petrichor/wire';
import { headName } from './msgpack.js';
import { isHandshake } from './session.js';
import type { Format } from './report.js';

const COLON = 0x3a;

/** A format chosen from the first bytes, and the reason, said to the user. */
export interface Detected {
  readonly format: Format;
  readonly why: string;
}

/**
 * Guesses the format from the first bytes:
 * - `0x64`–`0x6a`, a qmux message number: qmux (spec/qmux.md §2.8);
 * - 1 to 9 digits then `:`, a length prefix (spec/wire.md §1): a session capture when the first
 *   tnetstring is a handshake HEADER (a dict with a `petrichor` field), s-expression frames when
 *   the first payload opens a list or map, else tnetstrings;
 * - `(`, `{`, `;` or whitespace: s-expression text;
 * - anything else: msgpack.
 * A msgpack value can start with any of these bytes too (fixints 0x30–0x39 and 0x64–0x6a):
 * `--format msgpack` settles it.
 */
export function detect(bytes: Uint8Array): Detected {
  const first = bytes[0]!;
  const hex = `0x${first.toString(16).padStart(2, '0')}`;
  if (first >= 0x64 && first <= 0x6a) return { format: 'qmux', why: `the first byte, ${hex}, is a qmux message number` };
  const prefix = lengthPrefix(bytes);
  if (prefix !== undefined) {
    if (startsHandshake(bytes)) return { format: 'session', why: 'a Petrichor handshake (a dict with a "petrichor" field)' };
    if (opensDatum(bytes)) return { format: 'sexpr', why: `a length prefix "${prefix}" and an s-expression inside` };
    return { format: 'tnetstring', why: `a length prefix "${prefix}"` };
  }
  if (first === 0x28 || first === 0x7b || first === 0x3b || first === 0x20 || first === 0x09 || first === 0x0a || first === 0x0d) {
    return { format: 'sexpr', why: `text starting with ${JSON.stringify(String.fromCharCode(first))}` };
  }
  return { format: 'msgpack', why: `the first byte, ${hex} (${headName(first)}), starts no other format` };
}

/** The `LEN:` at the start of `bytes` as text (1 to 9 digits then a colon), if there is one. */
function lengthPrefix(bytes: Uint8Array): string | undefined {
  let i = 0;
  while (i < bytes.length && i < 10 && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i++;
  if (i === 0 || i === 10 || bytes[i] !== COLON) return undefined;
  return new TextDecoder().decode(bytes.subarray(0, i + 1));
}

/** True when the first tnetstring is a handshake HEADER. */
function startsHandshake(bytes: Uint8Array): boolean {
  try {
    return isHandshake(tnetstring.decodeFirst(bytes).value);
  } catch {
    return false;
  }
}

/** True when the first netstring frame holds text that opens a list or a map. */
function opensDatum(bytes: Uint8Array): boolean {
  let payload: Uint8Array;
  try {
    payload = netstring.decodeFrame(bytes).payload;
  } catch {
    return false;
  }
  for (const byte of payload) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x28 || byte === 0x7b;
  }
  return false;
}

/** True when s-expression input is framed (starts with a length digit) rather than plain text. */
export function isFramed(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0]! >= 0x30 && bytes[0]! <= 0x39;
}
