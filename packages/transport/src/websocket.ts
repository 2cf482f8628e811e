import type { ByteStream } from '@petrichor/mux';
import { TransportError } from './errors.js';
import { checkOption, DEFAULT_HIGH_WATER_MARK, DEFAULT_TIMEOUT_MS, type ConnectOptions } from './options.js';
import { WebSocketStream, type WebSocketLike } from './websocket-stream.js';

/**
 * Connects over a WHATWG WebSocket (the browser's, or `options.WebSocket`) and resolves with its
 * stream once open. Browsers do not say why a connection failed: every failure before `open` is
 * `TRANSPORT_REFUSED` with the close code; no answer within `timeoutMs` is `TRANSPORT_TIMEOUT`.
 */
export function connectWebSocket(url: string, options: ConnectOptions): Promise<ByteStream> {
  const timeoutMs = checkOption('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS, 0, 2 ** 31 - 1);
  const highWaterMark = checkOption('highWaterMark', options.highWaterMark, DEFAULT_HIGH_WATER_MARK, 1, Number.MAX_SAFE_INTEGER);
  const Constructor = options.WebSocket ?? (globalThis as { WebSocket?: ConnectOptions['WebSocket'] }).WebSocket;
  if (Constructor === undefined) {
    return Promise.reject(
      new TransportError('TRANSPORT_UNSUPPORTED_URL', `no WebSocket here to reach ${url}: pass options.WebSocket, or use @petrichor/transport/node`),
    );
  }
  return new Promise((resolve, reject) => {
    let socket: WebSocketLike;
    try {
      socket = new Constructor(url) as unknown as WebSocketLike;
    } catch (error) {
      // The constructor throws SyntaxError for URLs it cannot use (a fragment, a bad port …).
      reject(new TransportError('TRANSPORT_UNSUPPORTED_URL', `the WebSocket constructor refused ${url}`, { cause: error }));
      return;
    }
    socket.binaryType = 'arraybuffer';
    const timer = timeoutMs === 0 ? undefined : setTimeout(() => {
      settle();
      socket.close();
      reject(new TransportError('TRANSPORT_TIMEOUT', `no WebSocket connection to ${url} within ${timeoutMs} ms`));
    }, timeoutMs);
    const settle = (): void => {
      clearTimeout(timer);
      socket.onclose = null;
      socket.onerror = null;
      socket.onopen = null;
    };
    socket.onopen = () => {
      settle();
      resolve(new WebSocketStream(socket, highWaterMark));
    };
    socket.onerror = () => {}; // the close event that follows carries the code
    socket.onclose = (event) => {
      settle();
      reject(new TransportError('TRANSPORT_REFUSED', `the WebSocket connection to ${url} failed (close code ${event.code})`));
    };
  });
}
