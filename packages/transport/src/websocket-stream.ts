import type { ByteStream, ByteStreamSink } from '@petrichor/mux';
import { TransportError, WebSocketClosedError } from './errors.js';

/**
 * The part of a WHATWG WebSocket a {@link WebSocketStream} uses. Browsers, Node 22+ and the `ws`
 * package all have it.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: { error?: unknown; message?: string }) => void) | null;
}

/** WebSocket `readyState` values. */
const CLOSING = 2;

/**
 * Chunks larger than this are sent as several messages (views, no copy), so a peer's message
 * size limit never has to exceed it: 1 MiB. WebSocket message boundaries carry no meaning here.
 */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * A {@link ByteStream} over an open WebSocket (spec/transports.md §5): each write is sent as binary
 * messages, and the stream is the concatenation of the binary messages received. A text message
 * breaks that rule: the stream ends with `TRANSPORT_PROTOCOL` and the socket closes with 1003.
 *
 * Back-pressure: `write` returns a promise while `bufferedAmount` is at or over the high-water mark.
 * Browsers have no event for `bufferedAmount` falling, so this class polls it (1 ms, doubling to
 * 16 ms) only while over the mark; the Node subclass is woken by `ws`'s send callbacks instead.
 *
 * Close codes (RFC 6455 §7.4): 1000, 1001 and 1005 end the stream cleanly; every other code, and a
 * connection lost without a close frame (1006), ends it with a {@link WebSocketClosedError}.
 */
export class WebSocketStream implements ByteStream {
  readonly #socket: WebSocketLike;
  protected readonly highWaterMark: number;
  #sink: ByteStreamSink | undefined;
  /** Messages that arrived before start(). */
  #early: Uint8Array[] = [];
  #ended = false;
  #endError: Error | undefined;
  #closing = false;
  /** The error event's detail, kept for the close event that follows it. */
  #errorCause: unknown;
  #room: { promise: Promise<void>; resolve: () => void } | undefined;

  /**
   * @param socket an OPEN WebSocket; from now on this stream owns its event handlers.
   * @param highWaterMark buffered bytes at which writes start to wait.
   * @param binaryType `arraybuffer` in browsers; the Node subclass uses `nodebuffer` (no copy).
   */
  constructor(socket: WebSocketLike, highWaterMark: number, binaryType = 'arraybuffer') {
    this.#socket = socket;
    this.highWaterMark = highWaterMark;
    socket.binaryType = binaryType;
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onerror = (event) => {
      this.#errorCause ??= event.error ?? event.message;
    };
    socket.onclose = (event) => this.#closed(event.code, event.reason);
    if (socket.readyState >= CLOSING) this.#end(new WebSocketClosedError(1006, 'closed before the stream started'));
  }

  start(sink: ByteStreamSink): void {
    if (this.#sink !== undefined) throw new Error('WebSocketStream: start() called twice');
    this.#sink = sink;
    const early = this.#early;
    this.#early = [];
    for (const chunk of early) sink.data(chunk);
    if (this.#ended) sink.end(this.#endError);
    this.started();
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.#ended || this.#closing) return;
    this.#sendAll(chunk);
    return this.#backpressure();
  }

  /** Each chunk goes as its own message(s): joining them would copy large payloads. */
  writev(chunks: Uint8Array[]): void | Promise<void> {
    if (this.#ended || this.#closing) return;
    for (const chunk of chunks) this.#sendAll(chunk);
    return this.#backpressure();
  }

  /** Sends a close frame (1000) after what is buffered; the stream ends cleanly. Idempotent. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#releaseWriter();
    if (this.#socket.readyState < CLOSING) this.#socket.close(1000);
  }

  /**
   * Ends the stream with `error` and closes the socket with `code` (the listener's shutdown
   * deadline, a protocol error). No-op once the stream has ended.
   */
  abort(error: Error, code = 1011, reason = ''): void {
    if (this.#ended) return;
    // Closing first: the sink's reaction to the end (a session calling close()) must not pick the code.
    this.#closing = true;
    if (this.#socket.readyState < CLOSING) this.#socket.close(code, reason);
    this.#end(error);
  }

  #sendAll(chunk: Uint8Array): void {
    if (chunk.byteLength <= MAX_MESSAGE_BYTES) return this.send(chunk);
    for (let at = 0; at < chunk.byteLength; at += MAX_MESSAGE_BYTES) this.send(chunk.subarray(at, at + MAX_MESSAGE_BYTES));
  }

  #backpressure(): void | Promise<void> {
    if (this.#socket.bufferedAmount < this.highWaterMark) return;
    if (this.#room === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#room = { promise, resolve };
      this.watchRoom();
    }
    return this.#room.promise;
  }

  /** Sends one binary message. */
  protected send(chunk: Uint8Array): void {
    this.#socket.send(chunk);
  }

  /** Called once the session has started reading. */
  protected started(): void {}

  /** True while a writer waits for `bufferedAmount` to fall under the mark. */
  protected get waitingForRoom(): boolean {
    return this.#room !== undefined;
  }

  /** Starts watching `bufferedAmount` for a waiting writer: polling, as browsers give no event. */
  protected watchRoom(): void {
    let delay = 1;
    const check = (): void => {
      if (this.#room === undefined) return;
      if (this.#socket.bufferedAmount < this.highWaterMark) return this.#releaseWriter();
      delay = Math.min(delay * 2, 16);
      setTimeout(check, delay);
    };
    setTimeout(check, delay);
  }

  /** Lets a waiting writer go on (room was made, or the stream is over). */
  protected releaseWriter(): void {
    this.#releaseWriter();
  }

  #releaseWriter(): void {
    const room = this.#room;
    this.#room = undefined;
    room?.resolve();
  }

  #receive(data: unknown): void {
    if (this.#ended) return;
    let chunk: Uint8Array;
    if (data instanceof ArrayBuffer) chunk = new Uint8Array(data);
    // A Node Buffer (binaryType 'nodebuffer'): hand on a plain Uint8Array view of it.
    else if (ArrayBuffer.isView(data)) chunk = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else {
      const error = new TransportError(
        'TRANSPORT_PROTOCOL',
        'the peer sent a text WebSocket message: the stream is carried in binary messages only (spec/transports.md §5.1)',
      );
      return this.abort(error, 1003, 'binary messages only');
    }
    if (this.#sink === undefined) this.#early.push(chunk);
    else this.#sink.data(chunk);
  }

  #closed(code: number, reason: string): void {
    if (this.#closing || code === 1000 || code === 1001 || code === 1005) return this.#end(undefined);
    const cause = this.#errorCause;
    // A failure detected here (a message over the limit …) closes with its own code and no reply is read.
    const sent = code === 1006 && cause !== undefined ? this.closeCodeOf(cause) : undefined;
    this.#end(new WebSocketClosedError(sent ?? code, reason, cause === undefined ? undefined : { cause }));
  }

  /** The close code this side sent because of `error`, when the WebSocket library says (Node's `ws`). */
  protected closeCodeOf(_error: unknown): number | undefined {
    return undefined;
  }

  #end(error: Error | undefined): void {
    this.#releaseWriter();
    if (this.#ended) return;
    this.#ended = true;
    this.#endError = error;
    this.#sink?.end(error);
  }
}
