/**
 * `@petrichor/wire`: codecs for tnetstrings, s-expressions and msgpack, and HEADER,BODY
 * messages framed on a byte stream. Runs unchanged in Node and browsers.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
export { Float, Keyword, Sym, isDict, keyword, sym, type Dict, type Value, type ValueObject } from './value.js';
export * as sexpr from './sexpr/index.js';
export * as netstring from './netstring.js';
