/** The soak's printed figures: one block of plain text, the same for a person and for the test. */
import type { Outcome } from './checks.js';
import type { HeapSample, HeapTrend } from './stats.js';
import { KINDS } from './workload.js';

/** What the report shows beyond the outcome. */
export interface ReportInput extends Outcome {
  concurrency: number;
  connections: number;
  elapsedMs: number;
  samples: { client: readonly HeapSample[]; server: readonly HeapSample[] };
  /** The span of completed calls the heap trend was fitted over. */
  warmupCalls: number;
  loadedUntil: number;
  failed: readonly string[];
}

const n = (value: number): string => Math.round(value).toLocaleString('en-US');
const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
const signedMib = (bytes: number): string => `${bytes >= 0 ? '+' : '−'}${mib(Math.abs(bytes))}`;
const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

/** The report, line by line. */
export function report(input: ReportInput): string {
  const { ledger, server } = input;
  const seconds = input.elapsedMs / 1000;
  const lines = [
    `calls      ${n(ledger.completed)} in ${seconds.toFixed(1)} s: ${n(ledger.completed / seconds)} calls/s, ${n(input.concurrency)} in flight over ${input.connections} connections`,
    `latency    p50 ${ms(ledger.latency.quantileMs(0.5))}  p99 ${ms(ledger.latency.quantileMs(0.99))}  max ${ms(ledger.latency.maxMs)}`,
    '',
    'kind           sent         ok     served',
  ];
  const served: Record<(typeof KINDS)[number], number> = {
    unary: server.served.unary,
    stream: server.served.stream,
    deliver: server.served.deliver,
    error: server.served.error,
  };
  const notes: Record<(typeof KINDS)[number], string> = {
    unary: 'echoes, each checked',
    stream: `${n(ledger.items)} items, each checked`,
    deliver: `one-way; arrived within ${n(server.waitedMs)} ms of the end`,
    error: `${n(ledger.notFound)} × 404 (no route), ${n(ledger.conflicts)} × 409 (served by a handler)`,
  };
  for (const kind of KINDS) {
    const { sent, ok } = ledger.byKind[kind];
    lines.push(`${kind.padEnd(8)} ${n(sent).padStart(10)} ${n(ok).padStart(10)} ${n(served[kind]).padStart(10)}   ${notes[kind]}`);
  }
  lines.push(
    `problems   lost ${n(ledger.missing(input.drive.issued) + Math.max(0, ledger.byKind.deliver.ok - server.served.deliver))}  duplicated ${n(ledger.duplicated + server.served.duplicateDeliveries)}  wrong ${n(ledger.wrong)}  unexpected errors ${n(ledger.unexpected)}`,
    `server     peak ${n(server.peakChannels)} channels open, peak ${n(server.peakInFlight)} calls being served, ${server.sessions} sessions`,
    '',
    'heap+external (full GC) start     warm-up    end of load     drained         max   slope/100k calls   growth after warm-up   max RSS',
    heapLine('client', input.samples.client, input.heap.client),
    heapLine('server', input.samples.server, input.heap.server),
    `           fitted from call ${n(input.warmupCalls)} to call ${n(input.loadedUntil)} (after warm-up, every caller busy); growth allowed: ${input.heapToleranceMiB} MiB a side`,
    '',
  );
  for (const problem of ledger.problems) lines.push(`  ${problem}`);
  for (const failure of input.failed) lines.push(`FAIL ${failure}`);
  lines.push(input.failed.length === 0 ? 'PASS' : `FAIL (${input.failed.length} ${input.failed.length === 1 ? 'check' : 'checks'} failed)`);
  return lines.join('\n');
}

function heapLine(side: string, samples: readonly HeapSample[], trend: HeapTrend): string {
  const start = samples[0]?.heap ?? 0;
  const drained = samples.at(-1)?.heap ?? 0;
  const cells = [mib(start), mib(trend.start), mib(trend.end), mib(drained), mib(trend.max), signedMib(trend.slopePer100k), signedMib(trend.growth), mib(trend.maxRss)];
  const widths = [9, 11, 14, 11, 11, 18, 22, 10];
  return `${side.padEnd(12)}${cells.map((c, i) => c.padStart(widths[i]!)).join(' ')}`;
}
