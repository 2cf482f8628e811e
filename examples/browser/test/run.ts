/**
 * Runs src/server.ts as a child process, the way `pnpm start` does: Node with tsx's loader and the
 * `@petrichor/source` condition, so the workspace packages run from their sources (no build).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The loader, resolved from here so the child finds it whatever its working directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/** The server child and what it has printed so far. */
export interface RunningServer {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** Resolves with the first stdout match of `pattern`; rejects after `ms`. */
  line(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
}

/** Starts the server with `args`; the caller kills it. */
export function runServer(args: readonly string[], env?: NodeJS.ProcessEnv): RunningServer {
  const child = spawn(process.execPath, ['--conditions=@petrichor/source', '--import', TSX, SERVER, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const run: RunningServer = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))),
    line: (pattern, ms = 20_000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = run.stdout.match(pattern);
          if (match === null) return false;
          clearTimeout(timer);
          child.stdout!.off('data', check);
          resolve(match);
          return true;
        };
        const timer = setTimeout(() => {
          child.stdout!.off('data', check);
          reject(new Error(`no ${pattern} from the server within ${ms} ms; stdout: ${run.stdout} stderr: ${run.stderr}`));
        }, ms);
        // The listener below was added first, so `run.stdout` is up to date when `check` runs.
        if (!check()) child.stdout!.on('data', check);
      }),
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  return run;
}
