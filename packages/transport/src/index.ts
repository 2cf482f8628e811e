/**
 * `@petrichor/transport`: reach a Petrichor service by URL. Every transport turns into the same
 * `ByteStream` a `@petrichor/mux` Session runs over (spec/transports.md).
 *
 * This entry is browser-safe (no `node:` imports): `ws://` and `wss://` over the WebSocket
 * constructor, `mem://`, URL parsing and the typed errors. `@petrichor/transport/node` adds tcp,
 * unix and tls, and WebSocket servers, and re-exports everything here.
 *
 * @packageDocumentation
 * @module @petrichor/transport
 */
export { connect, listen } from './connect.js';
export type { Listener } from './listener.js';
export { TRANSPORT_DEFAULTS, type CloseOptions, type ConnectOptions, type ListenOptions, type WebSocketConstructor } from './options.js';
export { parseUrl, formatUrl, type Endpoint, type Scheme } from './url.js';
export { WebSocketStream, MAX_MESSAGE_BYTES, type WebSocketLike } from './websocket-stream.js';
export { TransportError, TlsError, WebSocketClosedError, type TransportErrorCode } from './errors.js';
