import { createHmac } from 'node:crypto';
import type { HmacSha256 } from './hmac.js';

/**
 * HMAC-SHA256 through node:crypto, for the `hmac` option of `hmacClient` / `hmacServer`
 * (an {@link HmacSha256}): synchronous, so a signed message costs no WebCrypto promise round
 * trip. Gives the same bytes as the default.
 */
export const nodeHmac = ((key: Uint8Array, data: Uint8Array): Uint8Array => createHmac('sha256', key).update(data).digest()) satisfies HmacSha256;
