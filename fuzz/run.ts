/**
 * `pnpm fuzz [target…] [--runs N] [--seconds S] [--seed X] [--path P] [--quick]`: bounded,
 * seeded fuzzing of every decoder (issue 8). Each target stops at N inputs or S seconds, whichever
 * comes first; the seed is printed, and a failure prints its counterexample and the command that
 * replays it. Exits 1 on any failure, 2 on a bad argument.
 */
import fc from 'fast-check';
import { inspect, parseArgs } from 'node:util';
import { FuzzFailure, noise, outcomes, type Target } from './harness.js';
import { targets } from './targets/index.js';

const USAGE = 'usage: pnpm fuzz [target…] [--runs N] [--seconds S] [--seed X] [--path P] [--quick]';

/** Seconds per target in a full run, and in --quick (CI: nine targets in under a minute). */
const FULL_SECONDS = 60;
const QUICK_SECONDS = 4;
const QUICK_RUNS_DIVISOR = 20;
/** Memory one input may leave behind, beyond a few times its own size: a length prefix refused without allocating stays far below. */
const ARRAY_BUFFER_SLACK = 1024 * 1024;
const HEAP_SLACK = 32 * 1024 * 1024;

function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        runs: { type: 'string' },
        seconds: { type: 'string' },
        seed: { type: 'string' },
        path: { type: 'string' },
        quick: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return Promise.resolve(2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(`${USAGE}\ntargets: ${targets.map((t) => t.name).join(', ')}`);
    return Promise.resolve(0);
  }
  const chosen = positionals.length === 0 ? targets : positionals.map((name) => targets.find((t) => t.name === name));
  const unknown = positionals.filter((_, i) => chosen[i] === undefined);
  if (unknown.length > 0) {
    console.error(`unknown target ${unknown.join(', ')}; known: ${targets.map((t) => t.name).join(', ')}`);
    return Promise.resolve(2);
  }
  const number = (text: string | undefined, name: string): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < (name === 'seed' ? -(2 ** 31) : 1)) throw new RangeError(`--${name} must be a${name === 'seed' ? 'n' : ' positive'} integer, got ${text}`);
    return n;
  };
  let runs, seconds, seed;
  try {
    runs = number(values.runs, 'runs');
    seconds = number(values.seconds, 'seconds');
    seed = number(values.seed, 'seed') ?? (Date.now() ^ (Math.random() * 2 ** 31)) | 0;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return Promise.resolve(2);
  }
  return fuzz(chosen as Target<never>[], { runs, seconds: seconds ?? (values.quick ? QUICK_SECONDS : FULL_SECONDS), seed, path: values.path, quick: values.quick });
}

interface Settings {
  runs: number | undefined;
  seconds: number;
  seed: number;
  path: string | undefined;
  quick: boolean;
}

/** Errors that escaped every handler while a target ran: each one is a failure. */
const escaped: string[] = [];
const onRejection = (reason: unknown) => void escaped.push(`unhandled rejection: ${inspect(reason)}`);
const onException = (error: unknown) => void escaped.push(`uncaught exception: ${inspect(error)}`);

async function fuzz(chosen: readonly Target<never>[], settings: Settings): Promise<number> {
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  console.log(`# pnpm fuzz — node ${process.version}, seed ${settings.seed}, ${settings.quick ? 'quick' : 'full'} run, ≤ ${settings.seconds} s per target`);
  console.log('| target | inputs tried | seconds | result |');
  console.log('|---|---:|---:|---|');
  const started = performance.now();
  let total = 0;
  const failures: string[] = [];
  const reached: string[] = [];
  for (const target of chosen) {
    outcomes.clear();
    const { tried, seconds, failure } = await runTarget(target, settings);
    const calls = [...outcomes].sort((a, b) => b[1] - a[1]).map(([what, n]) => `${what} ${n.toLocaleString('en-US')}`);
    reached.push(`- ${target.name}: ${calls.join(', ')}`);
    total += tried;
    console.log(`| ${target.name} | ${tried.toLocaleString('en-US')} | ${seconds.toFixed(1)} | ${failure === undefined ? 'ok' : 'FAILED'} |`);
    if (failure !== undefined) failures.push(`## ${target.name}\n${failure}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 20)); // a late rejection still counts
  if (escaped.length > 0) failures.push(`## after the run\n${escaped.splice(0).join('\n')}`);
  const seconds = (performance.now() - started) / 1000;
  console.log(`| **all** | ${total.toLocaleString('en-US')} | ${seconds.toFixed(1)} | ${failures.length === 0 ? 'ok' : `${failures.length} FAILED`} |`);
  console.log(`\nHow the calls ended (a value, or each error code):\n${reached.join('\n')}`);
  if (noise.retriedCalls > 0) console.log(`(${noise.retriedCalls} calls went over the time budget once and passed on retry: GC or JIT pauses)`);
  for (const failure of failures) console.error(`\n${failure}`);
  process.off('unhandledRejection', onRejection);
  process.off('uncaughtException', onException);
  return failures.length === 0 ? 0 : 1;
}

async function runTarget(target: Target<never>, settings: Settings): Promise<{ tried: number; seconds: number; failure?: string }> {
  let tried = 0;
  const property = fc.asyncProperty(target.input, async (input: never) => {
    tried++;
    const before = process.memoryUsage();
    await target.check(input);
    const after = process.memoryUsage();
    const size = target.size(input);
    const arrayBuffers = after.arrayBuffers - before.arrayBuffers;
    const heap = after.heapUsed - before.heapUsed;
    if (arrayBuffers > ARRAY_BUFFER_SLACK + 8 * size) throw new FuzzFailure(`${arrayBuffers} bytes of ArrayBuffers allocated for an input of ${size} bytes`);
    if (heap > HEAP_SLACK + 256 * size) throw new FuzzFailure(`the heap grew ${heap} bytes for an input of ${size} bytes`);
    if (escaped.length > 0) throw new FuzzFailure(escaped.splice(0).join('\n'));
  });
  // A replay (--path) tries the one input the path names, unless --runs asks for more after it.
  const runs = settings.runs ?? (settings.path !== undefined ? 1 : settings.quick ? Math.ceil(target.runs / QUICK_RUNS_DIVISOR) : target.runs);
  const start = performance.now();
  const details = await fc.check(property, {
    numRuns: runs,
    seed: settings.seed,
    examples: (target.examples ?? []).map((example) => [example] as [never]),
    ...(settings.path === undefined ? {} : { path: settings.path }),
    interruptAfterTimeLimit: settings.seconds * 1000,
    markInterruptAsFailure: false,
  });
  const seconds = (performance.now() - start) / 1000;
  if (!details.failed) return { tried, seconds };
  const replay = `pnpm fuzz ${target.name} --seed ${details.seed} --path ${details.counterexamplePath ?? ''}`;
  const error = details.errorInstance instanceof Error ? (details.errorInstance.stack ?? details.errorInstance.message) : inspect(details.errorInstance);
  const failure = [
    `counterexample (after ${details.numShrinks} shrinks): ${inspect(details.counterexample?.[0], { depth: 4, maxArrayLength: 64, maxStringLength: 400, breakLength: 120 })}`,
    error,
    `replay: ${replay}`,
  ].join('\n');
  return { tried, seconds, failure };
}

process.exitCode = await main();
