import { ProtocolError } from '../errors.js';
import { readClose } from './close.js';
import { DATA_HEADER_SIZE, readDataLength } from './data.js';
import { readEof } from './eof.js';
import { MessageType, headerSize, type Message } from './message.js';
import { readOpenConfirm } from './open-confirm.js';
import { readOpenFailure } from './open-failure.js';
import { readOpen } from './open.js';
import { readUint32, UINT32_MAX } from './uint32.js';
import { readWindowAdjust } from './window-adjust.js';

/** Longest fixed part of any message (OPEN_CONFIRM). */
const MAX_HEADER = 17;

/**
 * An incremental qmux decoder (spec/qmux.md §1–§2): feed it the byte stream in chunks of any size
 * and it calls back once per complete message.
 *
 * - An unknown type byte is rejected as soon as it is seen.
 * - A DATA length is checked against `maxPacketSize` as soon as its 9-byte header is complete,
 *   before anything is buffered for the payload.
 * - A payload that lies within one chunk is passed on as a subarray of that chunk (no copy);
 *   one split across chunks is kept as references to the pieces and joined once complete, so
 *   nothing is allocated for bytes that have not arrived.
 *
 * Errors are {@link ProtocolError}s carrying the stream offset of the offending message. After
 * an error the decoder's state is undefined: a session that gets one closes.
 */
export class FrameDecoder {
  readonly #maxPacketSize: number;
  /** A fixed part split across chunks is gathered here. */
  readonly #head = new Uint8Array(MAX_HEADER);
  #headLength = 0;
  #headNeeded = 0;
  /** Pieces of a DATA payload split across chunks; null when not inside one. */
  #pieces: Uint8Array[] | null = null;
  #pieceBytes = 0;
  #dataRecipient = 0;
  #dataLength = 0;
  /** Stream offset of the first byte of `chunk` in the current push. */
  #base = 0;
  /** Stream offset of the message being read. */
  #start = 0;

  /** @param maxPacketSize largest DATA payload accepted (our advertised max packet). */
  constructor(maxPacketSize: number = UINT32_MAX) {
    this.#maxPacketSize = maxPacketSize;
  }

  /** True between messages: the stream may end here without truncating one. */
  get idle(): boolean {
    return this.#headLength === 0 && this.#pieces === null;
  }

  /** Stream offset of the first byte of the message being decoded (or last decoded). */
  get messageOffset(): number {
    return this.#start;
  }

  /** Bytes of the incomplete message received so far (0 when {@link idle}). */
  get buffered(): number {
    return this.#pieces === null ? this.#headLength : DATA_HEADER_SIZE + this.#pieceBytes;
  }

  /**
   * Decodes every message completed by `chunk`, calling `emit` for each in order. `emit` may
   * throw; the error propagates out of `push`. The decoder keeps references into `chunk`.
   */
  push(chunk: Uint8Array, emit: (message: Message) => void): void {
    const end = chunk.length;
    let i = 0;
    try {
      while (i < end) {
        if (this.#pieces !== null) {
          i = this.#continuePayload(chunk, i, emit);
          continue;
        }
        let head: Uint8Array;
        let at: number;
        if (this.#headLength === 0) {
          this.#start = this.#base + i;
          const size = headerSize(chunk[i]!);
          if (size < 0) throw new ProtocolError(`unknown message number ${chunk[i]!}`, this.#start);
          if (end - i < size) {
            this.#head.set(chunk.subarray(i), 0);
            this.#headLength = end - i;
            this.#headNeeded = size;
            return;
          }
          head = chunk;
          at = i;
          i += size;
        } else {
          const take = Math.min(this.#headNeeded - this.#headLength, end - i);
          this.#head.set(chunk.subarray(i, i + take), this.#headLength);
          this.#headLength += take;
          i += take;
          if (this.#headLength < this.#headNeeded) return;
          this.#headLength = 0;
          head = this.#head;
          at = 0;
        }
        if (head[at] === MessageType.Data) i = this.#startPayload(head, at, chunk, i, emit);
        else emit(readFixed(head, at));
      }
    } finally {
      this.#base += end;
    }
  }

  #startPayload(head: Uint8Array, at: number, chunk: Uint8Array, i: number, emit: (message: Message) => void): number {
    const recipientId = readUint32(head, at + 1);
    const length = readDataLength(head, at);
    if (length > this.#maxPacketSize) {
      throw new ProtocolError(`DATA of ${length} bytes exceeds the max packet of ${this.#maxPacketSize}`, this.#start);
    }
    if (chunk.length - i >= length) {
      emit({ type: MessageType.Data, recipientId, data: chunk.subarray(i, i + length) });
      return i + length;
    }
    this.#dataRecipient = recipientId;
    this.#dataLength = length;
    this.#pieces = i < chunk.length ? [chunk.subarray(i)] : [];
    this.#pieceBytes = chunk.length - i;
    return chunk.length;
  }

  #continuePayload(chunk: Uint8Array, i: number, emit: (message: Message) => void): number {
    const pieces = this.#pieces!;
    const take = Math.min(this.#dataLength - this.#pieceBytes, chunk.length - i);
    pieces.push(chunk.subarray(i, i + take));
    this.#pieceBytes += take;
    if (this.#pieceBytes < this.#dataLength) return i + take;
    const data = new Uint8Array(this.#dataLength);
    let offset = 0;
    for (const piece of pieces) {
      data.set(piece, offset);
      offset += piece.length;
    }
    this.#pieces = null;
    this.#pieceBytes = 0;
    emit({ type: MessageType.Data, recipientId: this.#dataRecipient, data });
    return i + take;
  }
}

function readFixed(bytes: Uint8Array, at: number): Message {
  switch (bytes[at]) {
    case MessageType.Open:
      return readOpen(bytes, at);
    case MessageType.OpenConfirm:
      return readOpenConfirm(bytes, at);
    case MessageType.OpenFailure:
      return readOpenFailure(bytes, at);
    case MessageType.WindowAdjust:
      return readWindowAdjust(bytes, at);
    case MessageType.Eof:
      return readEof(bytes, at);
    default:
      return readClose(bytes, at);
  }
}

/**
 * Decodes a whole buffer of back-to-back messages (for tools and tests). Throws
 * {@link ProtocolError} on a bad message or when `bytes` ends inside one.
 */
export function decodeFrames(bytes: Uint8Array, maxPacketSize: number = UINT32_MAX): Message[] {
  const decoder = new FrameDecoder(maxPacketSize);
  const messages: Message[] = [];
  decoder.push(bytes, (message) => messages.push(message));
  if (!decoder.idle) throw new ProtocolError('input ended inside a message', bytes.length - decoder.buffered);
  return messages;
}

