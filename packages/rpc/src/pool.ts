import type { Channel, Session } from '@petrichor/mux';

/** A pending request for a channel. */
export interface ChannelWaiter {
  resolve(channel: Channel): void;
  reject(error: Error): void;
}

/** Sizes of the pool (spec/rpc.md §2.4). */
export interface PoolSizes {
  /** Idle channels kept open ahead of calls. */
  poolSize: number;
  /** The most idle channels (and opens in flight) the pool grows to under load. */
  maxPoolSize: number;
}

/**
 * The pre-opened channels of one session (spec/rpc.md §2.4). qmux needs OPEN → CONFIRM before
 * data flows; a call that takes a channel confirmed in advance writes its request at once, so a
 * unary call costs one round trip. Taking a channel starts opening its replacement in the same
 * turn (so the OPEN leaves with the request). Idle channels kept: `poolSize`, or as many as the
 * calls in flight when there are more, up to `maxPoolSize`; opens in flight are capped at
 * `maxPoolSize` too, so a burst of calls never floods the peer's accept backlog.
 */
export class ChannelPool {
  readonly #mux: Session;
  readonly #sizes: PoolSizes;
  readonly #mapError: (error: unknown) => Error;
  readonly #ready: Channel[] = [];
  readonly #waiters: ChannelWaiter[] = [];
  #opening = 0;
  /** Calls in flight on this side; the pool grows with them. */
  outbound = 0;
  /** After a refused open, no spare channels until an open succeeds (no retry loop). */
  #backoff = false;
  #error: Error | null = null;

  constructor(mux: Session, sizes: PoolSizes, mapError: (error: unknown) => Error) {
    this.#mux = mux;
    this.#sizes = sizes;
    this.#mapError = mapError;
  }

  /** Idle channels ready for a call. */
  get idle(): number {
    return this.#ready.length;
  }

  /**
   * A ready channel, or undefined (then {@link wait}). Call {@link refill} once the request is
   * queued: the replacement's OPEN then follows the request in the same write, and the peer
   * answers the request before it sets up the new channel.
   */
  take(): Channel | undefined {
    return this.#ready.pop();
  }

  /** Hands `waiter` the next channel that opens (or the error that stops the session). */
  wait(waiter: ChannelWaiter): void {
    if (this.#error !== null) return waiter.reject(this.#error);
    this.#waiters.push(waiter);
    this.refill();
  }

  /** Forgets a waiter (its call was cancelled); true if it was still waiting. */
  unwait(waiter: ChannelWaiter): boolean {
    const at = this.#waiters.indexOf(waiter);
    if (at < 0) return false;
    this.#waiters.splice(at, 1);
    return true;
  }

  /** Opens channels until the pool holds what the waiters and the spare target need. */
  refill(): void {
    if (this.#error !== null) return;
    const { poolSize, maxPoolSize } = this.#sizes;
    const spare = this.#backoff ? 0 : Math.min(maxPoolSize, Math.max(poolSize, this.outbound));
    const want = this.#waiters.length + spare;
    while (this.#ready.length + this.#opening < want && this.#opening < maxPoolSize) {
      this.#opening++;
      this.#mux.open().then(this.#opened, this.#failed);
    }
  }

  /** The session ended: waiters reject with `error`, and nothing more is opened. */
  stop(error: Error): void {
    if (this.#error !== null) return;
    this.#error = error;
    this.#ready.length = 0;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  readonly #opened = (channel: Channel): void => {
    this.#opening--;
    this.#backoff = false;
    if (this.#error !== null) {
      void channel.close();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve(channel);
      this.refill(); // the opens in flight were capped: more waiters may need one
    } else {
      this.#ready.push(channel);
    }
  };

  readonly #failed = (error: unknown): void => {
    this.#opening--;
    this.#backoff = true;
    if (this.#error !== null) return;
    // A waiter no open in flight can serve gets the error; the others keep waiting.
    if (this.#waiters.length > this.#opening) this.#waiters.shift()!.reject(this.#mapError(error));
    this.refill();
  };
}
