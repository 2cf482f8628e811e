/**
 * @petrichor/mux benchmarks (issue 3), each over one loopback TCP connection, against
 * @chainsafe/libp2p-yamux, @libp2p/mplex and plain TCP, printed as ratios to plain TCP:
 *
 * - (a) one channel carrying 256 MiB in 64 KiB writes (plain TCP: a raw write of 256 MiB);
 * - (b) 100 channels each echoing 1 MiB at once (plain TCP: one socket echoing 100 MiB);
 * - (c) 10,000 sequential open / 64-byte echo / close (plain TCP: a 64-byte ping-pong on the open
 *   socket, so an open that costs a round trip caps a muxer at 0.5×);
 * - a sweep of our window / max packet sizes over (a) and (b);
 * - heap used by 10,000 idle open channels on one session.
 *
 * The accepting side runs in a child process (see remote.ts), the same for every candidate: each
 * side gets a core, as two real peers would, and flow control pays for real cross-process round
 * trips. BENCH_MUX_PEER=inline runs both sides on one event loop instead, which hides window round
 * trips (small windows look better) and halves plain TCP's ping-pong time (c looks worse).
 */
import { quick, scenario, type ScenarioCandidate } from '../../../bench/harness.js';
import { DEFAULTS, type SessionOptions } from '@petrichor/mux';
import { childPeer, startPeer, type Peer } from './remote.js';
import { dial } from './serve.js';
import { ECHO_BYTES, ECHO_CHANNELS, IDLE_CHANNELS, PINGS, SINK_TOTAL, type Client, type Kind, type Mode, type ServerSpec } from './workload.js';

const MB = 1e6;
const KiB = 1024;
const MiB = 1024 * KiB;

/** One candidate of one scenario: its own server and connection, set up before timing. */
function candidate(
  peer: Peer,
  name: string,
  spec: ServerSpec,
  work: (client: Client) => Promise<void>,
  warm: (client: Client) => Promise<void>,
): ScenarioCandidate<void> {
  let client: Client | undefined;
  let close: (() => Promise<void>) | undefined;
  return {
    name,
    async setup() {
      const server = await peer.listen(spec);
      client = await dial(spec, server.port);
      close = server.close;
      await warm(client);
    },
    run: () => work(client!),
    async teardown() {
      await client?.close();
      await close?.();
    },
  };
}

const NAMES: Record<Kind, string> = { tcp: 'plain TCP', qmux: 'qmux (ours)', yamux: 'yamux', mplex: 'mplex' };
const KINDS: Kind[] = ['tcp', 'qmux', 'yamux', 'mplex'];

function specFor(kind: Kind, mode: Mode, qmux?: SessionOptions): ServerSpec {
  const spec: ServerSpec = { kind, mode };
  if (kind === 'tcp' && mode === 'sink') spec.ackEvery = SINK_TOTAL;
  if (kind === 'qmux' && qmux !== undefined) spec.qmux = qmux;
  return spec;
}

const mbps = (bytes: number) => ({ label: 'MB/s', higherIsBetter: true, from: (_: void, ms: number) => bytes / MB / (ms / 1000) });
const baselines = [NAMES.tcp];

// Every candidate warms up with one full run before timing: the JIT, and the kernel's TCP buffer
// autotuning on the fresh connection, would otherwise count against whoever runs first.

/** (a) one channel, 256 MiB in 64 KiB writes. Plain TCP acknowledges per 256 MiB, muxers at EOF. */
function sinkCandidate(peer: Peer, kind: Kind, name = NAMES[kind], qmux?: SessionOptions) {
  const work = (c: Client) => c.sink(SINK_TOTAL);
  return candidate(peer, name, specFor(kind, 'sink', qmux), work, work);
}

/** (b) 100 channels each echoing 1 MiB at once; plain TCP: one socket echoing the 100 MiB. */
function echoCandidate(peer: Peer, kind: Kind, name = NAMES[kind], qmux?: SessionOptions) {
  const work = (c: Client) => c.echo(ECHO_CHANNELS, ECHO_BYTES);
  return candidate(peer, name, specFor(kind, 'echo', qmux), work, work);
}

/** (c) 10,000 × open, 64-byte echo, close; plain TCP: a 64-byte ping-pong. */
function pingCandidate(peer: Peer, kind: Kind) {
  return candidate(peer, NAMES[kind], specFor(kind, 'echo'), (c) => c.pingPong(PINGS), (c) => c.pingPong(1_000));
}

/**
 * Window / max packet pairs tried for the defaults: the pairs issue 3 names, plus each window with
 * our 32 KiB packet (so window and packet effects can be told apart) and a 16 MiB window (yamux's
 * ceiling).
 */
const SWEEP: { windowSize: number; maxPacketSize: number }[] = [
  { windowSize: 64 * KiB, maxPacketSize: 16 * KiB },
  { windowSize: 256 * KiB, maxPacketSize: 32 * KiB },
  { windowSize: 1 * MiB, maxPacketSize: 32 * KiB },
  { windowSize: 1 * MiB, maxPacketSize: 64 * KiB },
  { windowSize: 4 * MiB, maxPacketSize: 32 * KiB },
  { windowSize: 4 * MiB, maxPacketSize: 64 * KiB },
  { windowSize: 4 * MiB, maxPacketSize: 256 * KiB },
  { windowSize: 16 * MiB, maxPacketSize: 64 * KiB },
];
/** Rounds per candidate: the machine is shared and noisy, so more than the harness default. */
const rounds = quick ? 1 : 5;
const size = (bytes: number) => (bytes >= MiB ? `${bytes / MiB}M` : `${bytes / KiB}K`);

/**
 * Heap taken by {@link IDLE_CHANNELS} idle channels, on the side that opened them and on the side
 * that accepted them, each measured in a fresh process (after gc) so nothing else is counted.
 */
async function memory(): Promise<void> {
  console.log(`\n## mux: heap used by ${IDLE_CHANNELS.toLocaleString('en')} idle open channels on one session (after gc)`);
  const rows: string[][] = [['', 'opener MB', 'acceptor MB', 'opener B/channel', 'acceptor B/channel']];
  const mb = (bytes?: number) => (bytes === undefined ? 'n/a (no gc)' : (bytes / MB).toFixed(1));
  const per = (bytes?: number) => (bytes === undefined ? 'n/a' : (bytes / IDLE_CHANNELS).toFixed(0));
  for (const kind of ['qmux', 'yamux', 'mplex'] as const) {
    const spec: ServerSpec = { kind, mode: 'hold', manyStreams: true, qmux: { maxChannels: 2 * IDLE_CHANNELS } };
    const acceptor = childPeer();
    const opener = childPeer();
    try {
      const server = await acceptor.listen(spec);
      const before = await acceptor.heap();
      const opened = await opener.idle(spec, server.port, IDLE_CHANNELS);
      // Let the accepting side take the last opens in before measuring it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const after = await acceptor.heap();
      const accepted = before === undefined || after === undefined ? undefined : after - before;
      rows.push([NAMES[kind], mb(opened), mb(accepted), per(opened), per(accepted)]);
      await opener.release();
      await server.close();
    } finally {
      await opener.stop();
      await acceptor.stop();
    }
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  for (const row of rows) console.log(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '));
}

/** BENCH_MUX_ONLY=a,c,memory runs only those parts (a, b, c, sweep, memory); all by default. */
const only = new Set((process.env['BENCH_MUX_ONLY'] ?? 'a,b,c,sweep,memory').split(','));

export async function run(): Promise<void> {
  const peer = startPeer();
  console.log(`\n# mux: one loopback TCP connection per candidate; the accepting side runs in ${peer.where === 'inline' ? 'this process' : 'a child process'}`);
  try {
    if (only.has('a')) {
      await scenario('mux (a) one channel, 256 MiB in 64 KiB writes', KINDS.map((kind) => sinkCandidate(peer, kind)), {
        metric: mbps(SINK_TOTAL),
        baselines,
        rounds,
      });
    }
    if (only.has('b')) {
      await scenario(`mux (b) ${ECHO_CHANNELS} channels × 1 MiB echo, at once`, KINDS.map((kind) => echoCandidate(peer, kind)), {
        metric: mbps(ECHO_CHANNELS * ECHO_BYTES),
        baselines,
        rounds,
      });
    }
    if (only.has('c')) {
      await scenario(`mux (c) ${PINGS.toLocaleString('en')} × open / 64 B echo / close`, KINDS.map((kind) => pingCandidate(peer, kind)), {
        metric: { label: 'ops/s', higherIsBetter: true, from: (_: void, ms: number) => PINGS / (ms / 1000) },
        baselines,
        rounds,
      });
    }
    if (only.has('sweep')) {
      const label = (s: (typeof SWEEP)[number]) =>
        `qmux ${size(s.windowSize)}/${size(s.maxPacketSize)}${s.windowSize === DEFAULTS.windowSize && s.maxPacketSize === DEFAULTS.maxPacketSize ? ' (default)' : ''}`;
      await scenario('mux (a) sweep: window / max packet', [sinkCandidate(peer, 'tcp'), ...SWEEP.map((s) => sinkCandidate(peer, 'qmux', label(s), s))], {
        metric: mbps(SINK_TOTAL),
        baselines,
        rounds,
      });
      await scenario('mux (b) sweep: window / max packet', [echoCandidate(peer, 'tcp'), ...SWEEP.map((s) => echoCandidate(peer, 'qmux', label(s), s))], {
        metric: mbps(ECHO_CHANNELS * ECHO_BYTES),
        baselines,
        rounds,
      });
    }
  } finally {
    await peer.stop();
  }
  if (only.has('memory')) await memory();
}
