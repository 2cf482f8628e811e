/**
 * Pass or fail: every check the soak makes on a finished run, as plain data in and a list of
 * failures out (empty: the run passed).
 */
import type { Drive, Ledger } from './driver.js';
import type { Finished } from './protocol.js';
import type { HeapTrend } from './stats.js';
import { KINDS } from './workload.js';

const MiB = 1024 * 1024;

/** What a run produced, for the checks and the report. */
export interface Outcome {
  calls: number;
  ledger: Ledger;
  drive: Drive;
  server: Finished;
  heap: { client: HeapTrend; server: HeapTrend };
  heapToleranceMiB: number;
}

/** Every check that failed, in words; empty when the run passed. */
export function failures(outcome: Outcome): string[] {
  const { ledger, drive, server, calls } = outcome;
  const failed: string[] = [];
  if (drive.stoppedByDeadline) failed.push(`time limit: only ${drive.issued.toLocaleString('en-US')} of ${calls.toLocaleString('en-US')} calls were made`);
  const missing = ledger.missing(drive.issued);
  if (missing > 0) failed.push(`lost: ${missing} calls never completed`);
  if (ledger.wrong > 0) failed.push(`wrong: ${ledger.wrong} replies did not match their request`);
  if (ledger.unexpected > 0) failed.push(`unexpected errors: ${ledger.unexpected}`);
  if (ledger.duplicated > 0) failed.push(`duplicated: ${ledger.duplicated} calls completed twice`);
  for (const kind of KINDS) {
    const { sent, ok } = ledger.byKind[kind];
    if (ok !== sent) failed.push(`${kind}: ${ok} of ${sent} calls had the expected outcome`);
  }

  const served = server.served;
  if (served.unary !== ledger.byKind.unary.sent) failed.push(`unary: the server served ${served.unary}, ${ledger.byKind.unary.sent} were sent`);
  if (served.stream !== ledger.byKind.stream.sent) failed.push(`stream: the server served ${served.stream}, ${ledger.byKind.stream.sent} were sent`);
  if (served.error !== ledger.conflicts) failed.push(`error: the server threw ${served.error} 409s, the callers saw ${ledger.conflicts}`);
  const delivered = ledger.byKind.deliver.ok;
  if (served.deliver < delivered) failed.push(`lost: the server accepted ${served.deliver} of ${delivered} deliveries`);
  if (served.deliver > delivered) failed.push(`duplicated: the server accepted ${served.deliver} deliveries, ${delivered} were sent`);
  if (served.duplicateDeliveries > 0) failed.push(`duplicated: ${served.duplicateDeliveries} deliveries arrived twice`);
  if (served.deliver === delivered && served.deliverySum !== ledger.deliverySum) failed.push('deliver: the server accepted other deliveries than those sent');

  for (const side of ['client', 'server'] as const) {
    const trend = outcome.heap[side];
    if (trend.samples < 2) failed.push(`heap (${side}): fewer than two samples after warm-up`);
    else if (trend.growth > outcome.heapToleranceMiB * MiB) {
      failed.push(`heap (${side}): grew ${(trend.growth / MiB).toFixed(1)} MiB after warm-up, over the ${outcome.heapToleranceMiB} MiB allowed`);
    }
  }
  return failed;
}
