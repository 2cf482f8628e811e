import { ProtocolError } from '../errors.js';
import { readFixed } from './fixed.js';
import { DATA_HEADER_SIZE, MSG_DATA, headerSize, type DataMessage, type Message } from './message.js';
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
 * A handler that takes DATA without a message object (what a Session gives): a payload within one
 * chunk through `data`, a split one piece by piece.
 */
export interface StreamingHandler extends FrameHandler {
  message(message: Exclude<Message, DataMessage>): void;
  data(recipientId: number, payload: Uint8Array): void;
  dataPiece(piece: Uint8Array): void;
}

/**
 * The incremental qmux decoder a Session runs (spec/qmux.md §1–§2), which streams split DATA
 * payloads: {@link FrameDecoder} without the joining of split payloads, so that a client bundle
 * holds none of it. @internal
 */
export class StreamDecoder {
  readonly #maxPacketSize: number;
  /** A fixed part split across chunks is gathered here. */
  readonly #head = new Uint8Array(MAX_HEADER);
  #headLength = 0;
  #headNeeded = 0;
  /** Inside a split DATA payload: its length and bytes received so far. */
  #inPayload = false;
  #dataLength = 0;
  #dataHave = 0;
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
   * Decodes every message completed by `chunk`, in order, calling `to`. The handler may throw;
   * the error propagates out of `push`. The decoder may keep references into `chunk`: the caller
   * must not reuse its memory.
   */
  push(chunk: Uint8Array, to: StreamingHandler): void {
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

  #startPayload(head: Uint8Array, at: number, chunk: Uint8Array, i: number, to: StreamingHandler): number {
    const recipientId = readUint32(head, at + 1);
    const length = readUint32(head, at + 5);
    if (length > this.#maxPacketSize) {
      throw new ProtocolError(`DATA of ${length} bytes exceeds the max packet of ${this.#maxPacketSize}`, this.#start);
    }
    if (chunk.length - i >= length) {
      to.data(recipientId, chunk.subarray(i, i + length));
      return i + length;
    }
    this.#inPayload = true;
    this.#dataLength = length;
    this.#dataHave = 0;
    if (to.dataStart !== undefined) to.dataStart(recipientId, length);
    return this.#continuePayload(chunk, i, to);
  }

  #continuePayload(chunk: Uint8Array, i: number, to: StreamingHandler): number {
    const take = Math.min(this.#dataLength - this.#dataHave, chunk.length - i);
    const done = this.#dataHave + take === this.#dataLength;
    if (take > 0) to.dataPiece(chunk.subarray(i, i + take));
    this.#dataHave += take;
    if (done) this.#inPayload = false;
    return i + take;
  }
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
export class FrameDecoder extends StreamDecoder {
  /** Joining a split DATA for a handler that does not stream: its recipient, length, pieces. */
  #joinRecipient = 0;
  #joinLength = 0;
  #pieces: Uint8Array[] = [];
  #received = 0;

  /**
   * Decodes every message completed by `chunk`, in order, calling `handler` (or the function
   * `emit`, which receives whole messages). The handler may throw; the error propagates out of
   * `push`. The decoder may keep references into `chunk`: the caller must not reuse its memory.
   */
  override push(chunk: Uint8Array, handler: FrameHandler | ((message: Message) => void)): void {
    const to: FrameHandler = typeof handler === 'function' ? { message: handler } : handler;
    super.push(chunk, {
      message: (message) => to.message(message),
      data: (recipientId, data) => to.message({ type: MSG_DATA, recipientId, data }),
      dataStart: (recipientId, length) => {
        to.dataStart?.(recipientId, length);
        this.#joinRecipient = recipientId;
        this.#joinLength = length;
      },
      dataPiece: (piece) => {
        if (to.dataPiece !== undefined) return to.dataPiece(piece); // the handler streams them itself
        this.#pieces.push(piece); // kept by reference, copied once when complete
        this.#received += piece.length;
        if (this.#received < this.#joinLength) return;
        const data = new Uint8Array(this.#joinLength);
        let offset = 0;
        for (const each of this.#pieces) {
          data.set(each, offset);
          offset += each.length;
        }
        this.#pieces = [];
        this.#received = 0;
        to.message({ type: MSG_DATA, recipientId: this.#joinRecipient, data });
      },
    });
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

