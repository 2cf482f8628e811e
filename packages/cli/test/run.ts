/**
 * Runs the real `petrichor` command as a child process, from source:
 * `node --conditions=@petrichor/source --import tsx packages/cli/src/bin.ts …`.
 * Every child is bounded in time and killed by {@link killAll} (call it in afterEach).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(ROOT, 'packages/cli/src/bin.ts');

const running = new Set<ChildProcessWithoutNullStreams>();

/** What a finished run left. */
export interface Result {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Bytes or text for stdin; stdin is closed after them (or at once when absent). */
  readonly stdin?: string | Uint8Array;
  /** Variables added to the environment (which starts without NO_COLOR and FORCE_COLOR). */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the child after this long (the test then fails on its result). Default 15 s. */
  readonly timeoutMs?: number;
}

function environment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  delete env.PETRICHOR_BEARER;
  delete env.PETRICHOR_HMAC_KEY;
  delete env.PETRICHOR_HMAC_SECRET;
  return { ...env, ...extra };
}

/** Starts `petrichor ARGS…`; the caller reads its streams. */
export function start(args: readonly string[], options: Omit<RunOptions, 'stdin'> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, ['--conditions=@petrichor/source', '--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    env: environment(options.env),
    stdio: 'pipe',
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  child.on('exit', () => clearTimeout(timer));
  return child;
}

/**
 * Children of {@link run} at once: more than the machine's cores only makes each start slower
 * (each is a Node process compiling TypeScript), and their time limits start at spawn.
 */
const MAX_RUNNING = 3;
let active = 0;
const waiting: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (active >= MAX_RUNNING) await new Promise<void>((resolve) => waiting.push(resolve));
  active++;
  return () => {
    active--;
    waiting.shift()?.();
  };
}

/** Runs `petrichor ARGS…` to completion. */
export async function run(args: readonly string[], options: RunOptions = {}): Promise<Result> {
  const release = await slot();
  try {
    return await runNow(args, options);
  } finally {
    release();
  }
}

function runNow(args: readonly string[], options: RunOptions): Promise<Result> {
  const child = start(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdin.on('error', () => {}); // a child that exits before reading its input
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolves with the first line of `stream` that matches `pattern` (rejects when the stream ends first). */
export function waitForLine(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer | string): void => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n')) {
        if (pattern.test(line)) {
          stream.off('data', onData);
          stream.off('end', onEnd);
          resolve(line);
          return;
        }
      }
    };
    const onEnd = (): void => reject(new Error(`stream ended without a line matching ${pattern}; got ${JSON.stringify(buffered)}`));
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

/** Kills every child still running (SIGKILL: a test that needed a clean stop waited for it). */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Text without ANSI colour codes. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex -- stripping SGR codes
  return text.replace(/\u001b\[\d+m/g, '');
}

/** Spec-style hex (`32 3a | 7e`) as the bytes. */
export function bytesOf(hex: string): Uint8Array {
  const digits = hex.replace(/[\s|]/g, '');
  return Uint8Array.from(digits.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}
