/**
 * The site's data, generated from fixed seeds so every process (and both protocols) sees the same
 * posts, people, listings and events. Each service generates only what it owns; ids are shared.
 */

/** How big the site is. */
export const SIZE = { users: 400, posts: 120, listings: 600, events: 90 } as const;

/** The tags posts, listings and events share. */
export const TAGS = ['rain', 'garden', 'bikes', 'bread', 'jazz', 'tea', 'books', 'maps', 'clay', 'film', 'birds', 'wool'] as const;

/** The currencies viewers pay in, with their rate from euro cents. */
export const RATES: ReadonlyMap<string, number> = new Map([
  ['EUR', 1],
  ['GBP', 0.86],
  ['USD', 1.08],
  ['SEK', 11.4],
]);

/** A small, fast, seeded generator (mulberry32): the same seed gives the same site. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [0, n). */
export function below(next: () => number, n: number): number {
  return Math.floor(next() * n);
}

/** One item of a list. */
export function pick<T>(next: () => number, items: readonly T[]): T {
  return items[below(next, items.length)]!;
}

/** `count` distinct items of a list. */
export function sample<T>(next: () => number, items: readonly T[], count: number): T[] {
  const chosen = new Set<T>();
  while (chosen.size < Math.min(count, items.length)) chosen.add(pick(next, items));
  return [...chosen];
}

/** The id of user `n`. */
export const userId = (n: number): string => `u${n}`;

/** Users the site has deleted: asking for one is a 404 a page must handle. */
export const isDeleted = (n: number): boolean => n % 37 === 13;

/** Listings already sold: asking for one is a 404 a page must handle. */
export const isSold = (n: number): boolean => n % 11 === 5;

/** The number in an id like `u42` (NaN for anything else). */
export function idNumber(id: string, prefix: string): number {
  return id.startsWith(prefix) && /^[0-9]{1,6}$/.test(id.slice(prefix.length)) ? Number(id.slice(prefix.length)) : NaN;
}

/** The id of listing `n`. */
export const listingId = (n: number): string => `l${n}`;

/** The id of event `n`. */
export const eventId = (n: number): string => `e${n}`;

const WORDS = (
  'the rain came early and the garden drank it slowly while we fixed the old bikes in the shed ' +
  'someone baked bread with rye and fennel and the whole street smelled of it for an hour ' +
  'a record of late jazz played through the wall as the tea went cold beside a stack of books ' +
  'we drew maps of the river from memory and argued about where the heron nests in spring'
).split(' ');

/** `count` words of plausible text. */
export function prose(next: () => number, count: number): string {
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(pick(next, WORDS));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

const SYMBOLS: ReadonlyMap<string, string> = new Map([
  ['EUR', '€'],
  ['GBP', '£'],
  ['USD', '$'],
]);

/** A person's name, made of syllables. */
export function personName(next: () => number): string {
  const part = (): string => {
    const word = Array.from({ length: 2 + below(next, 2) }, () => pick(next, SYLLABLES)).join('');
    return word.charAt(0).toUpperCase() + word.slice(1);
  };
  return `${part()} ${part()}`;
}

const SYLLABLES = ['ra', 'lo', 'mi', 'ten', 'sa', 'vor', 'el', 'ka', 'dun', 'ny', 'ph', 'is', 'ore', 'ba', 'lin'];

/** Money in a currency's minor units, as a page prints it. */
export function money(cents: number, currency: string): string {
  const symbol = SYMBOLS.get(currency);
  const amount = `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  return symbol === undefined ? `${amount} ${currency}` : `${symbol}${amount}`;
}

/** `text` safe inside HTML. */
export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
