import { UINT32_MAX } from './frame/uint32.js';

/** Tunables of a {@link Session}. Every field is optional; {@link DEFAULTS} documents each default. */
export interface SessionOptions {
  /** Initial window we advertise per channel (bytes the peer may send before we return window). */
  windowSize?: number;
  /** Largest DATA payload we accept (9 … 2^31). */
  maxPacketSize?: number;
  /** Most channels live at once, ours and the peer's together; further opens get OPEN_FAILURE. */
  maxChannels?: number;
  /** Opens confirmed but not yet taken by `accept()`; beyond it OPEN_FAILURE. The read loop never stalls. */
  acceptBacklog?: number;
  /** How long `open()` waits for OPEN_CONFIRM or OPEN_FAILURE before rejecting (0: wait forever). */
  openTimeoutMs?: number;
  /**
   * Consumed bytes a channel collects before it returns them in one WINDOW_ADJUST
   * (1 … windowSize). Default: half of `windowSize`. 1 returns window on every read, as qtalk-go does.
   */
  windowUpdateThreshold?: number;
  /** Bytes queued for the transport beyond which channel writes wait for it to drain. */
  maxQueuedBytes?: number;
  /**
   * Once nothing has been received for this long, send a ping (spec/qmux.md §5.3); 0 turns
   * keepalive off.
   */
  keepaliveIntervalMs?: number;
  /**
   * After a keepalive ping, how long to wait for any byte from the peer before the session ends
   * with `KeepaliveTimeoutError`; also how long {@link Session.ping} waits for its answer.
   */
  keepaliveTimeoutMs?: number;
}

/** Every option resolved to a value. */
export type ResolvedOptions = Required<SessionOptions>;

/**
 * Defaults of {@link SessionOptions} (spec/qmux.md §7). qtalk-go advertises a 1 GiB window and
 * 16 MiB packets, which means no back-pressure at all; ours keep a slow reader's memory bounded.
 */
export const DEFAULTS = Object.freeze({
  /**
   * 1 MiB: enough bytes in flight to keep one channel at loopback TCP speed (256 KiB measured
   * 0.6–0.8× plain TCP in the one-channel bulk benchmark, 1 MiB ≈ 1×), while a reader that stops
   * holds at most this much per channel.
   */
  windowSize: 1024 * 1024,
  /**
   * 64 KiB: one DATA per typical 64 KiB write, so the 9-byte header and per-message work are
   * noise, yet small enough that channels interleave fairly on one connection.
   */
  maxPacketSize: 64 * 1024,
  /** 65,536: bounds the ids and per-channel state (about 300 bytes idle) a peer can make us hold. */
  maxChannels: 65_536,
  /**
   * 256: a burst of opens read in one chunk queues here until the accept loop runs; a peer that
   * fills it and its windows makes us hold at most 256 × windowSize.
   */
  acceptBacklog: 256,
  /** 30 s: qtalk-go's own accept timeout; a peer that has not answered by then is not going to. */
  openTimeoutMs: 30_000,
  /** 1 MiB: enough to keep a fast transport busy between flushes; channel writers wait beyond it. */
  maxQueuedBytes: 1024 * 1024,
  /**
   * 30 s: well inside the idle timeouts of NATs, load balancers and proxies (often 60 s or more),
   * and one 13-byte ping per half minute of silence costs nothing.
   */
  keepaliveIntervalMs: 30_000,
  /**
   * 10 s: a live peer answers in a round trip; a dead one is noticed within 40 s of silence
   * instead of the hours TCP takes.
   */
  keepaliveTimeoutMs: 10_000,
});

/** Smallest and largest max packet, ours or a peer's (as qtalk-go): spec/qmux.md §6. */
export const MIN_PACKET = 9;
export const MAX_PACKET = 2 ** 31;
const MAX_MS = 2 ** 31 - 1; // setTimeout's limit

/** Each option's range (windowUpdateThreshold's depends on windowSize: it is checked apart). */
const RANGES: Readonly<Record<keyof typeof DEFAULTS, readonly [min: number, max: number]>> = {
  windowSize: [1, UINT32_MAX],
  maxPacketSize: [MIN_PACKET, MAX_PACKET],
  maxChannels: [1, UINT32_MAX],
  acceptBacklog: [0, UINT32_MAX],
  openTimeoutMs: [0, MAX_MS],
  maxQueuedBytes: [1, Number.MAX_SAFE_INTEGER],
  keepaliveIntervalMs: [0, MAX_MS],
  keepaliveTimeoutMs: [1, MAX_MS],
};

function check(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** Fills defaults and validates: throws RangeError on a value outside its documented range. */
export function resolveOptions(options: SessionOptions | undefined): ResolvedOptions {
  const given: SessionOptions = { ...DEFAULTS, ...options };
  const resolved = {} as Record<keyof SessionOptions, number>;
  for (const [name, [min, max]] of Object.entries(RANGES) as [keyof typeof DEFAULTS, readonly [number, number]][]) {
    resolved[name] = check(name, given[name]!, min, max);
  }
  const { windowSize } = resolved;
  const threshold = options?.windowUpdateThreshold ?? Math.max(1, Math.floor(windowSize / 2));
  resolved.windowUpdateThreshold = check('windowUpdateThreshold', threshold, 1, windowSize);
  return resolved;
}
