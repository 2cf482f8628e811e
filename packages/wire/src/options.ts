import type { Limits } from './limits.js';

/**
 * Options every decoder in this package takes. With none set, decoding is lossless (see
 * `value.ts`); the three flags trade some of that for everyday JavaScript shapes.
 */
export interface DecodeOptions {
  /** Overrides of {@link DEFAULT_LIMITS}; see {@link Limits}. */
  limits?: Partial<Limits>;
  /**
   * Byte strings as text: a tnetstring `,` decodes to a `string` instead of a `Uint8Array`.
   * Bytes that are not valid UTF-8 raise {@link ConversionError}. Formats with a text type of
   * their own (s-expressions, msgpack) already return strings and ignore this flag.
   */
  text?: boolean;
  /**
   * Dicts as plain objects instead of `Map`s. The objects have `Object.prototype` as prototype
   * and hold every key as an own property, including `__proto__` (prototype pollution is not
   * possible). Keys that look like array indices (`"0"`, `"17"`) come first, as in any
   * JavaScript object. A key that is not UTF-8 text raises {@link ConversionError}.
   */
  objects?: boolean;
  /**
   * Integral floats as plain numbers: `3:1.0^` decodes to `1` instead of `new Float(1)`, so it
   * would re-encode as the integer `1:1#`.
   */
  plainFloats?: boolean;
}

/** The three flags of {@link DecodeOptions} packed in bits, for the hot loops. @internal */
export const TEXT = 1;
/** @internal */
export const OBJECTS = 2;
/** @internal */
export const PLAIN_FLOATS = 4;

/** @internal */
export function flagsOf(options: DecodeOptions | undefined): number {
  if (options === undefined) return 0;
  return (options.text === true ? TEXT : 0) | (options.objects === true ? OBJECTS : 0)
    | (options.plainFloats === true ? PLAIN_FLOATS : 0);
}
