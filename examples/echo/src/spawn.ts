/**
 * Runs one of this example's TypeScript programs as a child process: Node with tsx's loader and
 * the `@petrichor/source` condition, so the workspace packages run from their sources (no build).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The loader, resolved from here so the child finds it whatever its working directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** `src/NAME.ts` of this example. */
export function programPath(name: 'server' | 'client' | 'demo'): string {
  return fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
}

/** Starts `src/NAME.ts` with `args`; stdin, stdout and stderr are pipes. */
export function runProgram(name: 'server' | 'client' | 'demo', args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--conditions=@petrichor/source', '--import', TSX, programPath(name), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
}
