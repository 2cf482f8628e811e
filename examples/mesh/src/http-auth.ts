/**
 * HMAC-SHA256 signed headers for the HTTP+JSON baseline, the way a careful team signs
 * service-to-service HTTP: every request carries its key id, a timestamp, a nonce and a
 * signature over method, path (with query), timestamp, nonce and body; the server checks the key,
 * the clock, the signature (in constant time) and that the nonce is new, on every request.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** The header names. */
export const AUTH_HEADERS = { key: 'x-mesh-key', ts: 'x-mesh-ts', nonce: 'x-mesh-nonce', sig: 'x-mesh-signature' } as const;

/**
 * How far a timestamp may be from the server's clock, either way. The same on both stacks
 * (./petrichor.ts passes these to `hmacServer` when every call is signed).
 */
export const REPLAY_WINDOW_MS = 30_000;

/**
 * Nonces remembered at once, at most; past it requests get 503. Sized for the bench: a service
 * takes up to ~10,000 signed calls/s, each nonce held up to two windows (about 100 bytes each).
 */
export const MAX_NONCES = 1_000_000;

function signature(secret: string, method: string, path: string, ts: string, nonce: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`${method}\n${path}\n${ts}\n${nonce}\n`).update(body).digest();
}

/** The four auth headers for one request. */
export function signRequest(key: string, secret: string, method: string, path: string, body: string): Record<string, string> {
  const ts = String(Date.now());
  const nonce = randomUUID();
  return {
    [AUTH_HEADERS.key]: key,
    [AUTH_HEADERS.ts]: ts,
    [AUTH_HEADERS.nonce]: nonce,
    [AUTH_HEADERS.sig]: signature(secret, method, path, ts, nonce, body).toString('hex'),
  };
}

/** Why a request was refused: the HTTP status and a message. */
export interface Refusal {
  readonly status: 401 | 503;
  readonly message: string;
}

/**
 * Remembers recent nonces in two generations, each spanning a replay window: a nonce is new if
 * neither holds it. A nonce older than two windows belongs to a timestamp the clock check refuses
 * anyway, so dropping the old generation forgets nothing that matters.
 */
class Nonces {
  #current = new Set<string>();
  #previous = new Set<string>();
  #rotated = Date.now();

  /** True if `nonce` is new (it is then remembered); null when full. */
  add(nonce: string, now: number): boolean | null {
    if (now - this.#rotated >= REPLAY_WINDOW_MS) {
      this.#previous = now - this.#rotated >= 2 * REPLAY_WINDOW_MS ? new Set() : this.#current;
      this.#current = new Set();
      this.#rotated = now;
    }
    if (this.#current.has(nonce) || this.#previous.has(nonce)) return false;
    if (this.#current.size + this.#previous.size >= MAX_NONCES) return null;
    this.#current.add(nonce);
    return true;
  }
}

/** A verifier for one server: `verify` returns the caller's key id, or a {@link Refusal}. */
export function requestVerifier(keys: Readonly<Record<string, string>>): (method: string, path: string, headers: Readonly<Record<string, string | string[] | undefined>>, body: string) => string | Refusal {
  const secrets = new Map(Object.entries(keys));
  const nonces = new Nonces();
  return (method, path, headers, body) => {
    const key = headers[AUTH_HEADERS.key];
    const ts = headers[AUTH_HEADERS.ts];
    const nonce = headers[AUTH_HEADERS.nonce];
    const sig = headers[AUTH_HEADERS.sig];
    if (typeof key !== 'string' || typeof ts !== 'string' || typeof nonce !== 'string' || typeof sig !== 'string') {
      return { status: 401, message: 'missing credentials' };
    }
    const secret = secrets.get(key);
    if (secret === undefined) return { status: 401, message: 'unknown key' };
    const now = Date.now();
    if (!/^[0-9]{1,15}$/.test(ts) || Math.abs(now - Number(ts)) > REPLAY_WINDOW_MS) return { status: 401, message: 'timestamp expired' };
    if (!/^[0-9a-f]{64}$/.test(sig) || nonce.length > 64) return { status: 401, message: 'malformed credentials' };
    if (!timingSafeEqual(signature(secret, method, path, ts, nonce, body), Buffer.from(sig, 'hex'))) return { status: 401, message: 'bad signature' };
    const fresh = nonces.add(nonce, now);
    if (fresh === null) return { status: 503, message: 'too many recent nonces: try again' };
    if (!fresh) return { status: 401, message: 'replayed nonce' };
    return key;
  };
}
