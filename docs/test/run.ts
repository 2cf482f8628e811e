/**
 * Helpers for the docs tests: run a TypeScript file as a child process the way the guides say
 * (Node with tsx and the `@petrichor/source` condition, so the workspace packages run from their
 * sources), read its output, stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const repo = fileURLToPath(new URL('../..', import.meta.url));

/** A file of the repository, by its path from the root. */
export function repoPath(path: string): string {
  return fileURLToPath(new URL(path, pathToFileURL(repo)));
}

/** A file of the repository as text. */
export function readRepoFile(path: string): string {
  return readFileSync(repoPath(path), 'utf8');
}

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A running program: its process, and its output so far. */
export interface Program {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (a signal's name when killed) once the program ends. */
  readonly exited: Promise<number | string>;
}

/** Starts `node --conditions=@petrichor/source --import tsx FILE ...args` (FILE from the root). */
export function runTs(file: string, args: readonly string[] = []): Program {
  const child = spawn(process.execPath, ['--conditions=@petrichor/source', '--import', TSX, repoPath(file), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits (up to `ms`) until the program's stdout matches `pattern`; returns the match. */
export async function waitForOutput(program: Program, pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const match = pattern.exec(program.stdout());
    if (match !== null) return match;
    if (program.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no ${String(pattern)} in the output of the program:\n${program.stdout()}\n${program.stderr()}`);
}

/** Runs a program to its end (killed after `ms`); returns its exit code and output. */
export async function runToEnd(file: string, args: readonly string[], ms = 30_000): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const program = runTs(file, args);
  const timer = setTimeout(() => program.child.kill('SIGKILL'), ms);
  const code = await program.exited;
  clearTimeout(timer);
  return { code, stdout: program.stdout(), stderr: program.stderr() };
}

/** Sends SIGTERM and waits for the end (SIGKILL after `ms`); returns the exit code. */
export async function stop(program: Program, ms = 10_000): Promise<number | string> {
  if (program.child.exitCode !== null || program.child.signalCode !== null) return program.exited;
  program.child.kill('SIGTERM');
  const timer = setTimeout(() => program.child.kill('SIGKILL'), ms);
  const code = await program.exited;
  clearTimeout(timer);
  return code;
}

/** The fenced code blocks of a markdown text with the given info string (`ts`, `text`, …), in order. */
export function fencedBlocks(markdown: string, info: string): string[] {
  const blocks: string[] = [];
  const pattern = /^```(\S*)[^\n]*\n([\s\S]*?)^```\s*$/gm;
  for (const match of markdown.matchAll(pattern)) {
    if (match[1] === info) blocks.push(match[2] ?? '');
  }
  return blocks;
}
