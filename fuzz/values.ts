/** Values of the wire data model (spec/wire.md §5), to build valid inputs from. */
import fc from 'fast-check';
import { Float, Keyword, Sym, type Value } from '@petrichor/wire';

/** Which parts of the data model a codec holds. */
export interface Shape {
  bytes?: boolean;
  symbols?: boolean;
  /** Integers past 64 bits (msgpack holds 64). */
  hugeIntegers?: boolean;
  /** Byte-string dict keys (tnetstrings). */
  byteKeys?: boolean;
}

const text = (maxLength: number) => fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength }), fc.string({ unit: 'grapheme', maxLength }));

/** Values of the data model restricted to `shape`: nested, some deeper than the default `maxDepth` (64), some long. */
export function values(shape: Shape): fc.Arbitrary<Value> {
  const leaves: fc.Arbitrary<Value>[] = [
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(-0, 0.1, 1e21, 5e-324, Number.MAX_VALUE),
    fc.integer({ min: -1e6, max: 1e6 }).map((n) => new Float(n)),
    text(16),
    shape.hugeIntegers
      ? fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }).filter((n) => n < -(2n ** 53n) || n > 2n ** 53n)
      : fc.bigInt({ min: 2n ** 53n, max: 2n ** 64n - 1n }),
  ];
  if (shape.bytes) leaves.push(fc.uint8Array({ maxLength: 24 }));
  if (shape.symbols) {
    const name = fc.stringMatching(/^[a-z*+!?<>=/-][a-z0-9*+!?<>=/.-]{0,8}$/).filter((n) => !['true', 'false', 'nil'].includes(n) && !/^[+-]?\.?\d/.test(n));
    leaves.push(name.map((n) => new Sym(n)), name.map((n) => new Keyword(n)));
  }
  const leaf = fc.oneof(...leaves);
  const key: fc.Arbitrary<string | Uint8Array> = shape.byteKeys ? fc.oneof(text(8), fc.uint8Array({ maxLength: 6 })) : text(8);
  const tree = fc.letrec<{ value: Value }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 4, withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 5 }),
      fc
        .uniqueArray(fc.tuple(key, tie('value')), { maxLength: 5, selector: ([k]) => wireKey(k) })
        .map((entries) => new Map<string | Uint8Array, Value>(entries)),
    ),
  })).value;
  return fc.oneof(
    { weight: 8, arbitrary: tree },
    // Nesting around and past maxDepth (64).
    { weight: 1, arbitrary: fc.tuple(tree, fc.integer({ min: 50, max: 80 })).map(([inner, depth]) => nest(inner, depth)) },
    // Long collections.
    { weight: 1, arbitrary: fc.array(leaf, { minLength: 50, maxLength: 400 }) },
  );
}

function nest(value: Value, depth: number): Value {
  let out = value;
  for (let i = 0; i < depth; i++) out = i % 2 === 0 ? [out] : new Map([['k', out]]);
  return out;
}

/** Keys equal on the wire (text and bytes alike) are one key. */
function wireKey(key: string | Uint8Array): string {
  return Buffer.from(typeof key === 'string' ? new TextEncoder().encode(key) : key).toString('latin1');
}
