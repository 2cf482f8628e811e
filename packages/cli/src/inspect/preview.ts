import type { Value } from '@petrichor/wire';
import { sexprText } from '../render/sexpr.js';
import { spacedHex, utf8OrUndefined } from '../render/utf8.js';

/** `text` cut to `max` characters, with `…` when cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max) + '…';
}

/**
 * A byte string for a line of output: quoted text when it is UTF-8 without control characters
 * other than TAB, LF and CR, else hex; the first `max` bytes, then how many more.
 */
export function bytesPreview(bytes: Uint8Array, max: number): string {
  const shown = bytes.length > max ? bytes.subarray(0, max) : bytes;
  const more = bytes.length > max ? ` … (${bytes.length - max} more bytes)` : '';
  const text = utf8OrUndefined(shown) ?? (bytes.length > max ? utf8Prefix(shown) : undefined);
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  if (text !== undefined && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return JSON.stringify(text) + more;
  return `<${spacedHex(shown)}>` + more;
}

/** The text of the longest prefix of `bytes` that is valid UTF-8, when only the last character was cut in two. */
function utf8Prefix(bytes: Uint8Array): string | undefined {
  for (let drop = 1; drop <= 3 && drop < bytes.length; drop++) {
    const text = utf8OrUndefined(bytes.subarray(0, bytes.length - drop));
    if (text !== undefined) return text;
  }
  return undefined;
}

/** A value as one line of s-expression text, cut to `max` characters. */
export function valuePreview(value: Value, max: number): string {
  return cut(sexprText(value), max);
}
