/**
 * A session's bounds on requests that have not arrived yet (spec/rpc.md §5.2). A peer can open
 * channels and start requests it never finishes; the message limit bounds each one, these bound
 * their sum (`maxPendingBytes`), how long one may take (`requestTimeoutMs`) and, on a server, how
 * many channels a peer may hold open (`mux.maxChannels`).
 */
import type { SessionOptions as MuxOptions } from '@petrichor/mux';
import { DEFAULT_LIMITS, type Limits } from '@petrichor/wire';
import { RpcError } from './errors.js';

/** The largest timer delay (setTimeout's). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** A server session's default channel limit is at least this many times `maxInFlight`. */
const CHANNELS_PER_CALL = 4;

/**
 * The bytes a session holds in first messages still arriving, against a limit. Each call counts
 * the bytes it has read while its first message is incomplete and gives them back once that
 * message is whole, refused or gone.
 */
export class PendingBytes {
  /** The most bytes counted at once. */
  readonly limit: number;
  #held = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Bytes counted now. */
  get held(): number {
    return this.#held;
  }

  /**
   * Counts `bytes` more of a request still arriving. Past the limit it counts nothing and throws
   * 429 — not 413: that request is within the limits; the session holds too many unfinished ones.
   */
  claim(bytes: number): void {
    if (this.#held + bytes > this.limit) {
      throw RpcError.tooManyCalls(`more than ${this.limit} bytes of unfinished requests on this session`);
    }
    this.#held += bytes;
  }

  give(bytes: number): void {
    this.#held -= bytes;
  }
}

/**
 * `maxPendingBytes` checked, or its default: `fallback`, or the largest message if that is more.
 * Never below the largest message, so a request the limits allow always fits on an idle session
 * (the budget's refusal, 429, then always means "too much at once", never "too big").
 */
export function resolvePendingBytes(value: number | undefined, fallback: number, limits: Partial<Limits> | undefined): number {
  const maxMessage = limits?.maxMessageBytes ?? DEFAULT_LIMITS.maxMessageBytes;
  if (value === undefined) return Math.max(fallback, maxMessage);
  if (!Number.isSafeInteger(value) || value < maxMessage) {
    throw new RangeError(`maxPendingBytes must be an integer ≥ maxMessageBytes (${maxMessage}), got ${value}`);
  }
  return value;
}

/** `requestTimeoutMs` checked (0 turns it off). */
export function checkRequestTimeout(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_TIMEOUT_MS) {
    throw new RangeError(`requestTimeoutMs must be an integer in [0, ${MAX_TIMEOUT_MS}], got ${value}`);
  }
  return value;
}

/**
 * A server session's qmux options: `maxChannels` defaults to `fallback`, or to 4 × `maxInFlight`
 * if that is more, rather than qmux's 65,536. A peer needs a channel per call in flight, as many
 * again being answered or refused (429) while their CLOSE crosses, its pool of idle channels and
 * the server's own calls to it: 4 × leaves room for all, and bounds what idle channels cost.
 */
export function serverMuxOptions(mux: MuxOptions | undefined, maxInFlight: number, fallback: number): MuxOptions {
  if (mux?.maxChannels !== undefined) return mux;
  return { ...mux, maxChannels: Math.max(fallback, CHANNELS_PER_CALL * maxInFlight) };
}
