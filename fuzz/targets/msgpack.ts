/**
 * msgpack through the wire codec (spec/wire.md §4): `codecs.msgpack.decode` and the `msgpack`
 * namespace's decode / decodeFirst / decodeAll × 8 option combos. Only WireErrors come out; a
 * decoded value's encoding is a fixpoint (decode → encode → decode → encode gives the same bytes).
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { codecs, msgpack, WireError, type DecodeOptions, type Value } from '@petrichor/wire';
import { attempt, hex, invariant, sameBytes, type Target } from '../harness.js';
import { hostileBytes, type LengthField } from '../mutate.js';
import { values } from '../values.js';
import { OPTION_COMBOS } from './tnetstring.js';

const shape = { bytes: true };
const valid = fc.oneof(
  values(shape).map((value) => msgpack.encode(value)),
  fc.array(values(shape), { minLength: 1, maxLength: 4 }).map((list) => msgpack.encodeAll(list)),
);

/** Type bytes followed by a length or count, and the field's width (spec/wire.md §4.1). */
const LENGTH_WIDTH = new Map<number, 1 | 2 | 4>([
  [0xc4, 1], [0xc5, 2], [0xc6, 4], // bin
  [0xd9, 1], [0xda, 2], [0xdb, 4], // str
  [0xdc, 2], [0xdd, 4], // array
  [0xde, 2], [0xdf, 4], // map
  [0xc7, 1], [0xc8, 2], [0xc9, 4], // ext (outside the profile)
]);

function lengthFields(bytes: Uint8Array): LengthField[] {
  const fields: LengthField[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const width = LENGTH_WIDTH.get(bytes[i]!);
    if (width !== undefined) fields.push({ at: i + 1, width });
  }
  return fields;
}

const heads = ['c6ffffffff', 'c63b9ac9ff', 'dbffffffff', 'db3b9ac9ff', 'ddffffffff', 'dfffffffff', 'dcffff', 'deffff', 'c9ffffffff01', 'dd3b9ac9ff'];

export const msgpackTarget: Target<Uint8Array> = {
  name: 'msgpack',
  about: 'msgpack decode (codec and namespace), decodeFirst, decodeAll × 8 option combos',
  runs: 40_000,
  input: hostileBytes({
    valid,
    lengthFields,
    tokens: [...LENGTH_WIDTH.keys(), 0x90, 0x80, 0xa0, 0xc0, 0xc2, 0xc3, 0xcb, 0xcf, 0xd3, 0xca, 0xff, 0x00, 0x7f].map((b) => Uint8Array.of(b)),
    hostileHeads: heads.map((h) => new Uint8Array(Buffer.from(h, 'hex'))),
  }),
  examples: [...heads, 'c63b9ac9ff616263', '91c63b9ac9ff', '81a161dbffffffff'].map((h) => new Uint8Array(Buffer.from(h, 'hex'))),
  size: (input) => input.length,
  check(input) {
    const size = input.length;
    const viaCodec = attempt('codecs.msgpack.decode(input)', WireError, size, () => codecs.msgpack.decode(input));
    for (const options of OPTION_COMBOS) {
      const label = `msgpack.decode(input, ${JSON.stringify(options)})`;
      const whole = attempt(label, WireError, size, () => msgpack.decode(input, options));
      if (options.objects === undefined && options.plainFloats === undefined) {
        invariant(whole.ok === viaCodec.ok && (!whole.ok || isDeepStrictEqual(whole.value, (viaCodec as { value: Value }).value)), () => `codecs.msgpack.decode and msgpack.decode disagree on ${hex(input)}`);
      }
      if (whole.ok) fixpoint(label, whole.value, options);

      const first = attempt(`msgpack.decodeFirst(input, ${JSON.stringify(options)})`, WireError, size, () => msgpack.decodeFirst(input, options));
      if (first.ok) {
        const { value, rest } = first.value;
        invariant(rest.length < input.length && sameBytes(rest, input.subarray(input.length - rest.length)), () => `decodeFirst: rest is not the input's tail (${hex(input)})`);
        const again = attempt('msgpack.decode(first value)', WireError, size, () => msgpack.decode(input.subarray(0, input.length - rest.length), options));
        invariant(again.ok && isDeepStrictEqual(again.value, value), () => `decodeFirst and decode disagree on the first value of ${hex(input)}`);
      }

      const all = attempt(`msgpack.decodeAll(input, ${JSON.stringify(options)})`, WireError, size, () => msgpack.decodeAll(input, options));
      if (all.ok && whole.ok) invariant(all.value.length === 1, () => `decode read one value but decodeAll read ${all.value.length} from ${hex(input)}`);
    }
  },
};

/** One encode normalises what msgpack cannot keep (§4.4); after that, encode ∘ decode is the identity. */
function fixpoint(label: string, value: Value, options: DecodeOptions): void {
  const once = msgpack.encode(value); // an UnencodableError here is a bug: the value came from the decoder
  const back = attempt(`${label} of its own encoding`, WireError, once.length, () => msgpack.decode(once, options));
  invariant(back.ok, () => `${label}: its own encoding does not decode: ${back.ok ? '' : back.error.message} (${hex(once)})`);
  invariant(sameBytes(msgpack.encode(back.value), once), () => `${label}: encoding is not a fixpoint (${hex(once)})`);
}
