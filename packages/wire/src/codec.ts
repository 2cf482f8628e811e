import type { LimitName } from './errors.js';
import type { Limits } from './limits.js';
import type { Header } from './message.js';
import type { DecodeOptions } from './options.js';
import type { Value } from './value.js';

/**
 * One value format, as upper layers see it: pick it by name (or media type), encode and decode
 * whole values, and frame values on a byte stream for messages (spec/wire.md §6).
 */
export interface Codec {
  /** The registry name: `'tnetstring'`, `'sexpr'` or `'msgpack'`. */
  readonly name: CodecName;
  /** The media type announced for it, for example `application/x-tnetstring`. */
  readonly mediaType: string;
  /** Encodes one value as a standalone document. Throws {@link UnencodableError}. */
  encode(value: Value): Uint8Array;
  /** Decodes one standalone document that fills all of `bytes`. Throws only {@link WireError}s. */
  decode(bytes: Uint8Array, options?: DecodeOptions): Value;
  /** How values travel back to back on a byte stream. */
  readonly framing: Framing;
  /**
   * A form of its own for message HEADERs (spec/wire.md §6.6), used by {@link encodeMessage} and
   * {@link MessageDecoder}; absent, a HEADER is written and read as a dict.
   */
  readonly header?: HeaderForm;
}

/**
 * How a codec writes a message's HEADER as some value other than a dict, and reads it back
 * (spec/wire.md §6.6): with s-expressions, an rpc request HEADER `{verb: "GET", path: "/q"}`
 * can travel as the call form `(GET "/q")`. Build one by spreading a codec:
 * `{ ...codecs.sexpr, header: myForm }`.
 */
export interface HeaderForm {
  /** The value written in the HEADER frame for `header` (the dict itself when it has no other form). */
  write(header: Header): Value;
  /**
   * The HEADER a decoded HEADER frame stands for, shaped by `options` (`objects`: a plain object,
   * else a `Map`). A dict should pass through unchanged; anything it returns that is not a dict
   * is a `ProtocolError`. It may throw only {@link WireError}s (offsets count from the frame).
   */
  read(value: Value, options: DecodeOptions): Value;
}

/** The names of the built-in codecs. */
export type CodecName = 'tnetstring' | 'sexpr' | 'msgpack';

/**
 * How a codec puts values on a byte stream, one frame per value, back to back: for
 * tnetstrings and msgpack a frame is just the encoded value; for s-expressions it is a
 * netstring `LEN:TEXT,` around the text. {@link MessageDecoder} is built on this.
 */
export interface Framing {
  /** Encodes `values` as consecutive frames in one new buffer. */
  encode(values: readonly Value[]): Uint8Array;
  /** A new {@link FrameScanner}; it checks nesting and counts against `limits` where it can. */
  scanner(limits: Limits): FrameScanner;
  /**
   * Decodes one whole frame, exactly the bytes a scanner delimited. Error offsets count from
   * the frame's first byte.
   */
  decode(frame: Uint8Array, limits: Limits, options: DecodeOptions): Value;
  /** The frame of byte string `bytes` as the bytes before and after it: prefix + bytes + suffix equals encode([bytes]).
   *  Lets a caller send a large body by reference instead of copying it. Absent where a codec has no byte strings (sexpr). */
  bytesFrame?(bytes: Uint8Array): readonly [prefix: Uint8Array, suffix: Uint8Array];
}

/**
 * Finds where one frame ends, fed in pieces of any size, one byte included. It holds a small
 * fixed amount of state, never the bytes themselves, and refuses a frame past its size limit
 * as soon as the frame's size (or a lower bound of it) is known.
 */
export interface FrameScanner {
  /** Starts a new frame, which may take at most `maxBytes` bytes (else a `limitName` {@link LimitError}). */
  reset(maxBytes: number, limitName: LimitName): void;
  /**
   * Continues the frame with `bytes[from, end)`. Returns the index just past the frame's last
   * byte if it ends in that range, or -1 if it continues. Throws {@link MalformedError} or
   * {@link LimitError}, with offsets counted from the frame's first byte.
   */
  feed(bytes: Uint8Array, from: number, end: number): number;
  /** The frame's whole size once known, else -1 (a length prefix tells it early; msgpack only at the end). */
  readonly size: number;
}
