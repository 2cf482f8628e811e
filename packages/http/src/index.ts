/**
 * `@petrichor/http`: a Petrichor server's routes as public HTTP routes. The same trees as
 * s-expressions, JSON or tnetstrings; errors as HTTP statuses with the error model as the body;
 * bearer tokens checked by the server's own auth. Node only (`node:http`).
 *
 * @packageDocumentation
 * @module @petrichor/http
 */
export { httpHandler, type HttpHandler } from './handler.js';
export { serveHttp, type HttpServerHandle, type ServeHttpOptions } from './serve.js';
export { HTTP_DEFAULTS, type HttpOptions } from './options.js';
export { MEDIA, mediaOf, type Media } from './media.js';
export { negotiate } from './negotiate.js';
export { fromJson, toJson } from './json.js';
