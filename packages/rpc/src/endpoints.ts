/**
 * A client over several endpoints (spec/rpc.md §8.3): each endpoint is a function that opens a
 * byte stream to one server; calls go to the first healthy endpoint, or round robin over the
 * healthy ones; an endpoint whose connection fails or drops is retried in the background with
 * exponential backoff. Calls in flight on a connection that dies reject with its typed error
 * (`ConnectionLostError`); they are never retried silently, as a call may not be idempotent.
 */
import type { ByteStream } from '@petrichor/mux';
import type { Value } from '@petrichor/wire';
import { Client, type ClientOptions } from './client.js';
import { fetchManifest } from './control.js';
import { HandshakeTimeoutError, NoEndpointError, SessionClosedError } from './errors.js';
import type { Manifest } from './manifest.js';
import type { Call, CallOptions, OpenOptions } from './outgoing.js';

/** Opens a byte stream to one server (a TCP socket, a WebSocket, a memory pipe…). */
export type Connect = () => ByteStream | Promise<ByteStream>;

/** How calls are spread over the healthy endpoints. */
export type Strategy = 'first-healthy' | 'round-robin';

/** Options of {@link Endpoints}: those of every client it connects, and these. */
export interface EndpointsOptions extends ClientOptions {
  /** `first-healthy` (default): the first endpoint in the list that is up; `round-robin`: each up endpoint in turn. */
  strategy?: Strategy;
  /** The first reconnect delay after a failure, in ms; it doubles with each failure in a row. Default 100. */
  backoffMs?: number;
  /** The longest reconnect delay, in ms. Default 10,000. */
  maxBackoffMs?: number;
  /** How long one connection attempt (connect and handshake) may take, in ms. Default 10,000. */
  connectTimeoutMs?: number;
}

/** Defaults of {@link EndpointsOptions}. */
export const ENDPOINTS_DEFAULTS = Object.freeze({ strategy: 'first-healthy' as Strategy, backoffMs: 100, maxBackoffMs: 10_000, connectTimeoutMs: 10_000 });

/** Where one endpoint stands. */
export interface EndpointState {
  /** Its index in the list. */
  readonly index: number;
  /** `idle` (never tried), `connecting`, `up`, or `backoff` (failed; retried at `retryAt`). */
  readonly state: 'idle' | 'connecting' | 'up' | 'backoff';
  /** Failures in a row (0 once it connects). */
  readonly failures: number;
  /** When the next attempt is due (ms since the epoch), in `backoff`. */
  readonly retryAt: number | undefined;
  /** The last failure, if any. */
  readonly error: Error | undefined;
}

/** One endpoint: its connection, or its attempt, or its backoff. */
class Slot {
  client: Client | null = null;
  connecting: Promise<Client> | null = null;
  failures = 0;
  retryAt = 0;
  error: Error | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  constructor(
    readonly index: number,
    readonly connect: Connect,
  ) {}
}

/**
 * Calls over a list of endpoints, reconnecting as they fail.
 *
 * ```ts
 * const api = new Endpoints([() => socketStream(net.connect(7001, 'a')), () => socketStream(net.connect(7001, 'b'))], { user: 'blog' });
 * await api.call('GET', '/internal/data/q');
 * ```
 */
export class Endpoints {
  readonly options: Readonly<EndpointsOptions>;
  readonly #slots: Slot[];
  readonly #strategy: Strategy;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #connectTimeoutMs: number;
  readonly #clientOptions: ClientOptions;
  /** Round robin: the slot after the one used last. */
  #next = 0;
  #closed = false;

  constructor(endpoints: readonly Connect[], options: EndpointsOptions = {}) {
    if (endpoints.length === 0) throw new RangeError('Endpoints needs at least one endpoint');
    this.options = options;
    this.#slots = endpoints.map((connect, i) => new Slot(i, connect));
    this.#strategy = options.strategy ?? ENDPOINTS_DEFAULTS.strategy;
    if (this.#strategy !== 'first-healthy' && this.#strategy !== 'round-robin') throw new RangeError(`unknown strategy "${String(this.#strategy)}"`);
    this.#backoffMs = positive(options.backoffMs ?? ENDPOINTS_DEFAULTS.backoffMs, 'backoffMs');
    this.#maxBackoffMs = positive(options.maxBackoffMs ?? ENDPOINTS_DEFAULTS.maxBackoffMs, 'maxBackoffMs');
    this.#connectTimeoutMs = positive(options.connectTimeoutMs ?? ENDPOINTS_DEFAULTS.connectTimeoutMs, 'connectTimeoutMs');
    // The handshake may not outlast the attempt it is part of.
    const handshakeTimeoutMs = Math.min(this.#connectTimeoutMs, options.handshakeTimeoutMs ?? Infinity);
    this.#clientOptions = { ...options, handshakeTimeoutMs };
  }

  /** Where each endpoint stands, in list order. */
  get endpoints(): readonly EndpointState[] {
    const now = Date.now();
    return this.#slots.map((slot) => ({
      index: slot.index,
      state: slot.client !== null ? 'up' : slot.connecting !== null ? 'connecting' : slot.failures > 0 ? 'backoff' : 'idle',
      failures: slot.failures,
      retryAt: slot.client === null && slot.connecting === null && slot.failures > 0 ? Math.max(slot.retryAt, now) : undefined,
      error: slot.error,
    }));
  }

  /**
   * A connected client chosen by the strategy, connecting one if none is up: endpoints not in
   * backoff are tried in turn. Rejects with {@link NoEndpointError} (each endpoint's failure in
   * `errors`) when none connects; never waits past the connect timeouts.
   */
  async client(): Promise<Client> {
    if (this.#closed) throw new SessionClosedError('the endpoints were closed');
    const up = this.#pick();
    if (up !== null) return up;
    const errors: Error[] = [];
    const now = Date.now();
    const start = this.#strategy === 'round-robin' ? this.#next : 0;
    for (let k = 0; k < this.#slots.length; k++) {
      const slot = this.#slots[(start + k) % this.#slots.length]!;
      if (slot.client !== null) return this.#use(slot);
      if (slot.connecting === null && slot.failures > 0 && slot.retryAt > now) {
        errors.push(slot.error ?? new Error('in backoff'));
        continue;
      }
      try {
        await this.#connect(slot);
        if (slot.client !== null) return this.#use(slot);
      } catch (error) {
        errors.push(error as Error);
      }
      if (this.#closed) throw new SessionClosedError('the endpoints were closed');
    }
    throw new NoEndpointError(`no endpoint is reachable (${this.#slots.length} tried or in backoff)`, errors);
  }

  /** Connects endpoints ahead of calls: the first reachable one (first-healthy) or every one (round robin). */
  async connect(): Promise<void> {
    if (this.#strategy === 'round-robin') for (const slot of this.#slots) this.#warm(slot);
    await this.client();
  }

  /** A unary call on a chosen endpoint. See `RpcSession.call`. */
  async call(verb: string, path: string, body: Value = null, options?: CallOptions): Promise<Value> {
    return (await this.client()).call(verb, path, body, options);
  }

  /** A call with a streamed reply on a chosen endpoint. See `RpcSession.stream`. */
  async stream(verb: string, path: string, body: Value = null, options?: CallOptions): Promise<Call> {
    return (await this.client()).stream(verb, path, body, options);
  }

  /** A call streaming both ways on a chosen endpoint. See `RpcSession.open`. */
  async open(verb: string, path: string, body: Value = null, options?: OpenOptions): Promise<Call> {
    return (await this.client()).open(verb, path, body, options);
  }

  /** A one-way call on a chosen endpoint. See `RpcSession.deliver`. */
  async deliver(verb: string, path: string, body: Value = null, options?: Omit<CallOptions, 'signal'>): Promise<void> {
    return (await this.client()).deliver(verb, path, body, options);
  }

  /** The manifest of a chosen endpoint's server. */
  async manifest(options?: Omit<CallOptions, 'iface'>): Promise<Manifest> {
    return fetchManifest(await this.client(), options);
  }

  /** Closes every connection and stops reconnecting; later calls reject with `SessionClosedError`. */
  async close(): Promise<void> {
    this.#closed = true;
    const closing: Promise<unknown>[] = [];
    for (const slot of this.#slots) {
      clearTimeout(slot.timer);
      slot.timer = undefined;
      if (slot.client !== null) closing.push(slot.client.close());
      if (slot.connecting !== null) closing.push(slot.connecting.then((client) => client.close(), ignore));
    }
    await Promise.all(closing);
  }

  // ---- choosing ----

  /** A client that is up, by the strategy; null if none is. */
  #pick(): Client | null {
    const slots = this.#slots;
    if (this.#strategy === 'first-healthy') {
      for (const slot of slots) if (slot.client !== null) return slot.client;
      return null;
    }
    for (const slot of slots) if (slot.client === null) this.#warm(slot);
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[(this.#next + k) % slots.length]!;
      if (slot.client !== null) return this.#use(slot);
    }
    return null;
  }

  #use(slot: Slot): Client {
    this.#next = (slot.index + 1) % this.#slots.length;
    return slot.client!;
  }

  // ---- connecting ----

  /** Starts connecting `slot` in the background, unless it is up, connecting or in backoff. */
  #warm(slot: Slot): void {
    if (this.#closed || slot.client !== null || slot.connecting !== null || slot.timer !== undefined) return;
    if (slot.failures > 0 && slot.retryAt > Date.now()) return;
    this.#connect(slot).catch(ignore);
  }

  /** One attempt at `slot` (shared by every caller while it runs). */
  #connect(slot: Slot): Promise<Client> {
    slot.connecting ??= this.#attempt(slot).finally(() => (slot.connecting = null));
    return slot.connecting;
  }

  async #attempt(slot: Slot): Promise<Client> {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    let client: Client;
    try {
      client = await withTimeout(
        (async () => Client.connect(await slot.connect(), this.#clientOptions))(),
        this.#connectTimeoutMs,
        (late) => void late.close(),
      );
    } catch (error) {
      this.#failed(slot, error as Error);
      throw error;
    }
    if (this.#closed) {
      void client.close();
      throw new SessionClosedError('the endpoints were closed');
    }
    slot.client = client;
    slot.failures = 0;
    slot.error = undefined;
    void client.closed.then((error) => {
      if (slot.client !== client) return;
      slot.client = null;
      // A connection that ends, cleanly or not, is retried after the backoff.
      this.#failed(slot, error ?? new SessionClosedError('the server closed the connection'));
    });
    return client;
  }

  /** Puts `slot` in backoff and schedules its next attempt. */
  #failed(slot: Slot, error: Error): void {
    slot.error = error;
    slot.failures++;
    if (this.#closed) return;
    const delay = Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** Math.min(slot.failures - 1, 30));
    // ±20% jitter, so that clients that lost the same server do not come back in step.
    const jittered = Math.round(delay * (0.8 + 0.4 * Math.random()));
    slot.retryAt = Date.now() + jittered;
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      if (!this.#closed && slot.client === null) this.#connect(slot).catch(ignore);
    }, jittered);
  }
}

/** `promise`, or a `HandshakeTimeoutError` after `ms`; a result that comes later goes to `late`. */
function withTimeout<T>(promise: Promise<T>, ms: number, late: (value: T) => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new HandshakeTimeoutError(`connecting took longer than ${ms} ms`));
    }, ms);
  });
  promise.then((value) => timedOut && late(value), ignore);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of ms, got ${value}`);
  return value;
}

function ignore(): void {}
