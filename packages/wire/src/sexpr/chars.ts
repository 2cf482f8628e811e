/**
 * Character classes of the s-expression grammar (spec/wire.md §3.1). Everything outside a string
 * or a comment is ASCII, so one 128-entry table classifies every byte the tokenizer looks at.
 */

/** May start an identifier: a letter or one of `_ ~ ! ? * + - / < > = & % $ ^ .`. */
export const IDENT_START = 1;
/** May continue an identifier: the start set plus digits, `:` and `#`. */
export const IDENT_CONT = 2;
/**
 * Ends a token: whitespace, `(` `)` `{` `}` `"` `;`, and the unsupported extension characters
 * `[` `]` `,` `'`, so that the error names them instead of calling them part of a symbol.
 */
export const DELIMITER = 4;

/** A decimal digit. */
export const DIGIT = 8;

/** Class bits of each ASCII code; 0 for anything that may not appear outside strings and comments. */
export const CLASS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  const mark = (chars: string, bits: number): void => {
    for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)]! |= bits;
  };
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  mark(letters + '_~!?*+-/<>=&%$^.', IDENT_START | IDENT_CONT);
  mark('0123456789:#', IDENT_CONT);
  mark('0123456789', DIGIT);
  mark(' \t\n\r(){}";[],\'', DELIMITER);
  return table;
})();

/** An identifier as a whole (a symbol's name, a keyword's name after the colon). */
export const IDENTIFIER = /^[A-Za-z_~!?*+\-/<>=&%$^.][A-Za-z0-9_~!?*+\-/<>=&%$^.:#]*$/;

/**
 * A name that starts like a number: a digit, or `+` `-` `.` then a digit, or `+.` `-.` then a
 * digit. The reader treats such a token as a number (or an error), never as a symbol.
 */
export const NUMBER_LIKE = /^(?:[0-9]|[+\-.][0-9]|[+-]\.[0-9])/;

/** Words that read as `true`, `false` and `nil`, never as symbols. */
export const RESERVED: ReadonlySet<string> = new Set(['true', 'false', 'nil']);

/** The largest number of digits an integer may have (spec/wire.md §3.3). */
export const MAX_INTEGER_DIGITS = 4300;

/** `"x"` for printable ASCII, else `U+XXXX`: how error messages name a character. */
export function describeChar(code: number): string {
  if (code > 0x20 && code < 0x7f) return code === 0x22 ? `'"'` : `"${String.fromCharCode(code)}"`;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * True when `s` is an identifier as a whole (as {@link IDENTIFIER} tests): a loop over the class
 * table, cheaper than a regex call for the short names of map keys, symbols and keywords.
 */
export function isIdentifier(s: string): boolean {
  const n = s.length;
  let c = n > 0 ? s.charCodeAt(0) : 0x80;
  if (c >= 0x80 || (CLASS[c]! & IDENT_START) === 0) return false;
  for (let i = 1; i < n; i++) {
    c = s.charCodeAt(i);
    if (c >= 0x80 || (CLASS[c]! & IDENT_CONT) === 0) return false;
  }
  return true;
}
