import type { WebSocket } from 'ws';
import { WebSocketStream, type WebSocketLike } from '../websocket-stream.js';

/**
 * {@link WebSocketStream} over a `ws` WebSocket: messages arrive as Node Buffers (handed on as
 * views, no copy), the socket is paused until the session starts reading, and a writer waiting
 * for room is woken by `ws`'s send callbacks instead of polling.
 */
export class NodeWebSocketStream extends WebSocketStream {
  declare localAddress?: string;
  declare remoteAddress?: string;
  readonly #ws: WebSocket;

  constructor(ws: WebSocket, highWaterMark: number, addresses: { local?: string | undefined; remote?: string | undefined } = {}) {
    super(ws as unknown as WebSocketLike, highWaterMark, 'nodebuffer');
    this.#ws = ws;
    if (addresses.local !== undefined) this.localAddress = addresses.local;
    if (addresses.remote !== undefined) this.remoteAddress = addresses.remote;
    // Until the session starts, leave what arrives in the kernel rather than in a queue here.
    ws.pause();
  }

  protected override started(): void {
    this.#ws.resume();
  }

  protected override send(chunk: Uint8Array): void {
    this.#ws.send(chunk, this.#sent);
  }

  /** A send has left the socket's buffer: a waiting writer goes on once under the mark. */
  readonly #sent = (): void => {
    if (this.waitingForRoom && this.#ws.bufferedAmount < this.highWaterMark) this.releaseWriter();
  };

  /** Nothing to poll: every send calls back. */
  protected override watchRoom(): void {}

  /** `ws` reports the frame errors it closed the connection for with a `WS_ERR_*` code. */
  protected override closeCodeOf(error: unknown): number | undefined {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('WS_ERR_')) return undefined;
    if (code.startsWith('WS_ERR_UNSUPPORTED_')) return 1009; // message or frame over maxPayload
    if (code === 'WS_ERR_INVALID_UTF8') return 1007;
    return 1002; // any other broken frame
  }
}

/** `host:port` of a socket end, as the mux streams report addresses. */
export function address(host: string | undefined, port: number | undefined): string | undefined {
  if (host === undefined || port === undefined) return undefined;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
