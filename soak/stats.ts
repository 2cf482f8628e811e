/**
 * The soak's arithmetic: a bounded latency histogram and the heap trend. Pure, so the test and
 * the report read the same numbers.
 */

/** Sub-buckets per power of two: values are kept to within 1/64 (about 1.6 %). */
const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
/** Powers of two covered above the linear range: up to 2^40 µs (12 days), far past any cap. */
const OCTAVES = 40;

/**
 * Latencies in microseconds, in log-linear buckets: a fixed 21 KB however many calls, so a
 * million samples do not grow the heap the soak is watching.
 */
export class Histogram {
  readonly #counts = new Float64Array(SUB * (OCTAVES + 1));
  #total = 0;
  #max = 0;

  /** Records one duration in milliseconds. */
  record(ms: number): void {
    const us = Math.max(0, Math.round(ms * 1000));
    this.#counts[bucketOf(us)]!++;
    this.#total++;
    if (us > this.#max) this.#max = us;
  }

  get count(): number {
    return this.#total;
  }

  /** The largest value recorded, in ms. */
  get maxMs(): number {
    return this.#max / 1000;
  }

  /** The value (ms) below which a fraction `q` (0 … 1) of the recorded values fall. */
  quantileMs(q: number): number {
    if (this.#total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#total));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(upperOf(i), this.#max) / 1000;
    }
    return this.#max / 1000;
  }
}

function bucketOf(us: number): number {
  if (us < SUB) return us;
  const octave = Math.min(OCTAVES, Math.floor(Math.log2(us)) - SUB_BITS + 1);
  return octave * SUB + Math.min(SUB - 1, Math.floor(us / 2 ** (octave - 1)) - SUB);
}

/** The largest value (µs) that falls in bucket `i`. */
function upperOf(i: number): number {
  const octave = Math.floor(i / SUB);
  if (octave === 0) return i;
  return (SUB + (i % SUB) + 1) * 2 ** (octave - 1) - 1;
}

/** One heap reading, taken after a full collection (a `type`: it travels as an rpc value). */
export type HeapSample = {
  /** Calls completed when it was taken. */
  calls: number;
  /**
   * The JS heap in use plus the memory outside it that its objects hold (ArrayBuffers: every
   * message's bytes), in bytes: a leak of either shows.
   */
  heap: number;
  rss: number;
};

/** The heap over the loaded part of a run, after warm-up. */
export interface HeapTrend {
  /** Samples the trend was fitted to (from warm-up to the last one under full load). */
  samples: number;
  /** `heap` at the first and last of them, and the largest. */
  start: number;
  end: number;
  max: number;
  /** Largest RSS over the whole run. */
  maxRss: number;
  /** Least-squares slope of `heap` against calls, in bytes per 100,000 calls. */
  slopePer100k: number;
  /** What the fitted line grows by over the fitted span, in bytes: the figure checked. */
  growth: number;
}

/**
 * Fits the heap trend to the samples taken between `fromCalls` and `toCalls` completed calls: after
 * warm-up, and while every caller was still busy (a drained heap is lower, and would hide growth).
 */
export function heapTrend(samples: readonly HeapSample[], fromCalls: number, toCalls: number): HeapTrend {
  const kept = samples.filter((s) => s.calls >= fromCalls && s.calls <= toCalls);
  const maxRss = samples.reduce((m, s) => Math.max(m, s.rss), 0);
  if (kept.length === 0) return { samples: 0, start: 0, end: 0, max: 0, maxRss, slopePer100k: 0, growth: 0 };
  const first = kept[0]!;
  const last = kept[kept.length - 1]!;
  const slope = slopeOf(kept);
  return {
    samples: kept.length,
    start: first.heap,
    end: last.heap,
    max: kept.reduce((m, s) => Math.max(m, s.heap), 0),
    maxRss,
    slopePer100k: slope * 100_000,
    growth: slope * (last.calls - first.calls),
  };
}

/** Least-squares slope of `heap` (bytes) per call; 0 with fewer than two distinct points. */
export function slopeOf(samples: readonly HeapSample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  for (const s of samples) {
    sx += s.calls;
    sy += s.heap;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.calls - mx) * (s.heap - my);
    den += (s.calls - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
