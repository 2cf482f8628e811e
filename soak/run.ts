/**
 * `pnpm soak`: load and soak. Starts the soak server in a child process (tcp:// on 127.0.0.1,
 * port 0), drives `--concurrency` calls in flight over `--connections` connections until
 * `--calls` have been made, checks every reply, samples both heaps, and exits 1 on any lost,
 * duplicated or wrong reply, any unexpected error, heap growth after warm-up past the tolerance,
 * or the time limit. See soak/README.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Client } from '@petrichor/rpc';
import { connect } from '@petrichor/transport/node';
import { failures } from './checks.js';
import { Ledger, drive } from './driver.js';
import { sampleHeap } from './gc.js';
import { parseOptions, USAGE, type SoakOptions } from './options.js';
import { HEAP, LISTENING, STATS, type Finished } from './protocol.js';
import { report } from './report.js';
import { heapTrend, type HeapSample } from './stats.js';

/** tsx's loader, resolved from here so the child finds it whatever its working directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));
/** How long the server may take to start (tsx compiles it first), and deliveries to arrive at the end. */
const START_MS = 30_000;
const DELIVERY_WAIT_MS = 5_000;

function startServer(options: SoakOptions): { child: ChildProcess; url: Promise<string> } {
  // Each connection carries its share of the calls: the server must not refuse them as a flood (429).
  const maxInFlight = Math.max(256, Math.ceil(options.concurrency / options.connections));
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--conditions=@petrichor/source', '--import', TSX, SERVER, '--calls', String(options.calls), '--max-in-flight', String(maxInFlight), '--fault', options.faults.join(',')],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the soak server did not start within ${START_MS} ms`)), START_MS);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith(LISTENING)) return;
      clearTimeout(timer);
      resolve(line.slice(LISTENING.length));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the soak server exited (${code}) before listening`));
    });
  });
  return { child, url };
}

/** Ends the server (its stdin closes) and waits for it, at most 5 s. */
function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin!.end();
  });
}

async function soak(options: SoakOptions, child: ChildProcess, url: string): Promise<boolean> {
  const clients: Client[] = [];
  for (let i = 0; i < options.connections; i++) clients.push(await Client.connect(await connect(url), { user: `soak-${i}` }));
  // The soak's own calls (heap samples, the final counts) go over a connection of their own.
  const control = await Client.connect(await connect(url), { user: 'soak-control' });

  const samples = { client: [] as HeapSample[], server: [] as HeapSample[] };
  const serverSamples: Promise<void>[] = [];
  let sampleFailure: unknown;
  const sample = (calls: number): void => {
    samples.client.push(sampleHeap(calls));
    // Not awaited here (the callers go on); a failure is kept and thrown once they are done.
    const asked = control.call(HEAP.verb, HEAP.path, { calls });
    serverSamples.push(asked.then((s) => void samples.server.push(s as HeapSample), (error: unknown) => void (sampleFailure ??= error)));
  };
  const samplesDone = async (): Promise<void> => {
    await Promise.all(serverSamples);
    if (sampleFailure !== undefined) throw new Error('a server memory sample failed', { cause: sampleFailure });
  };
  sample(0);
  await samplesDone();

  console.log(
    `soak: ${options.calls.toLocaleString('en-US')} calls, ${options.concurrency.toLocaleString('en-US')} in flight over ${options.connections} connections to ${url} (server pid ${child.pid})`,
  );
  const ledger = new Ledger(options.calls);
  const sampleEvery = Math.max(1, Math.floor(options.calls / options.samples));
  const progressEvery = Math.max(1, Math.floor(options.calls / 10));
  const started = performance.now();
  const run = await drive(clients, ledger, {
    calls: options.calls,
    concurrency: options.concurrency,
    callTimeoutMs: options.callTimeoutMs,
    deadline: started + options.timeLimitS * 1000,
    onComplete(completed) {
      if (completed % sampleEvery === 0) sample(completed);
      if (completed % progressEvery === 0) {
        const rate = completed / ((performance.now() - started) / 1000);
        console.log(`  ${completed.toLocaleString('en-US')} calls, ${Math.round(rate).toLocaleString('en-US')} calls/s`);
      }
    },
  });
  const elapsedMs = performance.now() - started;
  if (samples.client.at(-1)?.calls !== ledger.completed) sample(ledger.completed);
  await samplesDone();

  const server = (await control.call(STATS.verb, STATS.path, { deliveries: ledger.byKind.deliver.ok, waitMs: DELIVERY_WAIT_MS })) as Finished;
  await Promise.all([...clients, control].map((c) => c.close()));

  const byCalls = (a: HeapSample, b: HeapSample): number => a.calls - b.calls;
  samples.server.sort(byCalls);
  const warmupCalls = Math.floor(options.calls * options.warmup);
  // Past this many completed calls, fewer than `concurrency` remain: the callers start to drain.
  const loadedUntil = options.calls - options.concurrency;
  const outcome = {
    calls: options.calls,
    ledger,
    drive: run,
    server,
    heap: { client: heapTrend(samples.client, warmupCalls, loadedUntil), server: heapTrend(samples.server, warmupCalls, loadedUntil) },
    heapToleranceMiB: options.heapToleranceMiB,
  };
  const failed = failures(outcome);
  console.log(report({ ...outcome, concurrency: options.concurrency, connections: options.connections, elapsedMs, samples, warmupCalls, loadedUntil, failed }));
  return failed.length === 0;
}

async function main(): Promise<number> {
  let options: SoakOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`soak: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const { child, url } = startServer(options);
  process.once('exit', () => child.kill('SIGKILL'));
  // Bounded whatever happens: the time limit, then the last calls' deadline, then some grace.
  const guardMs = options.timeLimitS * 1000 + options.callTimeoutMs + DELIVERY_WAIT_MS + START_MS;
  setTimeout(() => {
    console.log(`FAIL the run did not finish within ${Math.round(guardMs / 1000)} s`);
    process.exit(1);
  }, guardMs).unref();
  try {
    return (await soak(options, child, await url)) ? 0 : 1;
  } catch (error) {
    console.log(`FAIL ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    return 1;
  } finally {
    await stopServer(child);
  }
}

process.exitCode = await main();
