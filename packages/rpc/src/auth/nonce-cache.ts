/** What {@link NonceCache.admit} decided. */
export type NonceVerdict = 'fresh' | 'replayed' | 'full';

/**
 * The nonces seen within the replay window (spec/rpc.md §6.4), bounded.
 *
 * A nonce is remembered until its message's timestamp leaves the window (`ts + window`): after
 * that the timestamp check alone refuses a replay, so forgetting it is safe. When `maxNonces`
 * unexpired nonces are held, a new one is refused (`'full'`) rather than evicting one that is
 * still needed: evicting would let that message be replayed, whereas refusing only delays an
 * honest caller (who retries with a fresh nonce). Expired nonces leave first, in order of
 * expiry, through a binary heap: `admit` costs O(log n).
 */
export class NonceCache {
  /** The most unexpired nonces held at once. */
  readonly maxNonces: number;
  private readonly expiries = new Map<string, number>();
  /** A min-heap by expiry, in two parallel arrays. */
  private readonly heapAt: number[] = [];
  private readonly heapNonce: string[] = [];

  /** @param maxNonces the most unexpired nonces held at once (a positive integer). */
  constructor(maxNonces: number) {
    if (!Number.isSafeInteger(maxNonces) || maxNonces < 1) throw new RangeError(`maxNonces must be a positive integer, got ${maxNonces}`);
    this.maxNonces = maxNonces;
  }

  /** Nonces held (expired ones may linger until the next `admit`). */
  get size(): number {
    return this.expiries.size;
  }

  /**
   * Records `nonce` until `expiresAt` (ms) if it is new: `'fresh'`. A nonce already held and not
   * expired is `'replayed'`; a new one while `maxNonces` unexpired ones are held is `'full'`.
   */
  admit(nonce: string, expiresAt: number, now: number): NonceVerdict {
    this.evict(now);
    if (this.expiries.has(nonce)) return 'replayed';
    if (this.expiries.size >= this.maxNonces) return 'full';
    this.expiries.set(nonce, expiresAt);
    this.push(expiresAt, nonce);
    return 'fresh';
  }

  /** Forgets every nonce whose expiry is before `now`. */
  private evict(now: number): void {
    const at = this.heapAt;
    while (at.length > 0 && at[0]! < now) this.expiries.delete(this.pop());
  }

  private push(expiresAt: number, nonce: string): void {
    const at = this.heapAt;
    const nonces = this.heapNonce;
    let i = at.length;
    at.push(expiresAt);
    nonces.push(nonce);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (at[parent]! <= expiresAt) break;
      at[i] = at[parent]!;
      nonces[i] = nonces[parent]!;
      i = parent;
    }
    at[i] = expiresAt;
    nonces[i] = nonce;
  }

  /** Removes the earliest entry; returns its nonce. */
  private pop(): string {
    const at = this.heapAt;
    const nonces = this.heapNonce;
    const top = nonces[0]!;
    const lastAt = at.pop()!;
    const lastNonce = nonces.pop()!;
    const n = at.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && at[child + 1]! < at[child]!) child++;
      if (at[child]! >= lastAt) break;
      at[i] = at[child]!;
      nonces[i] = nonces[child]!;
      i = child;
    }
    at[i] = lastAt;
    nonces[i] = lastNonce;
    return top;
  }
}
