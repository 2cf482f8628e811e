/**
 * `@petrichor/mux/node`: the Node.js edge of qmux. {@link socketStream} runs a {@link @petrichor/mux!Session} over a
 * `net.Socket` (or a `tls.TLSSocket`); {@link channelDuplex} gives a {@link Channel} the Node
 * `Duplex` shape so it plugs into `stream.pipeline` and everything else that speaks Node streams.
 *
 * This is the only module of the package that imports `node:*`; the core runs unchanged in browsers.
 * @module @petrichor/mux/node
 */
import { Duplex, type DuplexOptions } from 'node:stream';
import type { Socket } from 'node:net';
import type { Channel } from './channel.js';
import type { ByteStream, ByteStreamSink } from './stream.js';

/**
 * A {@link ByteStream} over a connected Node socket, for `new Session(socketStream(socket))`.
 *
 * - Every chunk the socket reads goes to the session as a plain `Uint8Array` view of Node's buffer
 *   (no copy; Node never reuses a socket's read buffers).
 * - The session hears the end exactly once: no error when the peer ends the connection (FIN) or
 *   after {@link ByteStream.close}, else the socket's error (`ECONNRESET`, `EPIPE`, …, with Node's
 *   `code`), or an `ERR_SOCKET_CLOSED` error when someone else destroys the socket first. (The
 *   session reports these as its `TransportError`, with the socket's error as `cause`.)
 * - `write` returns a promise only when `socket.write` says the socket's buffer is full; it
 *   resolves on `'drain'`, or when the socket closes (the session has been told by then).
 *   `writev` corks the socket around its chunks, so they leave in one `writev` system call.
 * - Nagle is switched off: qmux sends small control messages (window adjusts, EOF, CLOSE) that
 *   must not wait for an ACK.
 * - `close()` sends FIN after the bytes still queued; when none of them leaves for 2 s (a peer
 *   that does not read), the socket is destroyed instead of being held open for it.
 *
 * The socket's `'error'` events are handled from here on, so none goes unhandled.
 */
export function socketStream(socket: Socket): ByteStream {
  return new SocketStream(socket);
}

/**
 * After `close()`, how long queued bytes may sit without any of them leaving before the socket is
 * dropped: a reading peer, however slow, takes some within it; one that never reads does not.
 */
const FLUSH_STALL_MS = 2000;

class SocketStream implements ByteStream {
  declare localAddress?: string;
  declare remoteAddress?: string;
  readonly #socket: Socket;
  #sink: ByteStreamSink | undefined;
  /** Set once the sink has been told (or would have been, had it started). */
  #ended = false;
  /** Why the stream ended, kept for a sink that starts afterwards. */
  #endError: Error | undefined;
  #closing = false;
  #drain: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    // Before `start` nothing reads the socket: it stays paused and buffers in the kernel.
    socket.setNoDelay(true);
    socket.on('error', (error) => this.#end(error));
    socket.on('end', () => this.#end(undefined));
    socket.on('close', () => this.#end(this.#closing ? undefined : closedError()));
    socket.on('drain', () => this.#releaseWriter());
    // A socket that is already over: the peer's FIN was a clean end; anything else was not.
    if (socket.errored !== null) this.#end(socket.errored);
    else if (socket.readableEnded) this.#end(undefined);
    else if (socket.destroyed) this.#end(closedError());
    if (socket.connecting) socket.once('connect', () => this.#addresses());
    else this.#addresses();
  }

  #addresses(): void {
    const local = address(this.#socket.localAddress, this.#socket.localPort);
    const remote = address(this.#socket.remoteAddress, this.#socket.remotePort);
    if (local !== undefined) this.localAddress = local;
    if (remote !== undefined) this.remoteAddress = remote;
  }

  start(sink: ByteStreamSink): void {
    if (this.#sink !== undefined) throw new Error('socketStream: start() called twice');
    this.#sink = sink;
    if (this.#ended) {
      sink.end(this.#endError);
      return;
    }
    this.#socket.on('data', (chunk: Buffer) => {
      if (this.#ended) return;
      // A plain Uint8Array: Buffer's `slice` shares memory, Uint8Array's copies.
      sink.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }

  write(chunk: Uint8Array): void | Promise<void> {
    const socket = this.#socket;
    // After the end the session already knows (or is about to hear) why; the bytes have nowhere to go.
    if (this.#ended || socket.destroyed || socket.writableEnded) return;
    if (socket.write(chunk)) return;
    return this.#drained();
  }

  writev(chunks: Uint8Array[]): void | Promise<void> {
    const socket = this.#socket;
    if (this.#ended || socket.destroyed || socket.writableEnded) return;
    let room = true;
    socket.cork();
    for (const chunk of chunks) room = socket.write(chunk);
    socket.uncork();
    if (room) return;
    return this.#drained();
  }

  /** The promise a full socket hands back: one per full spell, settled on 'drain' or close. */
  #drained(): Promise<void> {
    if (this.#drain === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#drain = { promise, resolve };
    }
    return this.#drain.promise;
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    // FIN after whatever is still queued, then destroy, without waiting for the peer's FIN.
    this.#socket.destroySoon();
    this.#dropIfStalled(this.#socket.writableLength);
  }

  /**
   * A peer that never reads would keep a closed stream's socket, and every byte queued for it,
   * forever: once `FLUSH_STALL_MS` pass without a queued byte leaving, drop the connection.
   */
  #dropIfStalled(queued: number): void {
    const socket = this.#socket;
    if (socket.destroyed || queued === 0) return;
    const timer = setTimeout(() => {
      const left = socket.writableLength;
      if (left >= queued) socket.destroy();
      else this.#dropIfStalled(left);
    }, FLUSH_STALL_MS);
    timer.unref();
  }

  #end(error: Error | undefined): void {
    if (!this.#ended) {
      this.#ended = true;
      this.#endError = error;
      this.#sink?.end(error);
    }
    if (this.#socket.destroyed || error !== undefined) this.#releaseWriter();
  }

  #releaseWriter(): void {
    const drain = this.#drain;
    this.#drain = undefined;
    drain?.resolve();
  }
}

function closedError(): Error {
  return Object.assign(new Error('the socket was closed before the peer ended the connection'), { code: 'ERR_SOCKET_CLOSED' });
}

function address(host: string | undefined, port: number | undefined): string | undefined {
  if (host === undefined || port === undefined) return undefined;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A Node `Duplex` over a {@link Channel}.
 *
 * - Reading pulls from `channel.read()` only while the readable side is below its `highWaterMark`,
 *   so a slow consumer leaves bytes in the channel, the channel stops returning window, and the
 *   peer's writer waits: back-pressure reaches the other end.
 * - Each write goes through `channel.write` and calls back when the session has taken the bytes
 *   (after waiting for window space).
 * - `end()` half-closes (sends EOF via `closeWrite`); reading continues until the peer's EOF. On a
 *   channel the peer has already closed, `end()` simply finishes.
 * - `destroy()` (and the automatic destroy once both sides are done) closes the channel.
 * - A failed read or write destroys the Duplex with the channel's error (a `MuxError` with a stable
 *   `code`), so `'error'` carries the same error the channel API would have thrown.
 *
 * `options` are passed to the `Duplex` (for example `highWaterMark`); `allowHalfOpen` is always
 * true, since qmux channels half-close.
 */
export function channelDuplex(channel: Channel, options: Omit<DuplexOptions, 'allowHalfOpen' | 'objectMode' | 'readableObjectMode' | 'writableObjectMode'> = {}): Duplex {
  return new ChannelDuplex(channel, options);
}

class ChannelDuplex extends Duplex {
  readonly #channel: Channel;
  #pulling = false;

  constructor(channel: Channel, options: DuplexOptions) {
    super({ ...options, allowHalfOpen: true, objectMode: false, decodeStrings: true });
    this.#channel = channel;
  }

  override _read(): void {
    if (this.#pulling) return;
    this.#pulling = true;
    void this.#pull();
  }

  async #pull(): Promise<void> {
    try {
      for (;;) {
        const chunk = await this.#channel.read();
        if (this.destroyed) return;
        if (chunk === null) {
          this.push(null);
          return;
        }
        if (!this.push(chunk)) return;
      }
    } catch (error) {
      this.destroy(asError(error));
    } finally {
      this.#pulling = false;
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#channel.write(chunk).then(() => callback(), (error: unknown) => callback(asError(error)));
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#channel.closeWrite().then(
      () => callback(),
      // A channel the peer already closed has no write side left to half-close: end() is done.
      (error: unknown) => callback(codeOf(error) === 'MUX_CHANNEL_CLOSED' ? null : asError(error)),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Closing sends CLOSE now; waiting for the peer's reply would let a silent peer hold destroy().
    this.#channel.close().catch(() => {});
    callback(error);
  }
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
