import type { Codec, CodecName, FrameScanner } from './codec.js';
import { LimitError, ProtocolError, WireError, shiftOffset } from './errors.js';
import { resolveLimits, type Limits } from './limits.js';
import { resolveCodec, type Header, type Message } from './message.js';
import type { DecodeOptions } from './options.js';
import { isDict } from './value.js';

/** Options of {@link MessageDecoder}: the codec, the limits, and how to shape decoded values. */
export interface MessageDecoderOptions extends DecodeOptions {
  /** The codec, or a built-in codec's name. Default `'tnetstring'`. */
  codec?: Codec | CodecName;
}

const NONE: readonly Message[] = Object.freeze([]);
/**
 * A kept piece of a split frame stays a view of its chunk only if the chunk is at most this many
 * times bigger; else it is copied, so a few tail bytes cannot hold a large chunk alive.
 */
const MAX_PIN_RATIO = 8;

/**
 * Reads Petrichor messages from a byte stream (spec/wire.md §6): push chunks of any size as
 * they arrive, one byte at a time included, and get back the messages they complete.
 *
 * - Each frame's size is learned up front (from its `LEN:` prefix, or, for msgpack, by scanning
 *   the structure as it arrives), and a HEADER over `maxHeaderBytes` or a message over
 *   `maxMessageBytes` is refused with {@link LimitError} before it is buffered.
 * - A frame that lies whole inside one chunk is decoded from that chunk, without a copy: byte
 *   strings in the result **alias the chunk**, so do not reuse a chunk's memory after pushing it.
 *   A frame split across chunks is kept as its pieces, with memory that grows with the bytes
 *   received (at most twice them) and is bounded by the limits, and copied once into a buffer
 *   of its own: one copy however many chunks it took.
 * - A HEADER that is not a dict (after the codec's {@link HeaderForm}, if it has one) is a
 *   {@link ProtocolError}. After any error the stream is broken
 *   and every later call throws the same error. Error offsets count from the stream's first byte.
 *
 * It takes the codec object itself, so a bundle holds only the codecs it imports;
 * {@link MessageDecoder} also takes a codec's name.
 */
export class CodecDecoder {
  /** The codec in use. */
  readonly codec: Codec;
  #limits: Limits;
  #options: DecodeOptions;
  #scanner: FrameScanner;
  /** The decoded HEADER whose BODY is awaited, or `undefined` between messages. */
  #header: Header | undefined = undefined;
  #headerSize = 0;
  /** The pieces of a frame that continues in the next chunk, and their total size. */
  #pieces: Uint8Array[] = [];
  #buffered = 0;
  /** The frame's own buffer, once half of a frame of known size is here (see `append`). */
  #gathered: Uint8Array | undefined = undefined;
  /** Stream offsets: of the next byte pushed, and of the current frame's first byte. */
  #offset = 0;
  #frameStart = 0;
  #failure: unknown = undefined;

  constructor(codec: Codec, options: DecodeOptions = {}) {
    this.codec = codec;
    this.#limits = resolveLimits(options.limits);
    this.#options = options;
    this.#scanner = this.codec.framing.scanner(this.#limits);
  }

  /** Bytes held from earlier chunks: the start of a frame not yet complete. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /**
   * Takes the next chunk of the stream; returns the messages it completes, in order (often
   * none: the returned empty array is shared and frozen). Throws {@link WireError}s only.
   */
  push(chunk: Uint8Array): readonly Message[] {
    if (this.#failure !== undefined) throw this.#failure;
    let messages = NONE;
    const n = chunk.length;
    let pos = 0;
    try {
      if (this.#buffered > 0) {
        const end = this.#scanner.feed(chunk, 0, n);
        if (end < 0) {
          this.#append(chunk, 0, n);
          this.#offset += n;
          return NONE;
        }
        this.#append(chunk, 0, end);
        const frame = this.#join();
        messages = this.#frame(frame, messages);
        pos = end;
      }
      while (pos < n) {
        this.#frameStart = this.#offset + pos;
        const { maxHeaderBytes, maxMessageBytes } = this.#limits;
        if (this.#header === undefined) {
          this.#scanner.reset(Math.min(maxHeaderBytes, maxMessageBytes), maxHeaderBytes <= maxMessageBytes ? 'maxHeaderBytes' : 'maxMessageBytes');
        } else {
          this.#scanner.reset(maxMessageBytes - this.#headerSize, 'maxMessageBytes');
        }
        const end = this.#scanner.feed(chunk, pos, n);
        if (end < 0) {
          this.#append(chunk, pos, n);
          break;
        }
        messages = this.#frame(chunk.subarray(pos, end), messages);
        pos = end;
      }
    } catch (error) {
      this.#failure = this.#streamError(error);
      this.#pieces = [];
      this.#buffered = 0;
      this.#gathered = undefined;
      throw this.#failure;
    }
    this.#offset += n;
    return messages;
  }

  /**
   * Declares the end of the stream. Throws {@link ProtocolError} if it stopped inside a
   * message (a partial frame, or a HEADER without its BODY).
   */
  end(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#buffered > 0 || this.#header !== undefined) {
      this.#failure = new ProtocolError(
        this.#buffered > 0 ? 'stream ended inside a frame' : 'stream ended after a HEADER, before its BODY',
        this.#frameStart,
      );
      throw this.#failure;
    }
  }

  /** Decodes one whole frame: a HEADER, or the BODY that completes a message. */
  #frame(frame: Uint8Array, messages: readonly Message[]): readonly Message[] {
    const value = this.codec.framing.decode(frame, this.#limits, this.#options);
    if (this.#header === undefined) {
      const header = this.codec.header === undefined ? value : this.codec.header.read(value, this.#options);
      if (!isDict(header)) throw new ProtocolError('HEADER is not a dict', 0);
      this.#header = header;
      this.#headerSize = frame.length;
      return messages;
    }
    const message: Message = { header: this.#header, body: value };
    this.#header = undefined;
    if (messages === NONE) return [message];
    (messages as Message[]).push(message);
    return messages;
  }

  /**
   * Keeps `bytes[from, to)`, a piece of a frame that continues (the scanner has checked it against
   * the frame's limit): a view, or a copy when its chunk is much larger than it. Once half of a
   * frame of known size is here, the frame gets its buffer and each later piece is copied in as it
   * arrives: a large frame's copy then overlaps the wait for its last bytes instead of following it.
   */
  #append(bytes: Uint8Array, from: number, to: number): void {
    if (to === from) return;
    const piece = bytes.subarray(from, to);
    if (this.#gathered !== undefined) {
      this.#gathered.set(piece, this.#buffered);
      this.#buffered += piece.length;
      return;
    }
    this.#pieces.push(piece.length * MAX_PIN_RATIO >= piece.buffer.byteLength ? piece : piece.slice());
    this.#buffered += piece.length;
    const size = this.#scanner.size;
    if (size > 0 && this.#buffered * 2 >= size) this.#gathered = this.#gather(new Uint8Array(size));
  }

  /** The kept pieces as one frame, in a buffer of its own (decoded values may alias it). */
  #join(): Uint8Array {
    const frame = this.#gathered?.subarray(0, this.#buffered) ?? this.#gather(new Uint8Array(this.#buffered));
    this.#gathered = undefined;
    this.#buffered = 0;
    return frame;
  }

  /** Copies the kept pieces to the start of `into` and lets them go. */
  #gather(into: Uint8Array): Uint8Array {
    let at = 0;
    for (const piece of this.#pieces) {
      into.set(piece, at);
      at += piece.length;
    }
    this.#pieces = [];
    return into;
  }

  /** Moves a frame-relative error to stream offsets; reports a BODY over budget as the message it makes. */
  #streamError(error: unknown): unknown {
    if (error instanceof LimitError && error.limit === 'maxMessageBytes' && this.#header !== undefined) {
      return new LimitError('maxMessageBytes', this.#limits.maxMessageBytes, error.actual + this.#headerSize, this.#frameStart + error.offset);
    }
    return error instanceof WireError ? shiftOffset(error, this.#frameStart) : error;
  }
}

/**
 * A {@link CodecDecoder} that also takes a built-in codec by name (default `'tnetstring'`).
 * A name looks the codec up among all three, so it brings every codec into a bundle.
 */
export class MessageDecoder extends CodecDecoder {
  constructor(options: MessageDecoderOptions = {}) {
    super(resolveCodec(options.codec), options);
  }
}
