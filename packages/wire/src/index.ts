/**
 * `@petrichor/wire`: codecs for tnetstrings, s-expressions and msgpack, and HEADER,BODY
 * messages framed on a byte stream. Runs unchanged in Node and browsers.
 *
 * @packageDocumentation
 * @module @petrichor/wire
 */

// The data model.
export { Float, Keyword, Sym, isDict, keyword, sym, type Dict, type Value, type ValueObject } from './value.js';

// Errors: every failure is one of these (codes in the README).
export {
  ConversionError,
  LimitError,
  MalformedError,
  ProtocolError,
  TruncatedError,
  UnencodableError,
  WireError,
  type LimitName,
  type Position,
  type WireErrorCode,
} from './errors.js';

// Limits and decode options.
export { DEFAULT_LIMITS, MAX_DEPTH, type Limits } from './limits.js';
export type { DecodeOptions } from './options.js';

// Codecs, one export each (a bundle holds only the ones it imports), by name (all three), and
// messages on a byte stream.
export type { Codec, CodecName, Framing, FrameScanner, HeaderForm } from './codec.js';
export { tnetstringCodec } from './codecs/tnetstring.js';
export { sexprCodec } from './codecs/sexpr.js';
export { msgpackCodec } from './codecs/msgpack.js';
export { codecs, getCodec } from './codecs/index.js';
export { encodeMessage, type Header, type Message } from './message.js';
export { CodecDecoder, MessageDecoder, type MessageDecoderOptions } from './message-decoder.js';

// The formats, one namespace each.
export * as tnetstring from './tnetstring/index.js';
export * as msgpack from './msgpack/index.js';
export * as sexpr from './sexpr/index.js';
export * as netstring from './netstring.js';
