/** The soak's command line: flags, their defaults, and `--quick`. */
import { parseArgs } from 'node:util';
import { parseFaults, type Fault } from './workload.js';

/** A run's settings, every one resolved. */
export interface SoakOptions {
  calls: number;
  concurrency: number;
  connections: number;
  /** The whole run's limit, in seconds: past it no new call starts and the run fails. */
  timeLimitS: number;
  /** Each call's deadline, in ms (sent with the call; a lost reply fails with 408 after it). */
  callTimeoutMs: number;
  /** Fraction of the calls before the heap trend is fitted. */
  warmup: number;
  /** Heap samples over the run, on each side. */
  samples: number;
  /** Largest growth of the fitted heap line over the measured span, on either side, in MiB. */
  heapToleranceMiB: number;
  /** Faults for the server to make (tests only: they show each check can fail). */
  faults: Fault[];
  quick: boolean;
}

export const USAGE = `Usage: pnpm soak [flags]

Drives a Petrichor rpc server in a child process over tcp:// on loopback with many concurrent
calls, checks every reply, and watches both heaps. Exit 0: every check held; 1: one failed.

  --calls N             calls in all (default 1,000,000; --quick: 50,000)
  --concurrency N       calls in flight at once (default 1,000)
  --connections N       connections they are spread over (default 8)
  --time-limit S        seconds the whole run may take (default 1,800; --quick: 120)
  --call-timeout MS     each call's deadline (default 30,000)
  --warmup F            fraction of the calls before the heap trend is fitted (default 0.2)
  --samples N           memory samples on each side, each a full GC (default 50; --quick: 20)
  --heap-tolerance MIB  largest heap growth allowed after warm-up, each side (default 8)
  --quick               a short run (about ten seconds on an idle 2-core machine)
  --help                this text
`;

/** Parses `argv` (without node and the script); throws a RangeError naming a bad flag. */
export function parseOptions(argv: readonly string[]): SoakOptions | 'help' {
  const { values } = parseArgs({
    // \`npm run soak -- --quick\` and \`pnpm soak -- --quick\` pass the separator on.
    args: argv[0] === '--' ? argv.slice(1) : [...argv],
    options: {
      calls: { type: 'string' },
      concurrency: { type: 'string' },
      connections: { type: 'string' },
      'time-limit': { type: 'string' },
      'call-timeout': { type: 'string' },
      warmup: { type: 'string' },
      samples: { type: 'string' },
      'heap-tolerance': { type: 'string' },
      fault: { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick;
  const options: SoakOptions = {
    calls: integer('calls', values.calls, quick ? 50_000 : 1_000_000),
    concurrency: integer('concurrency', values.concurrency, 1000),
    connections: integer('connections', values.connections, 8),
    timeLimitS: integer('time-limit', values['time-limit'], quick ? 120 : 1800),
    callTimeoutMs: integer('call-timeout', values['call-timeout'], 30_000),
    warmup: fraction('warmup', values.warmup, 0.2),
    samples: integer('samples', values.samples, quick ? 20 : 50),
    heapToleranceMiB: positive('heap-tolerance', values['heap-tolerance'], 8),
    faults: parseFaults(values.fault),
    quick,
  };
  if (options.samples < 4) throw new RangeError('--samples must be at least 4');
  return options;
}

function integer(name: string, text: string | undefined, fallback: number): number {
  const value = text === undefined ? fallback : Number(text.replaceAll(',', '').replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`--${name} must be a positive integer, got ${text}`);
  return value;
}

function positive(name: string, text: string | undefined, fallback: number): number {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`--${name} must be a positive number, got ${text}`);
  return value;
}

function fraction(name: string, text: string | undefined, fallback: number): number {
  const value = text === undefined ? fallback : Number(text);
  if (!Number.isFinite(value) || value < 0 || value >= 1) throw new RangeError(`--${name} must be in [0, 1), got ${text}`);
  return value;
}
