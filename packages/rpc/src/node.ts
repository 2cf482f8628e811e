/**
 * `@petrichor/rpc/node`: Node-only helpers. The only module of the package that imports `node:*`
 * (through ./auth/hmac.node.ts); the core runs unchanged in browsers.
 * @module @petrichor/rpc/node
 */
export { nodeHmac } from './auth/hmac.node.js';
