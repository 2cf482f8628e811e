/**
 * Netstring frames, `LEN ':' PAYLOAD ','` (spec/wire.md §3.10): how s-expression messages are
 * delimited on a byte stream. The length comes first, so a reader knows a message's size, and
 * can refuse it, before it reads a byte of it.
 */
import { LimitError, MalformedError, TruncatedError, UnencodableError } from './errors.js';
import { prefixSize, readLengthPrefix, writeLengthPrefix } from './length-prefix.js';
import { DEFAULT_LIMITS } from './limits.js';
import { utf8Length, writeUtf8 } from './utf8.js';

const COMMA = 0x2c;

/** The largest payload a frame can carry: LEN has at most 9 digits. */
export const MAX_PAYLOAD_BYTES = 999_999_999;

/** Options of {@link decodeFrame}. */
export interface DecodeFrameOptions {
  /** Largest payload accepted, in bytes. Default `DEFAULT_LIMITS.maxMessageBytes` (16 MiB). */
  maxBytes?: number;
}

/** The frame `LEN:payload,` around `payload`: one allocation, one copy. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const length = payload.length;
  if (length > MAX_PAYLOAD_BYTES) {
    throw new UnencodableError(`payload of ${length} bytes exceeds the ${MAX_PAYLOAD_BYTES} a frame can carry`, '$');
  }
  const start = prefixSize(length);
  const frame = new Uint8Array(start + length + 1);
  writeLengthPrefix(frame, 0, length);
  frame.set(payload, start);
  frame[start + length] = COMMA;
  return frame;
}

/**
 * The frame around the UTF-8 encoding of `text`, encoded in place: one allocation, no copy.
 *
 * @throws {UnencodableError} if `text` holds a lone surrogate (it has no UTF-8 form), or its
 *   UTF-8 form is longer than {@link MAX_PAYLOAD_BYTES}.
 */
export function encodeFrameText(text: string): Uint8Array {
  const length = utf8Length(text);
  if (length < 0) throw new UnencodableError('text has a lone surrogate: it has no UTF-8 form', '$');
  if (length > MAX_PAYLOAD_BYTES) {
    throw new UnencodableError(`payload of ${length} bytes exceeds the ${MAX_PAYLOAD_BYTES} a frame can carry`, '$');
  }
  const start = prefixSize(length);
  const frame = new Uint8Array(start + length + 1);
  writeLengthPrefix(frame, 0, length);
  writeUtf8(text, frame, start, length);
  frame[start + length] = COMMA;
  return frame;
}

/**
 * Reads the frame at the start of `bytes`. The payload is a view into `bytes` (no copy); `rest`
 * is everything after the frame's `,`.
 *
 * Checks run in this order, each as soon as its bytes are present: the prefix's grammar
 * ({@link MalformedError}), LEN against `maxBytes` ({@link LimitError}, before waiting for the
 * payload), the input holding the whole frame ({@link TruncatedError}), and the `,` after the
 * payload ({@link MalformedError}).
 *
 * @throws {TruncatedError} when `bytes` ends inside the frame (including inside the prefix).
 */
export function decodeFrame(bytes: Uint8Array, options?: DecodeFrameOptions): { payload: Uint8Array; rest: Uint8Array } {
  const maxBytes = options?.maxBytes ?? DEFAULT_LIMITS.maxMessageBytes;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`maxBytes must be a non-negative safe integer, got ${String(maxBytes)}`);
  }
  const length = readLengthPrefix(bytes, 0);
  if (length < 0) throw new TruncatedError('a netstring frame', 0);
  if (length > maxBytes) throw new LimitError('maxMessageBytes', maxBytes, length, 0);
  const start = prefixSize(length);
  const end = start + length;
  if (bytes.length <= end) throw new TruncatedError('a netstring frame', 0);
  if (bytes[end] !== COMMA) throw new MalformedError('expected "," after the payload', { offset: end });
  return { payload: bytes.subarray(start, end), rest: bytes.subarray(end + 1) };
}
