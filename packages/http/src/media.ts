/**
 * The three body types (spec/rpc.md §10.3): how a request body reads and a reply body writes,
 * whole or as the items of a streamed reply.
 */
import { RpcError, errorBody } from '@petrichor/rpc';
import { LimitError, WireError, codecs, type Codec, type CodecName, type DecodeOptions, type Value } from '@petrichor/wire';
import { fromJson, toJson } from './json.js';

/** One body type. */
export interface Media {
  /** The media type of a request body and of a unary reply. */
  readonly type: string;
  /** The media type of a streamed reply. */
  readonly streamType: string;
  /** The socket codec it stands for (in `ctx.peer.codec`); JSON has none and says `tnetstring`. */
  readonly codec: CodecName;
  /** Reads a whole request body. Throws `RpcError` 400, or 413 past a limit. */
  decode(bytes: Uint8Array, options: DecodeOptions): Value;
  /** A whole reply body. Throws `UnencodableError`. */
  encode(value: Value): Uint8Array;
  /** One item of a streamed reply, framed so a reader can split the stream. */
  item(value: Value): Uint8Array;
  /** The error model `(err …)` / `{ err: … }` as this type writes it. */
  error(error: RpcError): Value;
}

const text = new TextEncoder();
const NEWLINE = 0x0a;

function withNewline(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = NEWLINE;
  return out;
}

/** Wire errors as the call's error: a limit is 413, anything else 400. */
function decodeWith(codec: Codec, bytes: Uint8Array, options: DecodeOptions): Value {
  try {
    return codec.decode(bytes, options);
  } catch (error) {
    if (error instanceof LimitError) throw RpcError.tooLarge(error.message);
    if (error instanceof WireError) throw RpcError.badRequest(error.message);
    throw error;
  }
}

/** `application/json`; streamed replies are newline-delimited JSON, one item a line. */
export const json: Media = Object.freeze({
  type: 'application/json',
  streamType: 'application/x-ndjson',
  codec: 'tnetstring',
  decode: (bytes: Uint8Array, options: DecodeOptions) => fromJson(bytes, options.objects !== false),
  encode: (value: Value) => text.encode(toJson(value)),
  item: (value: Value) => text.encode(`${toJson(value)}\n`),
  error: (error: RpcError) => errorBody(error, codecs.tnetstring),
});

/** `application/sexp`: s-expression text; streamed, one datum a line (the writer escapes newlines). */
export const sexp: Media = Object.freeze({
  type: 'application/sexp',
  streamType: 'application/sexp',
  codec: 'sexpr',
  decode: (bytes: Uint8Array, options: DecodeOptions) => decodeWith(codecs.sexpr, bytes, options),
  encode: (value: Value) => codecs.sexpr.encode(value),
  item: (value: Value) => withNewline(codecs.sexpr.encode(value)),
  error: (error: RpcError) => errorBody(error, codecs.sexpr),
});

/** `application/x-tnetstring`: one tnetstring; streamed, tnetstrings back to back (each says its length). */
export const tnetstring: Media = Object.freeze({
  type: 'application/x-tnetstring',
  streamType: 'application/x-tnetstring',
  codec: 'tnetstring',
  decode: (bytes: Uint8Array, options: DecodeOptions) => decodeWith(codecs.tnetstring, bytes, options),
  encode: (value: Value) => codecs.tnetstring.encode(value),
  item: (value: Value) => codecs.tnetstring.encode(value),
  error: (error: RpcError) => errorBody(error, codecs.tnetstring),
});

/** Every body type, in the order of preference when a client likes them equally. */
export const MEDIA: readonly Media[] = Object.freeze([json, sexp, tnetstring]);

/** The body type of a `Content-Type` value (parameters such as `charset` ignored), or undefined. */
export function mediaOf(contentType: string): Media | undefined {
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return MEDIA.find((media) => media.type === type);
}
