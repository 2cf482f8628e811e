/**
 * @petrichor/transport benchmarks (issue 5):
 *
 * - the browser client's size: esbuild --minify, then gzip -9, against the 12 KiB target and the
 *   peers' sizes (js-libp2p yamux is measured here the same way; capnweb and qtalk-js are the
 *   issue's figures, measured the same way);
 * - the mux bench's scenarios (a) 256 MiB on one channel, (b) 100 channels × 1 MiB echo,
 *   (c) 10,000 open / 64 B echo / close, and the rpc bench's (i) sequential 64 B calls and
 *   (ii) 100 callers × 200 calls of 1 KiB, each over tcp://, unix://, ws://, tls:// and wss://
 *   from `connect`/`listen`, printed as ratios to tcp://.
 *
 * The serving side runs in a child process (peer.ts), the same for every candidate.
 * BENCH_TRANSPORT_ONLY=size,a,b,c,i,ii picks parts; BENCH_TRANSPORT_PEER=inline serves in-process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { quick, scenario, type ScenarioCandidate } from '../../../bench/harness.js';
import { ECHO_BYTES, ECHO_CHANNELS, PINGS, SINK_TOTAL, type Client } from '../../mux/bench/workload.js';
import { body, CALLERS, CALLS_PER_CALLER, check, CONC_BYTES, SEQ_BYTES, SEQ_CALLS, type Client as RpcBenchClient } from '../../rpc/bench/workload.js';
import type { NodeConnectOptions, NodeListenOptions } from '@petrichor/transport/node';
import { BROWSER_CLIENT, BROWSER_MUX, BROWSER_SEXPR_CLIENT, bundle, byFolder, EVERYTHING, measure, YAMUX, YAMUX_DIR, type BundleSize } from './bundle.js';
import { muxClient, rpcClient } from './clients.js';
import { startPeer, type Peer } from './peer.js';
import type { Serving } from './serve.js';

const KiB = 1024;
const MB = 1e6;
const TARGET_KIB = 12;
const only = new Set((process.env['BENCH_TRANSPORT_ONLY'] ?? 'size,a,b,c,i,ii').split(','));
const rounds = quick ? 1 : 3;

/** One transport: the URL to listen on and both sides' options. */
interface Transport {
  name: string;
  url: string;
  listen: NodeListenOptions;
  connect: NodeConnectOptions;
}

async function transports(dir: string): Promise<Transport[]> {
  const ca = await generate([{ name: 'commonName', value: 'bench CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, digitalSignature: true }],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const tls = { listen: { cert: server.cert, key: server.private }, connect: { ca: ca.cert } };
  let n = 0;
  return [
    { name: 'tcp://', url: 'tcp://127.0.0.1:0', listen: {}, connect: {} },
    { name: 'unix://', url: `unix://${dir}/bench-${n++}.sock`, listen: {}, connect: {} },
    { name: 'ws://', url: 'ws://127.0.0.1:0/bench', listen: {}, connect: {} },
    { name: 'tls://', url: 'tls://127.0.0.1:0', ...tls },
    { name: 'wss://', url: 'wss://127.0.0.1:0/bench', ...tls },
  ];
}

/** A candidate: its own server and connection, set up (and warmed with one full run) before timing. */
function candidate<C extends { close(): Promise<void> }>(
  peer: Peer,
  t: Transport,
  serving: Serving,
  dial: (url: string, options: NodeConnectOptions) => Promise<C>,
  work: (client: C) => Promise<void>,
  warm: (client: C) => Promise<void> = work,
): ScenarioCandidate<void> {
  let client: C | undefined;
  let close: (() => Promise<void>) | undefined;
  // Unix socket paths are per listener: a fresh one for each candidate.
  let uses = 0;
  return {
    name: t.name,
    async setup() {
      const url = t.url.startsWith('unix://') ? t.url.replace(/\.sock$/, `-${serving}-${uses++}.sock`) : t.url;
      const served = await peer.serve(url, serving, t.listen);
      close = served.close;
      client = await dial(served.url, t.connect);
      await warm(client);
    },
    run: () => work(client!),
    async teardown() {
      await client?.close();
      await close?.();
    },
  };
}

const mbps = (bytes: number) => ({ label: 'MB/s', higherIsBetter: true, from: (_: void, ms: number) => bytes / MB / (ms / 1000) });
const perSecond = (count: number, label: string) => ({ label, higherIsBetter: true, from: (_: void, ms: number) => count / (ms / 1000) });

function printSizes(sizes: BundleSize[], yamux: BundleSize): void {
  console.log('\n## transport: browser bundle size (esbuild --minify, ES2022, then gzip -9)');
  const kib = (bytes: number) => `${(bytes / KiB).toFixed(1)} KiB`;
  const rows: string[][] = [['', 'minified', 'gzip -9', `vs ${TARGET_KIB} KiB target`]];
  for (const s of sizes) rows.push([s.name, kib(s.minified), kib(s.gzipped), s.gzipped <= TARGET_KIB * KiB ? 'under' : `${(s.gzipped / (TARGET_KIB * KiB)).toFixed(2)}× over`]);
  rows.push([`${yamux.name} (measured here)`, kib(yamux.minified), kib(yamux.gzipped), '']);
  rows.push(['capnweb (issue 5 figure)', '', '15.0 KiB', '']);
  rows.push(['qtalk-js (issue 5 figure)', '', '15.1 KiB', '']);
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  for (const row of rows) console.log(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '));
}

/** Where the rpc client's minified bytes come from, by folder (what to shrink next). */
async function printFolders(): Promise<void> {
  const { code, inputs } = await bundle(BROWSER_CLIENT);
  console.log(`\nthe rpc client's ${(code.byteLength / 1000).toFixed(1)} KB minified, by folder:`);
  for (const [folder, bytes] of byFolder(inputs)) console.log(`  ${(bytes / 1000).toFixed(1).padStart(5)} KB  ${folder}`);
}

export async function run(): Promise<void> {
  if (only.has('size')) {
    const sizes = [
      await measure('rpc client over WebSocket (wire + mux + rpc + transport)', BROWSER_CLIENT),
      await measure('the same on s-expressions (imports sexprCodec)', BROWSER_SEXPR_CLIENT),
      await measure('mux session over WebSocket (mux + transport)', BROWSER_MUX),
      await measure('every browser-safe export of the four packages', EVERYTHING),
    ];
    printSizes(sizes, await measure('js-libp2p yamux', YAMUX, YAMUX_DIR));
    await printFolders();
  }
  if (!['a', 'b', 'c', 'i', 'ii'].some((part) => only.has(part))) return;

  const dir = await mkdtemp(join(tmpdir(), 'ptr-bench-'));
  const peer = startPeer();
  const list = await transports(dir);
  console.log(`\n# transport: one connection per candidate through connect()/listen(); the serving side runs in ${peer.where === 'inline' ? 'this process' : 'a child process'}`);
  const baselines = ['tcp://'];
  try {
    const mux = (serving: Serving, work: (c: Client) => Promise<void>, warm?: (c: Client) => Promise<void>) =>
      list.map((t) => candidate(peer, t, serving, muxClient, work, warm));
    if (only.has('a')) {
      await scenario('transport mux (a) one channel, 256 MiB in 64 KiB writes', mux('mux-sink', (c) => c.sink(SINK_TOTAL)), {
        metric: mbps(SINK_TOTAL),
        baselines,
        rounds,
      });
    }
    if (only.has('b')) {
      await scenario(`transport mux (b) ${ECHO_CHANNELS} channels × 1 MiB echo, at once`, mux('mux-echo', (c) => c.echo(ECHO_CHANNELS, ECHO_BYTES)), {
        metric: mbps(ECHO_CHANNELS * ECHO_BYTES),
        baselines,
        rounds,
      });
    }
    if (only.has('c')) {
      await scenario(
        `transport mux (c) ${PINGS.toLocaleString('en')} × open / 64 B echo / close`,
        mux('mux-echo', (c) => c.pingPong(PINGS), (c) => c.pingPong(1_000)),
        { metric: perSecond(PINGS, 'ops/s'), baselines, rounds },
      );
    }
    const rpc = (work: (c: RpcBenchClient) => Promise<void>, warm?: (c: RpcBenchClient) => Promise<void>) =>
      list.map((t) => candidate(peer, t, 'rpc-echo', rpcClient, work, warm));
    if (only.has('i')) {
      const small = body(SEQ_BYTES);
      const sequential = (count: number) => async (c: RpcBenchClient) => {
        for (let i = 0; i < count; i++) check(small, await c.echo(small), 'rpc');
      };
      await scenario(`transport rpc (i) ${SEQ_CALLS.toLocaleString('en')} sequential calls, ${SEQ_BYTES} B`, rpc(sequential(SEQ_CALLS), sequential(500)), {
        metric: perSecond(SEQ_CALLS, 'calls/s'),
        baselines,
        rounds,
      });
    }
    if (only.has('ii')) {
      const kib = body(CONC_BYTES);
      const concurrent = (calls: number) => async (c: RpcBenchClient) => {
        await Promise.all(
          Array.from({ length: CALLERS }, async () => {
            for (let i = 0; i < calls; i++) check(kib, await c.echo(kib), 'rpc');
          }),
        );
      };
      await scenario(
        `transport rpc (ii) ${CALLERS} callers × ${CALLS_PER_CALLER} calls, 1 KiB`,
        rpc(concurrent(CALLS_PER_CALLER), concurrent(20)),
        { metric: perSecond(CALLERS * CALLS_PER_CALLER, 'calls/s'), baselines, rounds },
      );
    }
  } finally {
    await peer.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
