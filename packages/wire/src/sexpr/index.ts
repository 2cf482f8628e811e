/**
 * S-expressions (spec/wire.md §3): `parse` and `parseAll` read text or UTF-8 bytes into the
 * lossless data model of `value.ts`; `stringify` writes canonical text.
 *
 * ```ts
 * import { sexpr, sym, keyword } from '@petrichor/wire';
 * sexpr.stringify([sym('err'), keyword('code'), 404, keyword('message'), 'not found']);
 * // '(err :code 404 :message "not found")'
 * ```
 */
export { parse, parseAll, type ParseOptions } from './parse.js';
export { stringify } from './stringify.js';
/** The media type of s-expression text: `application/sexp`. */
export const MEDIA_TYPE = 'application/sexp';
