import { isDict, type Value } from '@petrichor/wire';
import { RpcError } from '../errors.js';
import { canonicalPair } from './canonical.js';
import { field, text, withField } from './fields.js';
import { NonceCache } from './nonce-cache.js';
import type { ClientAuth, Principal, ServerAuth } from './types.js';

/** An HMAC secret: bytes, or text taken as its UTF-8 bytes. Use at least 32 random bytes. */
export type HmacSecret = string | Uint8Array;

/** Where a server finds the secret of a key id: a table, or a function (which may look it up). */
export type HmacKeys =
  | Readonly<Record<string, HmacSecret>>
  | ((key: string) => HmacSecret | undefined | Promise<HmacSecret | undefined>);

/**
 * HMAC-SHA256: the 32-byte MAC of `data` under `key`. The default is WebCrypto (Node and browsers);
 * Node can pass `nodeHmac` from `@petrichor/rpc/node` (node:crypto, synchronous), which
 * costs a fraction of WebCrypto's async round trip per message. `key` is the same `Uint8Array` on
 * every call for one secret, so an implementation may cache what it derives from it.
 */
export type HmacSha256 = (key: Uint8Array, data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

/** Options of {@link hmacClient}. */
export interface HmacClientOptions {
  /** The key id the server knows the secret by. */
  key: string;
  /** The shared secret. */
  secret: HmacSecret;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** A fresh nonce per message. Default: 16 random bytes as 32 lowercase hex digits. */
  nonce?: () => string;
  /** The HMAC-SHA256 implementation. Default WebCrypto. */
  hmac?: HmacSha256;
}

/** Options of {@link hmacServer}. */
export interface HmacServerOptions {
  /** The secrets by key id. A table's keys are imported once; a function is asked on every message. */
  keys: HmacKeys;
  /** How far a timestamp may be from the server's clock, either way, in ms. Default 60,000. */
  replayWindowMs?: number;
  /**
   * The most nonces remembered at once (each for at most twice the window). Beyond it new
   * messages are refused with 503 until old nonces expire. Default 100,000 (about 12 MB at most);
   * size it to at least twice the window times the peak rate of signed messages.
   */
  maxNonces?: number;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** The HMAC-SHA256 implementation. Default WebCrypto. */
  hmac?: HmacSha256;
}

/** Defaults of {@link hmacServer}. */
export const HMAC_DEFAULTS = Object.freeze({ replayWindowMs: 60_000, maxNonces: 100_000 });

const NONCE = /^[0-9a-f]{32}$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const utf8 = new TextEncoder();

/**
 * The bytes an HMAC signature covers (spec/rpc.md §6.2): the canonical form of `header` with its
 * `auth` field replaced by `auth` without `sig`, followed by the canonical form of `body`.
 */
export function signedBytes(header: Value, auth: Value, body: Value): Uint8Array<ArrayBuffer> {
  return canonicalPair(withField(header, 'auth', withField(auth, 'sig', undefined)), body);
}

/**
 * HMAC-SHA256 credentials for internal services (spec/rpc.md §6.1): each message carries
 * `auth = { scheme: "hmac", key, ts, nonce, sig }`, `sig` being the HMAC of {@link signedBytes}
 * as 64 lowercase hex digits. WebCrypto by default, so it runs in Node and browsers; see
 * {@link HmacClientOptions.hmac} for a faster one on Node.
 */
export function hmacClient(options: HmacClientOptions): ClientAuth {
  const { key, secret } = options;
  if (typeof key !== 'string' || key.length === 0) throw new RangeError('hmacClient: key must be a non-empty string');
  const mac = macOf(secret, options.hmac);
  const now = options.now ?? Date.now;
  const nonce = options.nonce ?? randomNonce;
  return {
    async credentials(header, body) {
      const auth = new Map<string, Value>([
        ['scheme', 'hmac'],
        ['key', key],
        ['ts', Math.floor(now())],
        ['nonce', nonce()],
      ]);
      auth.set('sig', hexOfMac(await mac(signedBytes(header, auth, body))));
      return auth;
    },
  };
}

/**
 * Checks HMAC credentials (spec/rpc.md §6.3): a known key, a timestamp within ±`replayWindowMs`
 * of the server's clock, the signature (compared in constant time), and a nonce not seen within
 * the window. Resolves with `{ scheme: 'hmac', id: key }`; rejects with an {@link RpcError} 401
 * whose message says which check failed, or 503 when the nonce cache is full.
 */
export function hmacServer(options: HmacServerOptions): ServerAuth {
  const windowMs = options.replayWindowMs ?? HMAC_DEFAULTS.replayWindowMs;
  if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`replayWindowMs must be positive, got ${windowMs}`);
  const nonces = new NonceCache(options.maxNonces ?? HMAC_DEFAULTS.maxNonces);
  const now = options.now ?? Date.now;
  const lookup = keyLookup(options.keys, options.hmac);
  return {
    async authenticate(auth, header, body): Promise<Principal> {
      if (auth === undefined || auth === null) throw unauthenticated('missing credentials');
      if (!isDict(auth) || text(field(auth, 'scheme')) !== 'hmac') throw unauthenticated('expected hmac credentials');
      const key = text(field(auth, 'key'));
      const ts = field(auth, 'ts');
      const nonce = text(field(auth, 'nonce'));
      const sig = text(field(auth, 'sig'));
      if (key === undefined || key.length === 0) throw unauthenticated('malformed hmac credentials: key');
      if (typeof ts !== 'number' || !Number.isSafeInteger(ts)) throw unauthenticated('malformed hmac credentials: ts');
      if (nonce === undefined || !NONCE.test(nonce)) throw unauthenticated('malformed hmac credentials: nonce');
      if (sig === undefined || !SIGNATURE.test(sig)) throw unauthenticated('malformed hmac credentials: sig');
      const mac = await lookup(key);
      if (mac === undefined) throw unauthenticated('unknown key');
      // Cheap checks first: the clock, then the signature, and only a signed nonce is remembered.
      const at = now();
      if (ts < at - windowMs) throw unauthenticated('timestamp expired');
      if (ts > at + windowMs) throw unauthenticated('timestamp in the future');
      let data: Uint8Array;
      try {
        data = signedBytes(header, auth, body);
      } catch {
        throw unauthenticated('bad signature'); // the header or body has no canonical form
      }
      if (!equalText(hexOfMac(await mac(data)), sig)) throw unauthenticated('bad signature');
      const verdict = nonces.admit(nonce, ts + windowMs, at);
      if (verdict === 'replayed') throw unauthenticated('replayed nonce');
      if (verdict === 'full') throw new RpcError(503, 'too many recent nonces: try again');
      return { scheme: 'hmac', id: key };
    },
  };
}

function unauthenticated(message: string): RpcError {
  return new RpcError(401, message);
}

/** HMAC-SHA256 under one secret, its key prepared once. */
type Mac = (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

function keyLookup(keys: HmacKeys, hmac: HmacSha256 | undefined): (key: string) => Promise<Mac | undefined> {
  if (typeof keys === 'function') {
    return async (key) => {
      const secret = await keys(key);
      return secret === undefined ? undefined : macOf(secret, hmac);
    };
  }
  const table = new Map<string, Mac>();
  for (const [key, secret] of Object.entries(keys)) table.set(key, macOf(secret, hmac));
  return async (key) => table.get(key);
}

/** The secret's key, imported (or copied) now, once; the MAC of any data under it. */
function macOf(secret: HmacSecret, hmac: HmacSha256 | undefined): Mac {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) throw new RangeError('an HMAC secret must be text or bytes');
  // A copy: WebCrypto wants an ArrayBuffer-backed view, and later changes to `secret` must not matter.
  const bytes = typeof secret === 'string' ? utf8.encode(secret) : new Uint8Array(secret);
  if (bytes.length === 0) throw new RangeError('an HMAC secret must not be empty');
  if (hmac !== undefined) return (data) => hmac(bytes, data);
  const key = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  key.catch(() => {}); // a failure surfaces on first use, not as an unhandled rejection
  return async (data) => new Uint8Array(await crypto.subtle.sign('HMAC', await key, data as Uint8Array<ArrayBuffer>));
}

/** Random bytes drawn 4 KiB at a time: one `getRandomValues` per 256 nonces. Each byte is used once. */
const pool = new Uint8Array(4096);
let poolAt = pool.length;

/** 16 random bytes as 32 lowercase hex digits. */
export function randomNonce(): string {
  if (poolAt === pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const start = poolAt;
  poolAt += 16;
  return hex(pool, start, poolAt);
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hex(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  for (let i = start; i < end; i++) out += HEX[bytes[i]!]!;
  return out;
}

/** A MAC as 64 hex digits; anything but 32 bytes is a broken `hmac` option. */
function hexOfMac(mac: Uint8Array): string {
  if (!(mac instanceof Uint8Array) || mac.length !== 32) throw new TypeError('an HMAC-SHA256 must be 32 bytes');
  return hex(mac);
}

/**
 * Two strings of the same length (64 hex digits here), in time that depends only on that length:
 * every character is compared, the differences OR-ed together.
 */
function equalText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
