/** The bytes of the tnetstring grammar (spec/wire.md §2.1). */

/** `,` a byte string. */
export const BYTES = 0x2c;
/** `#` an integer. */
export const INTEGER = 0x23;
/** `^` a float. */
export const FLOAT = 0x5e;
/** `!` a boolean. */
export const BOOLEAN = 0x21;
/** `~` null. */
export const NULL = 0x7e;
/** `]` a list. */
export const LIST = 0x5d;
/** `}` a dict. */
export const DICT = 0x7d;

export const ZERO = 0x30;
export const MINUS = 0x2d;
export const PLUS = 0x2b;
export const DOT = 0x2e;
export const LOWER_E = 0x65;
export const UPPER_E = 0x45;

/**
 * Most digits in an integer, sign not counted (spec/wire.md §2.3); the same bound as
 * s-expressions. Converting decimal text to a bigint costs more than linear time in its
 * length; this bound keeps decoding linear in the input.
 */
export const MAX_INTEGER_DIGITS = 4300;
