import { ProtocolError } from '../errors.js';
import { readFixed } from './fixed.js';
import { DATA_HEADER_SIZE, MSG_DATA, headerSize, type Message } from './message.js';
import { readUint32, UINT32_MAX } from './uint32.js';

/** Longest fixed part of any message (OPEN_CONFIRM). */
const MAX_HEADER = 17;

/** Where a {@link FrameDecoder} delivers messages. */
export interface FrameHandler {
  /** A complete message (DATA too, unless it is streamed through the two optional methods). */
  message(message: Message): void;
  /**
   * Optional. A DATA whose payload spans chunks is streamed instead of joined: `dataStart` gets
   * its header (the length already checked against the max packet) before any payload byte,
   * then `dataPiece` each piece as it arrives, in order, the pieces adding up to `length`.
   */
  dataStart?(recipientId: number, length: number): void;
  dataPiece?(piece: Uint8Array): void;
}

/**
 * An incremental qmux decoder (spec/qmux.md §1–§2): feed it the byte stream in chunks of any size
 * and it calls back once per complete message.
 *
 * - An unknown type byte is rejected as soon as it is seen.
 * - A DATA length is checked against `maxPacketSize` as soon as its 9-byte header is complete,
 *   before anything is buffered for the payload.
 * - A payload that lies within one chunk is passed on as a view of that chunk (no copy). One
 *   split across chunks is streamed piece by piece, as views too, when the handler asks for it
 *   ({@link FrameHandler.dataStart}); otherwise the pieces are kept by reference and joined once
 *   complete. Views keep their chunk alive: whoever holds on to one decides whether to copy it. Nothing is allocated for bytes not yet received.
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
  /** Inside a split DATA payload: its recipient, length and bytes received so far. */
  #inPayload = false;
  #dataRecipient = 0;
  #dataLength = 0;
  #dataHave = 0;
  /** The pieces received so far when joining (the handler does not stream). */
  #pieces: Uint8Array[] = [];
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
    return this.#headLength === 0 && !this.#inPayload;
  }

  /** Stream offset of the first byte of the message being decoded (or last decoded). */
  get messageOffset(): number {
    return this.#start;
  }

  /** Bytes of the incomplete message received so far (0 when {@link idle}). */
  get buffered(): number {
    return this.#inPayload ? DATA_HEADER_SIZE + this.#dataHave : this.#headLength;
  }

  /**
   * Decodes every message completed by `chunk`, in order, calling `handler` (or the function
   * `emit`, which receives whole messages). The handler may throw; the error propagates out of
   * `push`. The decoder may keep references into `chunk`: the caller must not reuse its memory.
   */
  push(chunk: Uint8Array, handler: FrameHandler | ((message: Message) => void)): void {
    const to: FrameHandler = typeof handler === 'function' ? { message: handler } : handler;
    const end = chunk.length;
    let i = 0;
    try {
      while (i < end) {
        if (this.#inPayload) {
          i = this.#continuePayload(chunk, i, to);
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
        if (head[at] === MSG_DATA) i = this.#startPayload(head, at, chunk, i, to);
        else to.message(readFixed(head, at));
      }
    } finally {
      this.#base += end;
    }
  }

  #startPayload(head: Uint8Array, at: number, chunk: Uint8Array, i: number, to: FrameHandler): number {
    const recipientId = readUint32(head, at + 1);
    const length = readUint32(head, at + 5);
    if (length > this.#maxPacketSize) {
      throw new ProtocolError(`DATA of ${length} bytes exceeds the max packet of ${this.#maxPacketSize}`, this.#start);
    }
    if (chunk.length - i >= length) {
      to.message({ type: MSG_DATA, recipientId, data: chunk.subarray(i, i + length) });
      return i + length;
    }
    this.#inPayload = true;
    this.#dataRecipient = recipientId;
    this.#dataLength = length;
    this.#dataHave = 0;
    if (to.dataStart !== undefined) to.dataStart(recipientId, length);
    return this.#continuePayload(chunk, i, to);
  }

  #continuePayload(chunk: Uint8Array, i: number, to: FrameHandler): number {
    const take = Math.min(this.#dataLength - this.#dataHave, chunk.length - i);
    const done = this.#dataHave + take === this.#dataLength;
    if (take > 0) {
      if (to.dataPiece !== undefined) to.dataPiece(chunk.subarray(i, i + take));
      else this.#pieces.push(chunk.subarray(i, i + take)); // copied when joined
    }
    this.#dataHave += take;
    if (!done) return i + take;
    this.#inPayload = false;
    if (to.dataPiece === undefined) {
      const data = new Uint8Array(this.#dataLength);
      let offset = 0;
      for (const piece of this.#pieces) {
        data.set(piece, offset);
        offset += piece.length;
      }
      this.#pieces = [];
      to.message({ type: MSG_DATA, recipientId: this.#dataRecipient, data });
    }
    return i + take;
  }
}

/**
 * Decodes a whole buffer of back-to-back messages (for tools and tests). Throws
 * {@link ProtocolError} on a bad message or when `bytes` ends inside one.
 */
export function decodeFrames(bytes: Uint8Array, maxPacketSize: number = UINT32_MAX): Message[] {
  const decoder = new FrameDecoder(maxPacketSize);
  const messages: Message[] = [];
  decoder.push(bytes, (message) => void messages.push(message));
  if (!decoder.idle) throw new ProtocolError('input ended inside a message', bytes.length - decoder.buffered);
  return messages;
}

