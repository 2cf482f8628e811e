/**
 * tnetstring.decode / decodeFirst / decodeAll under every option combination (spec/wire.md §2).
 * Only WireErrors come out; a decoded value re-encodes and decodes to the same value; the
 * lossless form reaches its canonical bytes in one step.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { tnetstring, WireError, type DecodeOptions, type Value } from '@petrichor/wire';
import { attempt, hex, invariant, sameBytes, type Target } from '../harness.js';
import { ascii, decimalPrefixes, hostileBytes } from '../mutate.js';
import { values } from '../values.js';

/** Every combination of the three flags (none: lossless). */
export const OPTION_COMBOS: DecodeOptions[] = Array.from({ length: 8 }, (_, bits) => ({
  ...(bits & 1 ? { text: true } : {}),
  ...(bits & 2 ? { objects: true } : {}),
  ...(bits & 4 ? { plainFloats: true } : {}),
}));

const valid = fc.oneof(
  values({ bytes: true, hugeIntegers: true, byteKeys: true }).map((value) => tnetstring.encode(value)),
  fc.array(values({ bytes: true, hugeIntegers: true, byteKeys: true }), { minLength: 1, maxLength: 4 }).map((list) => tnetstring.encodeAll(list)),
);

export const tnetstringTarget: Target<Uint8Array> = {
  name: 'tnetstring',
  about: 'tnetstring decode, decodeFirst, decodeAll × 8 option combos',
  runs: 40_000,
  input: hostileBytes({
    valid,
    lengthFields: decimalPrefixes,
    tokens: ['0:', '1:', '9:', '999999999:', '4294967295:', '~', '!', '#', '^', ',', ']', '}', ';', '4:true', '-', '.', 'e', '1'].map(ascii),
    hostileHeads: ['999999999:', '999999999:,', '4294967295:', '16777217:', '65536:'].map(ascii),
  }),
  examples: ['999999999:', '999999999:abc', '999999999:,', '4294967295:,', '16777217:abc,', '12:999999999:,]', '0:', '0:]', '00:]'].map(ascii),
  size: (input) => input.length,
  check(input) {
    const size = input.length;
    for (const options of OPTION_COMBOS) {
      const label = `tnetstring.decode(input, ${JSON.stringify(options)})`;
      const whole = attempt(label, WireError, size, () => tnetstring.decode(input, options));
      if (whole.ok) reencodes(label, whole.value, options);

      const first = attempt(`tnetstring.decodeFirst(input, ${JSON.stringify(options)})`, WireError, size, () => tnetstring.decodeFirst(input, options));
      if (first.ok) {
        const { value, rest } = first.value;
        invariant(rest.length < input.length && sameBytes(rest, input.subarray(input.length - rest.length)), () => `decodeFirst: rest is not the input's tail (${hex(input)})`);
        const again = attempt('tnetstring.decode(first element)', WireError, size, () => tnetstring.decode(input.subarray(0, input.length - rest.length), options));
        invariant(again.ok && isDeepStrictEqual(again.value, value), () => `decodeFirst and decode disagree on the first element of ${hex(input)}`);
        if (rest.length === 0) invariant(whole.ok, () => `decodeFirst read all of ${hex(input)} but decode failed: ${whole.ok ? '' : whole.error.message}`);
      }

      const all = attempt(`tnetstring.decodeAll(input, ${JSON.stringify(options)})`, WireError, size, () => tnetstring.decodeAll(input, options));
      if (all.ok) {
        const bytes = tnetstring.encodeAll(all.value);
        const back = attempt('tnetstring.decodeAll(encodeAll(values))', WireError, bytes.length, () => tnetstring.decodeAll(bytes, options));
        invariant(back.ok && isDeepStrictEqual(back.value, all.value), () => `decodeAll → encodeAll → decodeAll changed the values of ${hex(input)}`);
      }
    }
  },
};

/** `value` (decoded from the input with `options`) encodes, and decodes back to itself; lossless reaches a fixpoint. */
function reencodes(label: string, value: Value, options: DecodeOptions): void {
  const encoded = tnetstring.encode(value); // an UnencodableError here is a bug: it came from a decoder
  const back = attempt(`${label} of its own encoding`, WireError, encoded.length, () => tnetstring.decode(encoded, options));
  invariant(back.ok && isDeepStrictEqual(back.value, value), () => `${label}: encode then decode changed the value (${hex(encoded)})`);
  invariant(sameBytes(tnetstring.encode(back.value), encoded), () => `${label}: encoding is not a fixpoint (${hex(encoded)})`);
}
