/**
 * @petrichor/rpc benchmarks (issue 4): an echo service, each candidate over one loopback
 * connection, printed as ratios to the floor (raw length-prefixed msgpack over one TCP socket):
 *
 * - (i) sequential unary calls with a 64-byte body: calls/s, p50 and p99 µs per call;
 * - (ii) 100 concurrent callers × 200 calls each of 1 KiB, all on the one connection: calls/s;
 * - (iii) one call whose 1 MiB body the server echoes back: ms.
 *
 * Candidates: ours (tnetstring, the default codec; sexpr and msgpack too for (i)), @grpc/grpc-js,
 * capnweb over WebSocket, json-rpc-2.0 over WebSocket, and the floor. In every candidate the
 * server's handler receives the body as bytes and returns it; the caller checks every echo.
 *
 * The serving side runs in a child process (see remote.ts), the same for every candidate: each
 * end gets one of the two cores and every write wakes the other process, as between two real
 * services. Both ends on one event loop (BENCH_RPC_PEER=inline) was measured too and is less
 * fair: a message then wakes no other process (the larger part of a small call's cost between
 * processes), and throughput is capped by client + server CPU together, which hides how a
 * protocol splits its work between the ends. Inline flattered ours ((i) 0.55–0.60× the floor
 * against 0.38–0.47× here) and its rounds were no less noisy.
 *
 * Environment: BENCH_RPC_PEER=inline runs both sides in this process; BENCH_RPC_ONLY=i,ii,iii
 * picks scenarios; BENCH_RPC_CANDIDATES=floor,ours,ours:msgpack,… picks candidates (to profile
 * one: `node --cpu-prof --import tsx --conditions=@petrichor/source bench/run.ts rpc` profiles
 * both processes); BENCH_RPC_ROUNDS overrides the rounds of every scenario.
 *
 * Besides time, each row shows the CPU both processes spent per call (user + system, read from
 * process.cpuUsage() around each run): on a shared machine it moves far less than wall time.
 *
 * Where (i)'s time goes (profiled December 2026): ours makes the same system calls as the floor
 * (one write and one read a call each way, checked with `strace -c`), so the gap is CPU in user
 * space: about 8 µs of our JS a call on each side, plus Node's stream and microtask work. That JS
 * costs 2–3× what the same calls cost both ends in one process over a memory pipe (cold caches
 * after every wake-up), and a sequential call waits for all of it, so (i) follows the CPU ratio
 * (`cpu µs/call`), not an extra round trip.
 *
 * Cut since (a second pass, same month): a call alone in flight has its request written the moment
 * it is complete (`Session.flush`), not after the rest of the turn's work; the server builds a
 * call only when its first bytes arrive and serves it in that microtask, so the reply is queued
 * before the flush the read loop scheduled for the OPEN_CONFIRM beside the request, and both leave
 * in one write (nothing held, no setImmediate; the replies to a chunk of many requests still share
 * a write: flushing each reply at once cost (ii) a third of its speed); fewer promises a call (the
 * message reader, accept); no allocation a call where a collection goes 1 → 0 → 1 (open timeouts,
 * a deque, a channel's readers). Both ends in one process over a memory pipe went from about 9 to
 * 6.5 µs a call, and (i) from 0.57–0.70× to 0.78–0.86× (three full runs). What is left, by the
 * profiles: tnetstring encoding and decoding (a quarter of our JS on each side; the floor's
 * msgpack is one array), a channel a call (OPEN, OPEN_CONFIRM, CLOSE, and a channel's state on
 * each side), and Node's socket path, which the floor pays too.
 *
 * (iii), December 2026: a byte-string BODY of 32 KiB or more in a unary request or a value reply
 * goes to the socket by reference (format.ts), not copied into a fresh message buffer; measured
 * per process (minimum over rounds of 10 calls) that saved 0.1–0.2 ms of CPU on each side and
 * ~0.15 ms of wall time a call. Each side still spends ~1.5× the floor's CPU (~0.8–1.0 ms against
 * 0.5–0.7), though it copies less (one receive copy against the floor's three copies): by
 * `strace`, a call makes ~5 transport writes on the serving side and ~3 on the calling side
 * against the floor's one each, and each wakes the other process. They are qmux's: 1 MiB plus
 * the HEADER is a little more than the 1 MiB window, so each direction has a WINDOW_ADJUST round
 * trip for its last bytes; the OPEN_CONFIRM and end-of-request WINDOW_ADJUST leave (urgent) just
 * before the reply instead of with it; a 1-byte WINDOW_ADJUST follows the reply. A 2 MiB window
 * (tried in this file only) cut ~40 µs a side, wall time not measurably. Both ends in one
 * process are misleading here: their ArrayBuffer churn then triggers a Mark-Compact every few calls.
 * Since then qmux sends no WINDOW_ADJUST to a peer that has sent EOF, nor mid-message (spec/qmux.md
 * §4.2): the end-of-request and after-reply adjusts are gone (strace: ~4 writes a call on the
 * calling side, ~3 on the serving side). Left: the window round trip for the last bytes of a
 * message a little over the window (a 1 MiB + 64 KiB window with a 2 MiB write queue removes it).
 */
import { quick, scenario, type Row, type ScenarioCandidate, type ScenarioOptions } from '../../../bench/harness.js';
import { cpuTime } from './peer.js';
import { startPeer, type Peer } from './remote.js';
import { dial } from './serve.js';
import {
  BIG_BYTES,
  body,
  CALLERS,
  CALLS_PER_CALLER,
  check,
  CONC_BYTES,
  SEQ_BYTES,
  SEQ_CALLS,
  type Client,
  type ClientSpec,
} from './workload.js';

interface Entry {
  name: string;
  spec: ClientSpec;
  /** Shown in (i) only: the codec variants of ours. */
  firstOnly?: boolean;
}

const FLOOR = 'floor: msgpack/TCP';
const OURS = 'ours (tnetstring)';
const ENTRIES: Entry[] = [
  { name: FLOOR, spec: { kind: 'floor' } },
  { name: OURS, spec: { kind: 'ours', codec: 'tnetstring' } },
  { name: 'ours (msgpack)', spec: { kind: 'ours', codec: 'msgpack' }, firstOnly: true },
  { name: 'ours (sexpr)', spec: { kind: 'ours', codec: 'sexpr' }, firstOnly: true },
  { name: 'grpc-js', spec: { kind: 'grpc' } },
  { name: 'capnweb/ws', spec: { kind: 'capnweb' } },
  { name: 'json-rpc-2.0/ws', spec: { kind: 'jsonrpc' } },
];

const small = body(SEQ_BYTES);
const kib = body(CONC_BYTES);
const big = body(BIG_BYTES);

/**
 * What a run returns: its time (measured around the calls only), the CPU both ends spent on it,
 * its per-call latencies (scenario i), and every round's score so far (for the spread column).
 */
interface Result {
  ms: number;
  /** CPU time of the calling and the serving process during the run, in ms. */
  cpuMs: number;
  latencies?: Float64Array;
  scores: number[];
}

/**
 * One candidate of one scenario: its own server and connection, set up and warmed (one full run,
 * untimed: the JIT, and TCP's buffer autotuning on a fresh connection, would otherwise count
 * against whoever runs first).
 */
function candidate(
  peer: Peer,
  entry: Entry,
  work: (client: Client) => Promise<Float64Array | void>,
  score: (ms: number) => number,
  warm: (client: Client) => Promise<unknown> = work,
): ScenarioCandidate<Result> {
  let client: Client | undefined;
  let close: (() => Promise<void>) | undefined;
  const scores: number[] = [];
  /** CPU (ms) that reading both clocks costs (IPC to the serving process), taken off every run. */
  let clockCost = 0;
  const measured = async (calls: () => Promise<Float64Array | void>) => {
    // The serving side's clock is read over IPC, outside the timed part.
    const served = await peer.cpu();
    const used = cpuTime();
    const start = performance.now();
    const latencies = await calls();
    const ms = performance.now() - start;
    const cpuMs = (cpuTime() - used + (await peer.cpu()) - served) / 1000 - clockCost;
    return { ms, cpuMs, latencies };
  };
  return {
    name: entry.name,
    async setup() {
      const server = await peer.listen(entry.spec.kind);
      close = server.close;
      client = await dial(entry.spec, server.port);
      await warm(client);
      const idle: number[] = [];
      for (let i = 0; i < 5; i++) idle.push((await measured(async () => {})).cpuMs);
      clockCost = idle.sort((a, b) => a - b)[2]!;
    },
    async run() {
      const { ms, cpuMs, latencies } = await measured(() => work(client!));
      scores.push(score(ms));
      return latencies === undefined ? { ms, cpuMs, scores } : { ms, cpuMs, latencies, scores };
    },
    async teardown() {
      await client?.close();
      await close?.();
    },
  };
}

/** (i) SEQ_CALLS calls one after another; returns each call's time in ms, sorted. */
async function sequential(client: Client): Promise<Float64Array> {
  const latencies = new Float64Array(SEQ_CALLS);
  for (let i = 0; i < SEQ_CALLS; i++) {
    const start = performance.now();
    const got = await client.echo(small);
    latencies[i] = performance.now() - start;
    check(small, got, 'sequential');
  }
  return latencies.sort();
}

/** (ii) CALLERS callers at once, each making CALLS_PER_CALLER calls one after another. */
async function concurrent(client: Client): Promise<void> {
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      for (let i = 0; i < CALLS_PER_CALLER; i++) check(kib, await client.echo(kib), 'concurrent');
    }),
  );
}

/** (iii) one call with a 1 MiB body, echoed back. */
async function large(client: Client): Promise<void> {
  check(big, await client.echo(big), 'large');
}

const µs = (ms: number) => (ms * 1000).toFixed(0);
/** CPU of both ends per call, in µs (client and server processes; one process when inline). */
const cpuPerCall = (r: Result, calls: number) => ((r.cpuMs * 1000) / calls).toFixed(0);
const percentile = (sorted: Float64Array, p: number) => sorted[Math.floor(p * (sorted.length - 1))]!;

/** The rounds' spread: (slowest − fastest) / median, a plain measure of how noisy a row was. */
function spread(scores: number[]): string {
  const sorted = [...scores].sort((a, b) => a - b);
  const mid = sorted[(sorted.length - 1) >> 1]!;
  return `${((100 * (sorted.at(-1)! - sorted[0]!)) / mid).toFixed(0)}%`;
}

const env = (name: string) => process.env[name];
const only = new Set((env('BENCH_RPC_ONLY') ?? 'i,ii,iii').split(','));
const picked = env('BENCH_RPC_CANDIDATES')?.split(',');
const roundsFor = (full: number) => Number(env('BENCH_RPC_ROUNDS') ?? (quick ? 1 : full));

function entries(scenarioOne: boolean): Entry[] {
  return ENTRIES.filter((e) => (scenarioOne || !e.firstOnly) && (picked === undefined || picked.includes(e.spec.kind) || picked.includes(`${e.spec.kind}:${e.spec.codec}`)));
}

const perSecond = (calls: number) => (ms: number) => calls / (ms / 1000);

export async function run(): Promise<void> {
  const peer = startPeer();
  console.log(`\n# rpc: an echo service over one loopback connection per candidate; the server runs in ${peer.where === 'inline' ? 'this process' : 'a child process'}`);
  const rows: { scenario: Scenario; rows: Row[] }[] = [];
  try {
    if (only.has('i')) {
      const rate = perSecond(SEQ_CALLS);
      const options: ScenarioOptions<Result> = {
        metric: { label: 'calls/s', higherIsBetter: true, from: (r) => rate(r.ms) },
        describe: (r) => ({
          'p50 µs': µs(percentile(r.latencies!, 0.5)),
          'p99 µs': µs(percentile(r.latencies!, 0.99)),
          'cpu µs/call': cpuPerCall(r, SEQ_CALLS),
          spread: spread(r.scores),
        }),
        baselines: [FLOOR],
        rounds: roundsFor(5),
      };
      const list = entries(true).map((e) => candidate(peer, e, sequential, rate));
      rows.push({ scenario: 'i', rows: await scenario(`rpc (i) ${SEQ_CALLS.toLocaleString('en')} sequential unary calls, ${SEQ_BYTES} B body`, list, options) });
    }
    if (only.has('ii')) {
      const calls = CALLERS * CALLS_PER_CALLER;
      const rate = perSecond(calls);
      const list = entries(false).map((e) => candidate(peer, e, concurrent, rate));
      rows.push({
        scenario: 'ii',
        rows: await scenario(`rpc (ii) ${CALLERS} concurrent callers × ${CALLS_PER_CALLER} calls, 1 KiB body`, list, {
          metric: { label: 'calls/s', higherIsBetter: true, from: (r) => rate(r.ms) },
          describe: (r) => ({ 'cpu µs/call': cpuPerCall(r, calls), spread: spread(r.scores) }),
          baselines: [FLOOR],
          rounds: roundsFor(5),
        }),
      });
    }
    if (only.has('iii')) {
      // A single call takes milliseconds: more rounds to steady the median. Warm with three calls.
      const warm = async (client: Client) => {
        for (let i = 0; i < 3; i++) await large(client);
      };
      const list = entries(false).map((e) => candidate(peer, e, large, (ms) => ms, warm));
      rows.push({
        scenario: 'iii',
        rows: await scenario('rpc (iii) one call, 1 MiB body echoed back', list, {
          metric: { label: 'ms', higherIsBetter: false, from: (r) => r.ms },
          describe: (r) => ({ 'best ms': Math.min(...r.scores).toFixed(2), 'cpu ms': r.cpuMs.toFixed(2), spread: spread(r.scores) }),
          baselines: [FLOOR],
          rounds: roundsFor(15),
        }),
      });
    }
  } finally {
    await peer.stop();
  }
  targets(rows);
}

type Scenario = 'i' | 'ii' | 'iii';

/**
 * Issue 4's targets for ours (tnetstring), against the floor of the same run: (i) at least 0.8×
 * its calls/s, (ii) at least 0.5×, (iii) at most 1.5× its time.
 */
function targets(results: { scenario: Scenario; rows: Row[] }[]): void {
  console.log('\n## rpc: ours (tnetstring) against the targets, medians of this run');
  for (const { scenario: which, rows } of results) {
    const floor = rows.find((r) => r.name === FLOOR);
    const ours = rows.find((r) => r.name === OURS);
    if (floor === undefined || ours === undefined) continue;
    const ratio = ours.value / floor.value;
    const [met, target] = which === 'iii' ? [ratio <= 1.5, '≤ 1.5× the floor\'s time'] : [ratio >= (which === 'i' ? 0.8 : 0.5), `≥ ${which === 'i' ? '0.8' : '0.5'}× the floor's calls/s`];
    console.log(`(${which}) ${ratio.toFixed(2)}× (target ${target}): ${met ? 'met' : 'MISSED'}`);
  }
}
