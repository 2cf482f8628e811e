import type { Channel } from '@petrichor/mux';
import type { Message, MessageDecoder } from '@petrichor/wire';
import type { MessageFormat } from './format.js';

const NONE: readonly Message[] = Object.freeze([]);

/** Told of the bytes read while the first message is incomplete (a session's bounds on unfinished requests). */
export interface FirstMessageWatch {
  /** `bytes` more arrived and no message is whole yet. Throws to refuse: `next()` rejects with it. */
  partial(bytes: number): void;
}

/**
 * Reads one channel's messages: the chunks the channel delivers, through a message decoder. Reads
 * only when asked, so a caller that stops asking stops the sender through the channel's window.
 */
export class MessageReader {
  readonly #channel: Channel;
  #decoder: MessageDecoder | null;
  #messages: readonly Message[] = NONE;
  #next = 0;
  #eof = false;
  /** Told of each chunk until the first message is whole; then null. */
  #watch: FirstMessageWatch | null;

  constructor(channel: Channel, decoder: MessageDecoder, watch: FirstMessageWatch | null = null) {
    this.#channel = channel;
    this.#decoder = decoder;
    this.#watch = watch;
  }

  /**
   * The next message, or null once the peer half-closed (or closed) the channel. Throws the
   * decoder's `WireError` for bytes that are not messages (or a stream cut inside one), and
   * rejects with the channel's mux error when the session ended.
   */
  next(): Promise<Message | null> {
    // Promise chains rather than an async loop: a message read costs one promise from here.
    if (this.#next < this.#messages.length) return Promise.resolve(this.#messages[this.#next++]!);
    if (this.#eof) return Promise.resolve(null);
    // An inline arrow, not a field: a function field costs every reader (one per call) its creation.
    return this.#channel.read().then((chunk) => this.#decode(chunk));
  }

  /**
   * The first message, from `chunk`: bytes its caller already read from the channel (null: the
   * channel's end). A message the chunk completes is returned at once, not as a promise; else the
   * reader reads on, as {@link next} does.
   */
  first(chunk: Uint8Array | null): Message | null | Promise<Message | null> {
    return this.#decode(chunk);
  }

  /** Decodes a chunk the channel gave; reads on while it completes no message. */
  #decode(chunk: Uint8Array | null): Message | null | Promise<Message | null> {
    const decoder = this.#decoder;
    if (decoder === null) return null; // released meanwhile
    if (chunk === null) {
      this.#eof = true;
      decoder.end();
      return null;
    }
    const messages = (this.#messages = decoder.push(chunk));
    // A first message that arrives in one chunk (most do) costs the watch nothing.
    if (this.#watch !== null) {
      if (messages.length === 0) this.#watch.partial(chunk.length);
      else this.#watch = null;
    }
    if (messages.length === 0) return this.next();
    // The message itself, not `next()`'s promise: a promise returned from a reaction costs two more microtasks.
    this.#next = 1;
    return messages[0]!;
  }

  /** Gives the decoder back to `format` for reuse; the reader reads nothing more. */
  release(format: MessageFormat): void {
    const decoder = this.#decoder;
    if (decoder === null) return;
    this.#decoder = null;
    this.#messages = NONE;
    this.#eof = true;
    format.release(decoder);
  }
}
