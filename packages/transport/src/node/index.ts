/**
 * `@petrichor/transport/node`: every transport in Node.js. `connect` and `listen` here take
 * `tcp://`, `unix://`, `tls://`, `ws://`, `wss://` and `mem://`; everything the browser-safe entry
 * exports is re-exported, so Node code imports from one place.
 *
 * @module @petrichor/transport/node
 */
export { connect, listen } from './connect.js';
export type { NodeConnectOptions, NodeListenOptions, TlsOptions } from './options.js';
export { NodeWebSocketStream } from './ws-stream.js';
export { maxSocketPathBytes } from './unix.js';
export type { Listener } from '../listener.js';
export { TRANSPORT_DEFAULTS, type CloseOptions, type ConnectOptions, type ListenOptions, type WebSocketConstructor } from '../options.js';
export { parseUrl, formatUrl, type Endpoint, type Scheme } from '../url.js';
export { WebSocketStream, MAX_MESSAGE_BYTES, type WebSocketLike } from '../websocket-stream.js';
export { TransportError, TlsError, WebSocketClosedError, type TransportErrorCode } from '../errors.js';
