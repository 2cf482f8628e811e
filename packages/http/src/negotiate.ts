/**
 * `Accept` negotiation (spec/rpc.md §10.3): the body type the client weighs highest, by q-value
 * and then by how specific the range is; ties go to the request's own type, then JSON.
 */
import { MEDIA, type Media } from './media.js';

interface Range {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

/** Types a client may name for one of ours (newline-delimited JSON is JSON's stream form). */
const ALIASES: Readonly<Record<string, string>> = { 'application/x-ndjson': 'application/json' };

/** The ranges of an `Accept` value; a range with a malformed q-value is skipped. */
function parseAccept(accept: string): Range[] {
  const ranges: Range[] = [];
  for (const part of accept.split(',')) {
    const [range = '', ...params] = part.split(';');
    let name = range.trim().toLowerCase();
    name = ALIASES[name] ?? name;
    const slash = name.indexOf('/');
    if (slash <= 0 || slash === name.length - 1) continue;
    let q = 1;
    let ok = true;
    for (const param of params) {
      const [key = '', value = ''] = param.split('=', 2).map((s) => s.trim());
      if (key.toLowerCase() !== 'q') continue;
      if (!/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value)) ok = false;
      else q = Number(value);
    }
    if (ok) ranges.push({ type: name.slice(0, slash), subtype: name.slice(slash + 1), q });
  }
  return ranges;
}

/** The q-value `ranges` give `media`: from the most specific range that matches it; 0 if none. */
function weight(ranges: readonly Range[], media: Media): number {
  const [type, subtype] = media.type.split('/') as [string, string];
  let best = -1;
  let q = 0;
  for (const range of ranges) {
    const specificity = range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' && range.subtype === '*' ? 0 : -1;
    if (specificity > best) {
      best = specificity;
      q = range.q;
    }
  }
  return q;
}

/**
 * The reply's body type for an `Accept` value (undefined or empty: anything), preferring
 * `requestMedia` on a tie; undefined when the client takes none of ours (406).
 */
export function negotiate(accept: string | undefined, requestMedia: Media | undefined): Media | undefined {
  const order = requestMedia === undefined ? MEDIA : [requestMedia, ...MEDIA.filter((m) => m !== requestMedia)];
  if (accept === undefined || accept.trim() === '') return order[0];
  const ranges = parseAccept(accept);
  let chosen: Media | undefined;
  let chosenQ = 0;
  for (const media of order) {
    const q = weight(ranges, media);
    if (q > chosenQ) {
      chosen = media;
      chosenQ = q;
    }
  }
  return chosen;
}
