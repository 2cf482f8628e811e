/**
 * A mesh page's data (examples/mesh): the rendered post page, ~8.5 KB of HTML lines joined by
 * LF with quoted attributes (so its s-expression form has escapes every few dozen characters),
 * and the 50 comments it was rendered from, each a dict with prose of 50 B to 1 KiB, a third of
 * them with quotes, line breaks and non-ASCII text. Seeded: every run measures the same bytes.
 */
import type { Value } from '@petrichor/wire';

const WORDS = (
  'the rain came early and the garden drank it slowly while we fixed the old bikes in the shed ' +
  'someone baked bread with rye and fennel and the whole street smelled of it for an hour ' +
  'a record of late jazz played through the wall as the tea went cold beside a stack of books'
).split(' ');
/** Words a third of the comments use: quotes, a line break, non-ASCII. */
const SPICE = ['"rain"', 'brød', 'café', '雨', 'naïve\nline', 'tea—cold', '😀'];

function generator(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return Math.floor((state / 4_294_967_296) * n);
  };
}

function prose(below: (n: number) => number, bytes: number, spiced: boolean): string {
  const words: string[] = [];
  for (let length = 0; length < bytes; ) {
    const word = spiced && below(8) === 0 ? SPICE[below(SPICE.length)]! : WORDS[below(WORDS.length)]!;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}

function page(): Value {
  const below = generator(17);
  const comments = Array.from({ length: 50 }, (_, i) => ({
    id: `c${i}`,
    author: `u${below(400)}`,
    text: prose(below, 50 + below(970), i % 3 === 0),
    likes: below(90),
    day: 300 + below(60),
  }));
  const lines = [
    '<!doctype html><html><head><title>On rain</title></head><body>',
    '<article><h1>On rain</h1>',
    '<p class="byline">by Rami Lo · day 321 · rain, garden, tea</p>',
  ];
  for (let k = 0; lines.join('\n').length < 8_500; k++) {
    lines.push(k % 4 === 0 ? `<li><b>${prose(below, 10, false)}</b>: ${prose(below, 60, false)}</li>` : `<p class="para">${prose(below, 120, false)}</p>`);
  }
  lines.push('</article></body></html>');
  return { post: 'p17', html: lines.join('\n'), comments };
}

/** The payload: `{ post, html, comments }`. */
export const meshPage: Value = page();
