/**
 * The callers: `concurrency` workers spread over the connections, each making one call at a time
 * until `calls` have been made, checking every reply against its sequence number. What they saw
 * goes into a {@link Ledger}; nothing here decides pass or fail (checks.ts does).
 */
import { RpcError, type Client } from '@petrichor/rpc';
import { Histogram } from './stats.js';
import { expects404, kindOf, streamLength, textOf, type Kind } from './workload.js';

/** Problems kept word for word (the rest are only counted). */
const KEEP = 10;

/** Per kind: calls made, and calls whose outcome was the expected one. */
export interface KindCounts {
  sent: number;
  ok: number;
}

/** Everything the callers saw. */
export class Ledger {
  readonly byKind: Record<Kind, KindCounts> = {
    unary: { sent: 0, ok: 0 },
    stream: { sent: 0, ok: 0 },
    deliver: { sent: 0, ok: 0 },
    error: { sent: 0, ok: 0 },
  };
  readonly latency = new Histogram();
  /**
   * Completed calls per sequence number: a second completion is a duplicate. (Each caller awaits
   * its own call, so a lost reply shows as that call's deadline, 408, an unexpected error.)
   */
  readonly #done: Uint8Array;
  completed = 0;
  /** Stream items received (and checked). */
  items = 0;
  /** Expected errors seen, by status. */
  notFound = 0;
  conflicts = 0;
  /** Sum of the sequence numbers delivered without error: the server must report the same. */
  deliverySum = 0;
  /** Replies whose content was not what the request asked for. */
  wrong = 0;
  /** Errors no call should have had (the call deadline, 408, among them). */
  unexpected = 0;
  /** A sequence number completed twice. */
  duplicated = 0;
  readonly problems: string[] = [];

  constructor(calls: number) {
    this.#done = new Uint8Array(calls);
  }

  /** Calls never completed among the first `issued` (none, once every worker has returned). */
  missing(issued: number): number {
    let missing = 0;
    for (let seq = 0; seq < issued; seq++) if (this.#done[seq] === 0) missing++;
    return missing;
  }

  /** Records the end of call `seq`; returns the number of calls completed so far. */
  complete(seq: number): number {
    if (this.#done[seq] === 1) this.problem('duplicated', `call ${seq} completed twice`);
    this.#done[seq] = 1;
    return ++this.completed;
  }

  problem(what: 'wrong' | 'unexpected' | 'duplicated', text: string): void {
    this[what]++;
    if (this.problems.length < KEEP) this.problems.push(`${what}: ${text}`);
  }
}

/** How the run goes. */
export interface DriveOptions {
  calls: number;
  concurrency: number;
  callTimeoutMs: number;
  /** No call starts after this (performance.now() time). */
  deadline: number;
  /** Called after each call completes, with the number completed (samples, progress). */
  onComplete: (completed: number) => void;
}

/** What a drive did: how many calls it started, and whether the deadline stopped it. */
export interface Drive {
  issued: number;
  stoppedByDeadline: boolean;
}

/** Runs the calls over `clients` and fills `ledger`; resolves once every worker has returned. */
export async function drive(clients: readonly Client[], ledger: Ledger, options: DriveOptions): Promise<Drive> {
  let next = 0;
  let stoppedByDeadline = false;
  const worker = async (client: Client): Promise<void> => {
    while (next < options.calls) {
      if (performance.now() > options.deadline) {
        stoppedByDeadline = true;
        return;
      }
      const seq = next++;
      const started = performance.now();
      await oneCall(client, seq, ledger, options.callTimeoutMs);
      ledger.latency.record(performance.now() - started);
      options.onComplete(ledger.complete(seq));
    }
  };
  const workers: Promise<void>[] = [];
  for (let w = 0; w < options.concurrency; w++) workers.push(worker(clients[w % clients.length]!));
  await Promise.all(workers);
  return { issued: next, stoppedByDeadline };
}

/** Makes call `seq` and checks its outcome; never throws. */
async function oneCall(client: Client, seq: number, ledger: Ledger, timeout: number): Promise<void> {
  const kind = kindOf(seq);
  const counts = ledger.byKind[kind];
  counts.sent++;
  try {
    const failure = await CALLS[kind](client, seq, ledger, timeout);
    if (failure === null) counts.ok++;
    else ledger.problem('wrong', `${kind} call ${seq}: ${failure}`);
  } catch (error) {
    if (kind === 'error' && expectedError(seq, error, ledger)) counts.ok++;
    else ledger.problem('unexpected', `${kind} call ${seq}: ${describe(error)}`);
  }
}

/** Each kind's call: resolves with null when the reply is right, else what was wrong. */
const CALLS: Record<Kind, (client: Client, seq: number, ledger: Ledger, timeout: number) => Promise<string | null>> = {
  async unary(client, seq, _ledger, timeout) {
    const text = textOf(seq);
    const reply = (await client.call('ECHO', '/echo', { seq, text }, { timeout })) as { seq?: unknown; text?: unknown } | null;
    return reply?.seq === seq && reply.text === text ? null : `echo answered ${JSON.stringify(reply)}`;
  },
  async stream(client, seq, ledger, timeout) {
    const n = streamLength(seq);
    let i = 0;
    for await (const item of client.stream('GET', '/count', { seq, n }, { timeout })) {
      const { seq: s, i: j } = item as { seq?: unknown; i?: unknown };
      if (s !== seq || j !== i) return `item ${i} was ${JSON.stringify(item)}`;
      i++;
      ledger.items++;
    }
    return i === n ? null : `${i} items of ${n}`;
  },
  async deliver(client, seq, ledger, timeout) {
    await client.deliver('POST', '/tally', { seq }, { timeout });
    ledger.deliverySum += seq;
    return null;
  },
  async error(client, seq, _ledger, timeout) {
    if (expects404(seq)) await client.call('GET', `/missing/${seq}`, null, { timeout });
    else await client.call('PUT', '/conflict', { seq }, { timeout });
    return 'an error was expected, the call succeeded';
  },
};

/** Whether `error` is the one error call `seq` asks for (404 without a route, 409 echoing the seq). */
function expectedError(seq: number, error: unknown, ledger: Ledger): boolean {
  if (!(error instanceof RpcError)) return false;
  if (expects404(seq)) {
    if (error.code !== 404) return false;
    ledger.notFound++;
    return true;
  }
  if (error.code !== 409 || (error.data as { seq?: unknown } | undefined)?.seq !== seq) return false;
  ledger.conflicts++;
  return true;
}

function describe(error: unknown): string {
  if (error instanceof RpcError) return `RpcError ${error.code} ${error.message}`;
  if (error instanceof Error) return `${error.name} ${(error as { code?: unknown }).code ?? ''} ${error.message}`;
  return String(error);
}
