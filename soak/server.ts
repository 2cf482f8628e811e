/**
 * The soak's server: a real rpc `Server` behind `listen('tcp://127.0.0.1:0')`, in a process of its
 * own so its heap is measured apart from the callers'. It prints its URL on stdout and exits when
 * its stdin ends (the driver exited or closed it), so it never outlives the driver.
 *
 * Usage: `server.ts --calls N [--max-in-flight N] [--fault drop-one,corrupt-one,leak]`
 */
import { parseArgs } from 'node:util';
import { Server } from '@petrichor/rpc';
import type { Value } from '@petrichor/wire';
import { listen } from '@petrichor/transport/node';
import { sampleHeap } from './gc.js';
import { HEAP, LISTENING, STATS, type Finished, type StatsRequest } from './protocol.js';
import { parseFaults, soakRoutes } from './workload.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string' },
    'max-in-flight': { type: 'string', default: '256' },
    fault: { type: 'string' },
  },
});
const calls = Number(values.calls);
const maxInFlight = Number(values['max-in-flight']);
const faults = parseFaults(values.fault);
if (!Number.isSafeInteger(calls) || calls < 1 || !Number.isSafeInteger(maxInFlight) || maxInFlight < 1) {
  throw new RangeError('soak server: --calls and --max-in-flight must be positive integers');
}

/** At the end, how long no delivery may arrive before the server stops waiting for the rest. */
const QUIET_MS = 1000;

const server = new Server({ name: 'soak', maxInFlight });
let peakChannels = 0;
let peakInFlight = 0;

function channelsNow(): number {
  let channels = 0;
  for (const session of server.sessions) channels += session.mux.channelCount;
  return channels;
}

/** Channels open and calls being served, over every session: called as each handler starts. */
function observe(): void {
  let inFlight = 0;
  for (const session of server.sessions) inFlight += session.inFlight;
  peakChannels = Math.max(peakChannels, channelsNow());
  peakInFlight = Math.max(peakInFlight, inFlight);
}

const served = soakRoutes(server, calls, faults, observe);

server.route(HEAP.verb, HEAP.path, (ctx) => {
  const { calls: done } = ctx.body as { calls: number };
  return sampleHeap(done) satisfies Value;
});

server.route(STATS.verb, STATS.path, async (ctx) => {
  const { deliveries, waitMs } = ctx.body as StatsRequest;
  // A delivery resolves at the caller once sent: let the last ones arrive, within a bound, and
  // stop early once none has arrived for a while (a lost one will not come).
  const started = performance.now();
  let seen = served.deliver;
  let since = started;
  while (served.deliver < deliveries && performance.now() - started < waitMs && performance.now() - since < QUIET_MS) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (served.deliver !== seen) [seen, since] = [served.deliver, performance.now()];
  }
  const finished: Finished = {
    served: { ...served },
    peakChannels,
    peakInFlight,
    sessions: server.sessions.size,
    waitedMs: Math.round(performance.now() - started),
  };
  return finished satisfies Value;
});

const listener = await listen('tcp://127.0.0.1:0', (stream) => void server.serve(stream));
process.stdout.write(`${LISTENING}${listener.url}\n`);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  // Bounded: exit within 3 s whatever the sockets do.
  setTimeout(() => process.exit(0), 3000).unref();
  void (async () => {
    await server.close({ deadlineMs: 1000 });
    await listener.close({ graceMs: 1000 });
    process.exit(0);
  })();
}
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
