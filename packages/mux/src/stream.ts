/**
 * The byte stream a Session runs over: anything that moves bytes in order both ways (a TCP
 * socket, a WebSocket, a pair of pipes, a memory pipe). No `node:` imports: adapters for Node
 * sockets live in `@petrichor/mux/node`.
 */

/** Where a {@link ByteStream} delivers what it receives. */
export interface ByteStreamSink {
  /** A chunk arrived. The session may keep references into it: the stream must not reuse its memory. */
  data(chunk: Uint8Array): void;
  /** The stream ended (no error) or failed. Called at most once; no data() after it. */
  end(error?: Error): void;
}

/** A reliable, ordered, bidirectional byte stream. */
export interface ByteStream {
  /** Called exactly once by the Session: from now on deliver every chunk to `sink`. */
  start(sink: ByteStreamSink): void;
  /**
   * Send bytes (the session never reuses `chunk` after handing it over). Returning a promise means
   * "the transport is full": the session waits for it before writing again (backpressure).
   */
  write(chunk: Uint8Array): void | Promise<void>;
  /**
   * Optional: send several chunks as one write (a Node socket does this with cork/uncork, which
   * makes one `writev` system call). When present, the session passes large DATA payloads by
   * reference next to their headers instead of copying them into one buffer. Same contract as
   * {@link write} otherwise.
   */
  writev?(chunks: Uint8Array[]): void | Promise<void>;
  /**
   * Optional: the next write carries frames the peer is waiting for (WINDOW_ADJUST). A stream
   * that holds writes to join them (rpc's `CoalescingStream`) sends that one at once instead.
   */
  urgent?(): void;
  /** Close the transport (both directions). Idempotent. */
  close(): void;
  readonly localAddress?: string;
  readonly remoteAddress?: string;
}
