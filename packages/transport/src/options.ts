/**
 * Options shared by every runtime, and the defaults of every option of the package (the Node
 * entry adds its own options on top of these).
 */

/** A WHATWG WebSocket constructor: the browser's, or any with the same shape. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

/** Options of `connect()` in every runtime. */
export interface ConnectOptions {
  /**
   * How long the connection may take to come up, handshakes (TLS, WebSocket) included, in ms;
   * past it `connect` rejects with `TRANSPORT_TIMEOUT`. 0: no limit. Default 10 s.
   */
  timeoutMs?: number;
  /** ws/wss: bytes buffered for sending at which writes start to wait. Default 1 MiB. */
  highWaterMark?: number;
  /** ws/wss in the browser-safe entry: the WebSocket constructor. Default `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
}

/** Options of `listen()` in every runtime. */
export interface ListenOptions {
  /** ws/wss: bytes buffered for sending at which writes start to wait. Default 1 MiB. */
  highWaterMark?: number;
  /**
   * Connections open at once, past which a new one is refused at once, before any session work:
   * tcp/tls/unix close it (TLS before its handshake), ws/wss answer the upgrade 503 with
   * `Retry-After`, mem:// rejects `connect` with `TRANSPORT_REFUSED`. Counted in
   * {@link Listener.refused}. A connection frees its slot when it ends. Default 2,048;
   * `Infinity`: no cap.
   */
  maxConnections?: number;
}

/** Options of {@link Listener.close}. */
export interface CloseOptions {
  /**
   * How long streams already accepted may go on before they are ended with `TRANSPORT_CLOSED`,
   * in ms. Default 5 s; 0 ends them at once.
   */
  graceMs?: number;
}

/** `TRANSPORT_DEFAULTS.timeoutMs`, as a constant a bundler inlines. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** `TRANSPORT_DEFAULTS.highWaterMark`, as a constant a bundler inlines. */
export const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

/**
 * The defaults of every option, with the reason for each. (The two a browser uses are also plain
 * constants above: a bundler inlines those, and leaves this object out of a client that does not
 * read it.)
 */
export const TRANSPORT_DEFAULTS = /* @__PURE__ */ Object.freeze({
  /** 10 s: generous for a handshake across the world, short enough to report a dead address. */
  timeoutMs: DEFAULT_TIMEOUT_MS,
  /**
   * 1 MiB: the session's own write queue (`maxQueuedBytes`) is 1 MiB, so one full flush fits
   * before the writer waits; more would only add latency, as the window already bounds a channel.
   */
  highWaterMark: DEFAULT_HIGH_WATER_MARK,
  /** 5 s: time for calls in flight to finish when a listener shuts down, short enough for a deploy. */
  graceMs: 5_000,
  /**
   * 4 MiB: the largest WebSocket message accepted (Node's `ws` `maxPayload`). We never send more
   * than 1 MiB per message, and a qmux peer sends DATA no larger than the max packet we advertise
   * (64 KiB by default); bigger messages come only from a misbehaving peer.
   */
  maxPayload: 4 * 1024 * 1024,
  /**
   * 2,048 connections per listener. An idle rpc session costs a server about 62 KiB (measured by
   * bench/session-memory.ts: its pre-opened channels, the session, the socket's buffers), so a
   * flood of connections holds ~125 MiB at most; and it stays well below the file descriptors a
   * Node process gets (Node raises its soft `ulimit -n` to the hard one, 4,096 on the most frugal
   * common systems), leaving the rest for the process's own files and outgoing connections.
   * Raise it for more clients.
   */
  maxConnections: 2048,
  /** true: qmux sends small control messages (window adjusts, EOF, CLOSE) that must not wait for an ACK. */
  noDelay: true,
});

/** Checks a number option: a value outside its range is a programming error (RangeError). */
export function checkOption(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return v;
}
