/**
 * `@petrichor/rpc`: open verbs over qmux channels. A handshake at session start, then one call
 * per channel: routing by verb and path, `(err :code …)` errors, streaming both ways with
 * backpressure, cancellation and deadlines, pluggable auth. Runs unchanged in Node and browsers.
 *
 * @packageDocumentation
 */

// Errors: the call error model and the session failures (codes in the README).
export {
  ConnectionLostError,
  HandshakeDeniedError,
  HandshakeError,
  HandshakeTimeoutError,
  RpcError,
  RpcProtocolError,
  RpcSessionError,
  SessionClosedError,
  STATUS,
  type RpcSessionErrorCode,
} from './errors.js';

// Auth hooks (the schemes implement them).
export type { ClientAuth, Principal, ServerAuth } from './auth/types.js';

// Auth schemes (spec/rpc.md §6): HMAC-SHA256 for services, bearer tokens for public clients.
export { hmacClient, hmacServer, signedBytes, HMAC_DEFAULTS, type HmacClientOptions, type HmacKeys, type HmacSecret, type HmacServerOptions } from './auth/hmac.js';
export { authSchemes, bearerClient, bearerServer, type BearerVerify } from './auth/bearer.js';
export { canonical } from './auth/canonical.js';
export { NonceCache, type NonceVerdict } from './auth/nonce-cache.js';

// The s-expression call form of request HEADERs (spec/rpc.md §4.4): `(GET "/path" :k v)`.
export { callForm, sessionCodec, sexprCallCodec } from './sexpr-header.js';
