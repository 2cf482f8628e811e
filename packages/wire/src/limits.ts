/**
 * Limits on what a decoder accepts. Each one blocks a way for a peer to make us spend memory or
 * time it has not paid for in bytes; every decoder checks them before it buffers or allocates.
 */
export interface Limits {
  /**
   * Largest message, HEADER and BODY together, in bytes. Default 16 MiB: room for multi-megabyte
   * bodies while bounding what one message can make a reader buffer.
   */
  maxMessageBytes: number;
  /** Largest HEADER in bytes. Default 64 KiB: headers are small; a huge one is an attack or a bug. */
  maxHeaderBytes: number;
  /**
   * Largest single element anywhere in a value, in bytes: a tnetstring at any depth (a list's
   * or dict's whole DATA included), a msgpack `str` or `bin` (and a whole msgpack value), an
   * s-expression atom. A message's HEADER and BODY are elements too. Default 16 MiB.
   */
  maxElementBytes: number;
  /**
   * Deepest nesting of lists and dicts. Default 64: deep enough for real data, far from the
   * stack's end. At most {@link MAX_DEPTH} (1000), so that decoders may recurse once per level
   * without ever overflowing the call stack.
   */
  maxDepth: number;
  /**
   * Most items in one list, or pairs in one dict. Default 1,000,000: bounds the per-item
   * overhead (tens of bytes of heap each) that tiny encoded items could otherwise multiply.
   */
  maxCollectionLength: number;
}

/** The largest `maxDepth` accepted, and the deepest value an encoder writes: 1000 levels. */
export const MAX_DEPTH = 1000;

/** The defaults documented on {@link Limits}. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxMessageBytes: 16 * 1024 * 1024,
  maxHeaderBytes: 64 * 1024,
  maxElementBytes: 16 * 1024 * 1024,
  maxDepth: 64,
  maxCollectionLength: 1_000_000,
});

/**
 * Fills defaults and checks that every given limit is a positive safe integer (and `maxDepth` at
 * most {@link MAX_DEPTH}); throws `RangeError` otherwise, since that is a programming error.
 */
export function resolveLimits(limits: Partial<Limits> | undefined): Limits {
  if (limits === undefined) return DEFAULT_LIMITS;
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`limit ${name} must be a positive safe integer, got ${String(value)}`);
    }
  }
  if (resolved.maxDepth > MAX_DEPTH) {
    throw new RangeError(`limit maxDepth must be at most ${MAX_DEPTH}, got ${resolved.maxDepth}`);
  }
  return resolved;
}
