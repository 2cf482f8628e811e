import type { ByteStream, ByteStreamSink } from '@petrichor/mux';
import { DEFAULT_LIMITS, tnetstringCodec as tnetstring, type FrameScanner, type Limits, type Message, type Value } from '@petrichor/wire';
import { HandshakeError } from '../errors.js';

/**
 * Bytes that may arrive after the handshake message and before the qmux session starts reading
 * (spec/rpc.md §1.4): a peer that starts its session early (opens, a call) sends a few hundred
 * bytes; more than this is a peer that does not wait for the answer.
 */
export const MAX_EARLY_BYTES = 1024 * 1024;

const DECODE = Object.freeze({ text: true, objects: true });

/**
 * A {@link ByteStream} wrapper that reads the handshake message off the front of a stream, then
 * hands the stream on: {@link read} resolves with the first message (always tnetstring, at most
 * `maxBytes` bytes), and afterwards the wrapper itself is the stream a qmux `Session` runs over,
 * replaying first the bytes that arrived after the message.
 *
 * Every failure (a malformed or oversized message, the end of the stream) rejects `read` with a
 * {@link HandshakeError}; nothing is buffered beyond `maxBytes` before the message ends, nor
 * beyond {@link MAX_EARLY_BYTES} after it.
 */
export class PreambleStream implements ByteStream {
  readonly #inner: ByteStream;
  readonly #limits: Limits;
  readonly #scanner: FrameScanner;
  /** 0: reading the message, 1: done (keeping early bytes), 2: handed to a sink. */
  #phase = 0;
  /** The message's pieces while it arrives; then the early bytes, until a sink takes them. */
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  /** The HEADER frame's size, once it is whole (0 before). */
  #headerBytes = 0;
  /** Set once the inner stream ended: `null` for a clean end, else its error. */
  #ended: Error | null | undefined = undefined;
  #sink: ByteStreamSink | null = null;
  #settle: { resolve(message: Message): void; reject(error: Error): void } | null = null;
  readonly #message: Promise<Message>;
  writev?: (chunks: Uint8Array[]) => void | Promise<void>;
  // The inner stream's addresses, read through (a socket learns them when it connects).
  declare readonly localAddress?: string;
  declare readonly remoteAddress?: string;

  constructor(inner: ByteStream, maxBytes: number) {
    this.#inner = inner;
    this.#limits = { ...DEFAULT_LIMITS, maxMessageBytes: maxBytes, maxHeaderBytes: maxBytes, maxElementBytes: maxBytes };
    this.#scanner = tnetstring.framing.scanner(this.#limits);
    this.#scanner.reset(maxBytes, 'maxHeaderBytes');
    if (inner.writev !== undefined) this.writev = (chunks) => inner.writev!(chunks);
    Object.defineProperties(this, {
      localAddress: { get: () => inner.localAddress, enumerable: true },
      remoteAddress: { get: () => inner.remoteAddress, enumerable: true },
    });
    this.#message = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    this.#message.catch(ignore); // read() may be called a little later; its caller sees the error
    // Reading starts now; the session that takes over later gets what it missed.
    inner.start({ data: (chunk) => this.#data(chunk), end: (error) => this.#end(error) });
  }

  /** The handshake message: HEADER (a dict) and BODY, decoded as text and plain objects. */
  read(): Promise<Message> {
    return this.#message;
  }

  /** True once the stream under it has ended or failed. */
  get streamEnded(): boolean {
    return this.#ended !== undefined;
  }

  // ---- ByteStream, for the session that runs after the handshake ----

  start(sink: ByteStreamSink): void {
    if (this.#sink !== null) throw new Error('PreambleStream: start() called twice');
    this.#sink = sink;
    this.#phase = 2;
    const early = this.#held;
    this.#held = [];
    for (const chunk of early) sink.data(chunk);
    if (this.#ended !== undefined) sink.end(this.#ended ?? undefined);
  }

  write(chunk: Uint8Array): void | Promise<void> {
    return this.#inner.write(chunk);
  }

  close(): void {
    this.#inner.close();
  }

  // ---- the inner stream's sink ----

  #data(chunk: Uint8Array): void {
    if (this.#phase === 2) return this.#sink!.data(chunk);
    let pos = 0;
    try {
      while (this.#phase === 0 && pos < chunk.length) {
        const end = this.#scanner.feed(chunk, pos, chunk.length);
        this.#hold(chunk.subarray(pos, end < 0 ? chunk.length : end));
        if (end < 0) return;
        pos = end;
        if (this.#headerBytes === 0) {
          this.#headerBytes = this.#heldBytes;
          this.#scanner.reset(this.#limits.maxMessageBytes - this.#headerBytes, 'maxMessageBytes');
        } else {
          this.#done();
        }
      }
    } catch (error) {
      const why = error instanceof HandshakeError ? error : new HandshakeError(`malformed handshake: ${(error as Error).message}`, { cause: error });
      return this.#fail(why);
    }
    if (pos < chunk.length) this.#keep(chunk.subarray(pos));
  }

  #hold(piece: Uint8Array): void {
    this.#held.push(piece);
    this.#heldBytes += piece.length;
  }

  /** The BODY frame is whole: decode the message; what arrives from here on is kept for the session. */
  #done(): void {
    const bytes = join(this.#held, this.#heldBytes);
    this.#phase = 1;
    this.#held = [];
    this.#heldBytes = 0;
    const header = tnetstring.framing.decode(bytes.subarray(0, this.#headerBytes), this.#limits, DECODE);
    const body: Value = tnetstring.framing.decode(bytes.subarray(this.#headerBytes), this.#limits, DECODE);
    if (header === null || typeof header !== 'object' || Array.isArray(header) || header instanceof Uint8Array) {
      throw new HandshakeError('the handshake HEADER is not a dict');
    }
    this.#settle?.resolve({ header: header as Message['header'], body });
    this.#settle = null;
  }

  #keep(chunk: Uint8Array): void {
    if (this.#ended !== undefined) return;
    this.#hold(chunk);
    if (this.#heldBytes > MAX_EARLY_BYTES) {
      this.#inner.close();
      this.#ended = new HandshakeError(`more than ${MAX_EARLY_BYTES} bytes arrived before the session started`);
      this.#held = [];
    }
  }

  #end(error: Error | undefined): void {
    if (this.#ended !== undefined) return; // told already (or we ended it: too many early bytes)
    this.#ended = error ?? null;
    if (this.#phase === 2) return this.#sink!.end(error);
    if (this.#phase === 0) {
      const why = error === undefined ? 'the stream ended' : `the stream failed: ${error.message}`;
      this.#fail(new HandshakeError(`${why} during the handshake`, { cause: error }));
    }
  }

  #fail(error: HandshakeError): void {
    this.#phase = 1;
    this.#held = [];
    this.#heldBytes = 0;
    this.#settle?.reject(error);
    this.#settle = null;
  }
}

function join(pieces: Uint8Array[], size: number): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

function ignore(): void {}
