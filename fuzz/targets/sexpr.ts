/**
 * sexpr.parse / parseAll on bytes and on text (spec/wire.md §3). Only WireErrors come out; a
 * parsed datum has a canonical text that parses back to the same datum, and is its own fixpoint.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { sexpr, WireError, type Value } from '@petrichor/wire';
import { attempt, invariant, type Target } from '../harness.js';
import { ascii, hostileBytes } from '../mutate.js';
import { values } from '../values.js';

const shape = { symbols: true, hugeIntegers: true };
const valid = fc.oneof(
  values(shape).map((value) => ascii(sexpr.stringify(value))),
  fc.array(values(shape), { minLength: 1, maxLength: 4 }).map((list) => ascii(list.map((v) => sexpr.stringify(v)).join(' ; c\n'))),
);

export const sexprTarget: Target<Uint8Array> = {
  name: 'sexpr',
  about: 'sexpr parse, parseAll on bytes and on text',
  runs: 100_000,
  input: hostileBytes({
    valid,
    tokens: ['(', ')', '{', '}', '"', '\\', '\\u', 'd83d', 'dc00', ';', '\n', '#;', ':', ' ', '1', '-', '.', 'e', '+', 'nil', 'true', 'a', '[', ']', "'", '#t'].map(ascii),
    hostileHeads: ['('.repeat(2000), '"\\u', '#;'.repeat(500), `1${'0'.repeat(5000)}`, `:${'k'.repeat(3000)}`].map(ascii),
  }),
  examples: ['('.repeat(100_000), `"${'a'.repeat(60_000)}`, '#;'.repeat(30_000), `9${'9'.repeat(5000)}`, '(a . b)', ';'].map(ascii),
  size: (input) => input.length,
  check(input) {
    const size = input.length;
    const text = new TextDecoder().decode(input); // U+FFFD for bad UTF-8: the text path sees other input
    for (const [form, source] of [['bytes', input], ['text', text]] as const) {
      const one = attempt(`sexpr.parse(${form})`, WireError, size, () => sexpr.parse(source));
      if (one.ok) canonical(`sexpr.parse(${form})`, one.value);
      const all = attempt(`sexpr.parseAll(${form})`, WireError, size, () => sexpr.parseAll(source));
      if (all.ok) {
        for (const value of all.value) canonical(`sexpr.parseAll(${form})`, value);
        if (one.ok) invariant(all.value.length === 1 && isDeepStrictEqual(all.value[0], one.value), () => 'parse succeeded but parseAll disagrees');
      }
    }
  },
};

function canonical(label: string, value: Value): void {
  const written = sexpr.stringify(value); // an UnencodableError here is a bug: the value came from the parser
  const back = attempt(`${label}: parse(stringify(value))`, WireError, written.length, () => sexpr.parse(written));
  invariant(back.ok && isDeepStrictEqual(back.value, value), () => `${label}: stringify then parse changed the value: ${written.slice(0, 200)}`);
  invariant(sexpr.stringify(back.value) === written, () => `${label}: stringify is not a fixpoint: ${written.slice(0, 200)}`);
}
