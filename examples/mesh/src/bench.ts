/**
 * The load driver: renders blog post pages through the mesh on each stack in turn, in the same
 * run, and prints pages/s, p50/p99 page latency, inter-service calls/s and the error rate side
 * by side, with the ratio ours/http.
 *
 *   pnpm mesh:bench [-- --quick] [--seconds 5] [--rounds 3] [--concurrency 16] [--stacks petrichor,petrichor+signed,http]
 *
 * Each stack runs as four service processes (./cluster.ts); this process is the front end. A
 * round gives each stack the same fixed time at the same concurrency; rounds alternate which
 * stack goes first, so a burst of load from elsewhere on the machine does not all land on one.
 * Before measuring, the same pages are rendered on every stack and compared byte for byte.
 * `MESH_CPU_PROF=dir` writes a CPU profile of every service process into `dir`.
 */
import { pathToFileURL } from 'node:url';
import { startCluster, type Cluster } from './cluster.js';
import { isDeleted, SIZE, userId } from './data.js';
import { FRONTEND, type Fields, type MeshClient } from './mesh.js';
import { dial, parseStack, stackName } from './stack.js';

/** What a run does. */
export interface BenchOptions {
  /** Stacks, by name (./stack.ts); the last one is the baseline of the ratio row. */
  readonly stacks: readonly string[];
  /** Pages in flight at once. */
  readonly concurrency: number;
  /** Rounds; each gives every stack `seconds`. */
  readonly rounds: number;
  readonly seconds: number;
  /** Pages rendered per stack before measuring (JIT warm, connections open). */
  readonly warmup: number;
  /** A page that takes longer than this fails (so a stuck call cannot stall the run). */
  readonly pageTimeoutMs: number;
}

/** The full run's settings, and `--quick`'s. */
export const FULL: BenchOptions = { stacks: ['petrichor', 'petrichor:tnetstring', 'petrichor+signed', 'http'], concurrency: 16, rounds: 3, seconds: 5, warmup: 400, pageTimeoutMs: 10_000 };
export const QUICK: BenchOptions = { ...FULL, stacks: ['petrichor', 'http'], concurrency: 8, rounds: 1, seconds: 1, warmup: 40 };

const CURRENCIES = ['EUR', 'GBP', 'USD', 'SEK'];

/** The params of page `i`: posts, viewers and currencies taken in a fixed order, the same on every stack. */
export function pageParams(i: number): Fields {
  let viewer = (i * 13 + 1) % SIZE.users;
  if (isDeleted(viewer)) viewer++; // a viewer is someone signed in
  return { id: `p${(i * 7) % SIZE.posts}`, viewer: userId(viewer), currency: CURRENCIES[i % CURRENCIES.length]! };
}

/** One stack's totals over every round. */
interface Totals {
  pages: number;
  failed: number;
  ms: number;
  latencies: number[];
  calls: number;
  notFound: number;
  callErrors: number;
  cpuMs: number;
  /** pages/s of each round, to show the spread. */
  rounds: number[];
}

/** Renders pages at `concurrency` for `seconds`; every worker stops by the clock (a page is bounded by `pageTimeoutMs`). */
async function load(front: MeshClient, totals: Totals, options: BenchOptions, first: number): Promise<void> {
  const stop = performance.now() + options.seconds * 1000;
  let i = first;
  const worker = async (): Promise<void> => {
    while (performance.now() < stop) {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          front.fetchPage('post', pageParams(i++)),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('page timed out')), options.pageTimeoutMs))),
        ]);
        totals.latencies.push(performance.now() - started);
        totals.pages++;
      } catch {
        totals.failed++;
      } finally {
        clearTimeout(timer);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** Runs the bench; prints with `log`; resolves with the exit code (1 if the pages differ or any failed). */
export async function runBench(options: BenchOptions, log: (line: string) => void = console.log): Promise<number> {
  const running: { name: string; cluster: Cluster; front: MeshClient; totals: Totals }[] = [];
  try {
    // Started side by side (most of it is Node loading TypeScript); a stack that fails to start still gets closed.
    const started = await Promise.allSettled(
      options.stacks.map(async (name) => {
        const stack = parseStack(name);
        const cluster = await startCluster(stack);
        try {
          const front = await dial(stack, FRONTEND, cluster.keys[FRONTEND]!, { blog: cluster.urls.blog });
          running.push({ name: stackName(stack), cluster, front, totals: { pages: 0, failed: 0, ms: 0, latencies: [], calls: 0, notFound: 0, callErrors: 0, cpuMs: 0, rounds: [] } });
        } catch (error) {
          await cluster.close();
          throw error;
        }
      }),
    );
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    running.sort((a, b) => options.stacks.indexOf(a.name) - options.stacks.indexOf(b.name));
    log(
      `mesh bench: blog post pages, ${options.concurrency} in flight, ${options.rounds} round(s) × ${options.seconds} s per stack; ` +
        `each page is 1 front-end call and ~21 inter-service calls (one 404, one deliver)`,
    );

    // The same pages, byte for byte, on every stack.
    let same = true;
    let bytes = 0;
    for (let i = 0; i < 8; i++) {
      const pages = await Promise.all(running.map((r) => r.front.fetchPage('post', pageParams(i))));
      bytes = Buffer.byteLength(pages[0]!);
      if (!pages.every((page) => page === pages[0])) {
        same = false;
        log(`page ${i} differs between ${running.map((r) => r.name).join(' and ')}`);
      }
    }
    log(same ? `same pages on every stack: yes (a page is ${bytes} bytes of HTML)` : 'same pages on every stack: NO');

    for (const r of running) {
      const batch = Math.max(1, options.concurrency);
      for (let i = 0; i < options.warmup; i += batch) {
        await Promise.all(Array.from({ length: Math.min(batch, options.warmup - i) }, (_, k) => r.front.fetchPage('post', pageParams(i + k))));
      }
    }

    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? running : [...running].reverse();
      for (const r of order) {
        const before = await r.cluster.stats();
        const cpu = process.cpuUsage();
        const started = performance.now();
        const pages = r.totals.pages;
        await load(r.front, r.totals, options, round * 100_000);
        const ms = performance.now() - started;
        r.totals.ms += ms;
        r.totals.rounds.push(((r.totals.pages - pages) * 1000) / ms);
        const used = process.cpuUsage(cpu);
        const after = await r.cluster.stats();
        r.totals.calls += after.calls.calls - before.calls.calls;
        r.totals.notFound += after.calls.notFound - before.calls.notFound;
        r.totals.callErrors += after.calls.errors - before.calls.errors;
        r.totals.cpuMs += after.cpuMs - before.cpuMs + (used.user + used.system) / 1000;
      }
    }

    const rows = running.map(({ name, totals: t }) => {
      const sorted = [...t.latencies].sort((a, b) => a - b);
      const seconds = t.ms / 1000;
      return {
        name,
        pagesPerS: t.pages / seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        callsPerS: t.calls / seconds,
        callsPerPage: t.calls / Math.max(1, t.pages),
        notFoundPerPage: t.notFound / Math.max(1, t.pages),
        errorRate: (t.failed + t.callErrors) / Math.max(1, t.pages + t.failed + t.calls),
        cpuMsPerPage: t.cpuMs / Math.max(1, t.pages),
        pages: t.pages,
        failed: t.failed,
      };
    });
    const cols = (cells: readonly string[]): string => cells.map((cell, k) => (k === 0 ? cell.padEnd(20) : cell.padStart(12))).join('');
    const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-');
    log('');
    log(cols(['stack', 'pages/s', 'p50 ms', 'p99 ms', 'calls/s', 'calls/page', '404s/page', 'errors', 'CPU ms/page']));
    for (const row of rows) {
      log(
        cols([
          row.name,
          fixed(row.pagesPerS, 0),
          fixed(row.p50, 2),
          fixed(row.p99, 2),
          fixed(row.callsPerS, 0),
          fixed(row.callsPerPage, 1),
          fixed(row.notFoundPerPage, 2),
          `${fixed(row.errorRate * 100, 2)}%`,
          fixed(row.cpuMsPerPage, 2),
        ]),
      );
    }
    const base = rows[rows.length - 1]!;
    for (const row of rows.slice(0, -1)) {
      const ratio = (a: number, b: number): string => `${fixed(a / b, 2)}×`;
      log(
        cols([
          `${row.name}/${base.name}`,
          ratio(row.pagesPerS, base.pagesPerS),
          ratio(row.p50, base.p50),
          ratio(row.p99, base.p99),
          ratio(row.callsPerS, base.callsPerS),
          '',
          '',
          '',
          ratio(row.cpuMsPerPage, base.cpuMsPerPage),
        ]),
      );
    }
    if (options.rounds > 1) log(`pages/s by round: ${running.map((r) => `${r.name} ${r.totals.rounds.map((n) => n.toFixed(0)).join(' / ')}`).join('; ')}`);
    log('');
    log(`(${rows.map((row) => `${row.name}: ${row.pages} pages, ${row.failed} failed`).join('; ')}; this machine is shared: compare ratios, not absolutes)`);
    return same && rows.every((row) => row.failed === 0 && row.pages > 0) ? 0 : 1;
  } finally {
    for (const r of running) {
      await r.front.close();
      await r.cluster.close();
    }
  }
}

/** `--quick`, `--seconds N`, `--rounds N`, `--concurrency N`, `--warmup N`, `--stacks a,b`. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  let options: BenchOptions = argv.includes('--quick') ? QUICK : FULL;
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k]!;
    const value = argv[k + 1] ?? '';
    const count = (min: number, max: number): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${arg}: expected an integer from ${min} to ${max}`);
      k++;
      return n;
    };
    if (arg === '--seconds') options = { ...options, seconds: count(1, 600) };
    else if (arg === '--rounds') options = { ...options, rounds: count(1, 100) };
    else if (arg === '--concurrency') options = { ...options, concurrency: count(1, 1024) };
    else if (arg === '--warmup') options = { ...options, warmup: count(0, 100_000) };
    else if (arg === '--stacks') {
      options = { ...options, stacks: value.split(',').map((name) => stackName(parseStack(name))) };
      k++;
    } else if (arg !== '--quick' && arg !== '--') throw new RangeError(`unknown option ${arg}`);
  }
  return options;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.exitCode = await runBench(parseArgs(process.argv.slice(2)));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  }
}
