/**
 * `@petrichor/rpc`: open verbs over qmux channels. A handshake at session start, then one call
 * per channel: routing by verb and path, `(err :code …)` errors, streaming both ways with
 * backpressure, cancellation and deadlines, pluggable auth. Runs unchanged in Node and browsers.
 *
 * @packageDocumentation
 * @module @petrichor/rpc
 */

// Errors: the call error model and the session failures (codes in the README).
export {
  CallEndedError,
  NoEndpointError,
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
export { hmacClient, hmacServer, signedBytes, HMAC_DEFAULTS, type HmacClientOptions, type HmacSha256, type HmacKeys, type HmacSecret, type HmacServerOptions } from './auth/hmac.js';
export { authSchemes, bearerClient, bearerServer, type BearerVerify } from './auth/bearer.js';
export { canonical } from './auth/canonical.js';
export { NonceCache, type NonceVerdict } from './auth/nonce-cache.js';

// The s-expression call form of request HEADERs (spec/rpc.md §9): `(GET "/path" :k v)`.
export { callForm } from './sexpr-header.js';
export { sessionCodec, sexprCallCodec } from './session-codec.js';

// Sessions: the client, the server, and the session both run.
export { Client, connect, type ClientOptions } from './client.js';
export { Server, type CloseOptions, type ServerOptions } from './server.js';
export { RpcSession, SESSION_DEFAULTS, type SessionOptions } from './session.js';
export { Call, type CallOptions, type OpenOptions } from './outgoing.js';
export type { PulledCall } from './pull.js';
export type { DecodeShape } from './format.js';

// Serving: interfaces, routes, handlers, middleware.
export {
  Interface,
  Service,
  type CallContext,
  type Direction,
  type Handler,
  type HandlerResult,
  type InterfaceInfo,
  type Middleware,
  type RouteOptions,
} from './service.js';
export type { Params, RouteInfo } from './router.js';

// The handshake.
export {
  CODEC_NAMES,
  HANDSHAKE_DEFAULTS,
  PROTOCOL_VERSION,
  type HandshakeLimits,
  type InterfaceScope,
  type Peer,
} from './handshake/handshake.js';

// The envelope, for tools and relays.
export { errorBody, errorFromReply, type RequestStream } from './envelope.js';

// The control interface and the manifest (spec/rpc.md §7).
export { CONTROL, MANIFEST_PATH, fetchManifest, serveControl } from './control.js';
export { describeService, parseManifest, type Manifest, type ManifestInfo, type ManifestInterface, type ManifestRoute } from './manifest.js';

// Dispatch without a socket (the HTTP routes of @petrichor/http).
export { allowedVerbs, dispatch, type DispatchRequest, type Dispatched } from './dispatch.js';

// Relays (spec/rpc.md §8.1).
export { defaultMapError, relay, type RelayOptions, type RelayRequest, type RelayTarget } from './relay.js';

// A client over several endpoints (spec/rpc.md §8.3).
export { ENDPOINTS_DEFAULTS, Endpoints, type Connect, type EndpointState, type EndpointsOptions, type Strategy } from './endpoints.js';

// Signed calls (spec/rpc.md §6.7): credentials on every request, checked by middleware.
export { callPrincipal, signedCalls, verifyCalls, type SignedCaller, type VerifyCallsOptions } from './auth/calls.js';
