import { isDict, type Value } from '@petrichor/wire';
import { RpcError } from '../errors.js';
import { canonical } from './canonical.js';
import { field, text, withField } from './fields.js';
import { NonceCache } from './nonce-cache.js';
import type { ClientAuth, Principal, ServerAuth } from './types.js';

/** An HMAC secret: bytes, or text taken as its UTF-8 bytes. Use at least 32 random bytes. */
export type HmacSecret = string | Uint8Array;

/** Where a server finds the secret of a key id: a table, or a function (which may look it up). */
export type HmacKeys =
  | Readonly<Record<string, HmacSecret>>
  | ((key: string) => HmacSecret | undefined | Promise<HmacSecret | undefined>);

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
  const unsigned = withField(auth, 'sig', undefined);
  const head = canonical(withField(header, 'auth', unsigned));
  const tail = canonical(body);
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}

/**
 * HMAC-SHA256 credentials for internal services (spec/rpc.md §6.1): each message carries
 * `auth = { scheme: "hmac", key, ts, nonce, sig }`, `sig` being the HMAC of {@link signedBytes}
 * as 64 lowercase hex digits. WebCrypto only, so it runs in Node and browsers.
 */
export function hmacClient(options: HmacClientOptions): ClientAuth {
  const { key, secret } = options;
  if (typeof key !== 'string' || key.length === 0) throw new RangeError('hmacClient: key must be a non-empty string');
  const cryptoKey = importKey(secret);
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
      const sig = await crypto.subtle.sign('HMAC', await cryptoKey, signedBytes(header, auth, body));
      auth.set('sig', hex(new Uint8Array(sig)));
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
  const lookup = keyLookup(options.keys);
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
      const cryptoKey = await lookup(key);
      if (cryptoKey === undefined) throw unauthenticated('unknown key');
      // Cheap checks first: the clock, then the signature, and only a signed nonce is remembered.
      const at = now();
      if (ts < at - windowMs) throw unauthenticated('timestamp expired');
      if (ts > at + windowMs) throw unauthenticated('timestamp in the future');
      let expected: Uint8Array;
      try {
        expected = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, signedBytes(header, auth, body)));
      } catch {
        throw unauthenticated('bad signature'); // the header or body has no canonical form
      }
      if (!equalHex(expected, sig)) throw unauthenticated('bad signature');
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

function keyLookup(keys: HmacKeys): (key: string) => Promise<CryptoKey | undefined> {
  if (typeof keys === 'function') {
    return async (key) => {
      const secret = await keys(key);
      return secret === undefined ? undefined : importKey(secret);
    };
  }
  const table = new Map<string, Promise<CryptoKey>>();
  for (const [key, secret] of Object.entries(keys)) table.set(key, importKey(secret));
  return async (key) => table.get(key);
}

function importKey(secret: HmacSecret): Promise<CryptoKey> {
  if (typeof secret !== 'string' && !(secret instanceof Uint8Array)) throw new RangeError('an HMAC secret must be text or bytes');
  // A copy: WebCrypto wants an ArrayBuffer-backed view, and later changes to `secret` must not matter.
  const bytes = typeof secret === 'string' ? utf8.encode(secret) : new Uint8Array(secret);
  if (bytes.length === 0) throw new RangeError('an HMAC secret must not be empty');
  return crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** 16 random bytes as 32 lowercase hex digits. */
export function randomNonce(): string {
  return hex(crypto.getRandomValues(new Uint8Array(16)));
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += (byte < 16 ? '0' : '') + byte.toString(16);
  return out;
}

/**
 * `expected` (32 bytes) against 64 lowercase hex digits, in time that depends only on the
 * lengths: every byte is compared, the differences OR-ed together.
 */
function equalHex(expected: Uint8Array, sig: string): boolean {
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ parseInt(sig.slice(2 * i, 2 * i + 2), 16);
  return diff === 0;
}
