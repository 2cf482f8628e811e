/**
 * Petrichor's benchmark harness. Benchmarks, never timed tests: these machines are shared and
 * noisy, so every suite runs our code and its peers interleaved in one sitting and reports
 * ratios, which survive noise far better than absolute numbers.
 *
 * Two shapes:
 * - {@link micro}: a synchronous operation repeated in calibrated batches (codecs).
 * - {@link scenario}: an async run timed end to end, repeated a few times (transfers, calls).
 *
 * Each candidate is measured in several rounds whose order rotates, and the median is kept.
 */

export interface MicroCandidate {
  name: string;
  /** One operation. Its result is kept in a sink so the JIT cannot drop the work. */
  fn: () => unknown;
}

export interface ScenarioCandidate<R = unknown> {
  name: string;
  /** Set up anything that must not be timed; returns the timed run and a teardown. */
  setup?: () => Promise<void> | void;
  /** The timed run. May return a value that {@link ScenarioOptions.describe} turns into extra columns. */
  run: () => Promise<R>;
  teardown?: () => Promise<void> | void;
}

export interface MicroOptions {
  /** Bytes processed by one operation: adds a MB/s column. */
  bytesPerOp?: number;
  /** Candidates whose ratio columns are printed (default: the first candidate). */
  baselines?: string[];
  /** Rounds per candidate (default 7, or 3 with BENCH_QUICK). */
  rounds?: number;
  /** Target time of one batch in ms (default 150, or 40 with BENCH_QUICK). */
  batchMs?: number;
}

export interface ScenarioOptions<R = unknown> {
  /** Rounds per candidate (default 3, or 1 with BENCH_QUICK). */
  rounds?: number;
  /** Candidates whose ratio columns are printed (default: the first candidate). */
  baselines?: string[];
  /** How to read a run: `time` (lower is better, the default) or a rate the run computes. */
  metric?: { label: string; from: (result: R, ms: number) => number; higherIsBetter: boolean };
  /** Extra columns from the median run's result (for example p50/p99 latency). */
  describe?: (result: R) => Record<string, string>;
}

export interface Row {
  suite: string;
  name: string;
  value: number;
  label: string;
  higherIsBetter: boolean;
  extra: Record<string, string>;
}

export const quick = process.env['BENCH_QUICK'] === '1';
export const results: Row[] = [];
let sink: unknown;

/** Keeps a value alive so an optimising compiler cannot prove the benchmarked work is dead. */
export function keep(value: unknown): void {
  sink = value;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Runs `fn` n times and returns elapsed milliseconds. */
function timeBatch(fn: () => unknown, n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) sink = fn();
  return performance.now() - start;
}

/** Measures synchronous operations; prints ops/s, optional MB/s and ratios. */
export function micro(suite: string, candidates: MicroCandidate[], options: MicroOptions = {}): Row[] {
  const rounds = options.rounds ?? (quick ? 3 : 7);
  const batchMs = options.batchMs ?? (quick ? 40 : 150);
  // Calibrate each candidate: warm it up and find a batch size that runs for about batchMs.
  const sizes = candidates.map((c) => {
    let n = 1;
    for (let guard = 0; guard < 40; guard++) {
      const ms = timeBatch(c.fn, n);
      if (ms >= batchMs / 4) return Math.max(1, Math.round((n * batchMs) / Math.max(ms, 0.001)));
      n *= 4;
    }
    return n;
  });
  const samples = candidates.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (const i of rotate([...candidates.keys()], r)) {
      const n = sizes[i]!;
      samples[i]!.push((n * 1000) / timeBatch(candidates[i]!.fn, n));
    }
  }
  const rows = candidates.map((c, i): Row => {
    const opsPerSec = median(samples[i]!);
    const extra: Record<string, string> = {};
    if (options.bytesPerOp) extra['MB/s'] = ((opsPerSec * options.bytesPerOp) / 1e6).toFixed(1);
    return { suite, name: c.name, value: opsPerSec, label: 'ops/s', higherIsBetter: true, extra };
  });
  print(suite, rows, options.baselines ?? [candidates[0]!.name]);
  keep(sink);
  return rows;
}

/** Measures async end-to-end runs; prints the median time (or a derived rate) and ratios. */
export async function scenario<R>(
  suite: string,
  candidates: ScenarioCandidate<R>[],
  options: ScenarioOptions<R> = {},
): Promise<Row[]> {
  const rounds = options.rounds ?? (quick ? 1 : 3);
  const runs = candidates.map(() => [] as { ms: number; result: R }[]);
  for (const c of candidates) await c.setup?.();
  try {
    for (let r = 0; r < rounds; r++) {
      for (const i of rotate([...candidates.keys()], r)) {
        const start = performance.now();
        const result = await candidates[i]!.run();
        runs[i]!.push({ ms: performance.now() - start, result });
      }
    }
  } finally {
    for (const c of candidates) await c.teardown?.();
  }
  const metric = options.metric;
  const rows = candidates.map((c, i): Row => {
    const scored = runs[i]!.map((run) => ({ ...run, score: metric ? metric.from(run.result, run.ms) : run.ms }));
    scored.sort((a, b) => a.score - b.score);
    const mid = scored[(scored.length - 1) >> 1]!;
    return {
      suite,
      name: c.name,
      value: mid.score,
      label: metric?.label ?? 'ms',
      higherIsBetter: metric?.higherIsBetter ?? false,
      extra: options.describe?.(mid.result) ?? {},
    };
  });
  print(suite, rows, options.baselines ?? [candidates[0]!.name]);
  return rows;
}

/** Speed of `row` relative to `base`: above 1 means `row` is faster, whatever the metric. */
export function speedRatio(row: Row, base: Row): number {
  return row.higherIsBetter ? row.value / base.value : base.value / row.value;
}

function format(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  if (value >= 100) return value.toFixed(0);
  return value.toFixed(2);
}

function print(suite: string, rows: Row[], baselines: string[]): void {
  results.push(...rows);
  const bases = baselines
    .map((name) => rows.find((r) => r.name === name))
    .filter((r): r is Row => r !== undefined);
  const extraKeys = [...new Set(rows.flatMap((r) => Object.keys(r.extra)))];
  const header = ['', rows[0]?.label ?? '', ...extraKeys, ...bases.map((b) => `× ${b.name}`)];
  const body = rows.map((r) => [
    r.name,
    format(r.value),
    ...extraKeys.map((k) => r.extra[k] ?? ''),
    ...bases.map((b) => `${speedRatio(r, b).toFixed(2)}×`),
  ]);
  const widths = header.map((h, col) => Math.max(h.length, ...body.map((line) => line[col]!.length)));
  const line = (cells: string[]) => cells.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
  console.log(`\n## ${suite}`);
  console.log(line(header));
  for (const cells of body) console.log(line(cells));
}
