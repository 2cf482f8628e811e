/**
 * `bench --quick`, run for real as a child process: it starts both stacks' services as child
 * processes of its own, checks the pages match, measures, prints both rows and the ratio, and
 * exits 0. Bounded: the child is killed if it has not finished within the test's time.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const BENCH = fileURLToPath(new URL('../src/bench.ts', import.meta.url));
const LIMIT_MS = 150_000;

it('bench --quick runs to completion and prints both stacks side by side', { timeout: LIMIT_MS + 5_000 }, async () => {
  const child = spawn(process.execPath, ['--conditions=@petrichor/source', '--import', TSX, BENCH, '--quick'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | string>((resolve) => child.once('exit', (exit, signal) => resolve(exit ?? signal ?? 'unknown')));
  clearTimeout(timer);

  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toContain('same pages on every stack: yes');
  const number = String.raw`(?:\s+[0-9.]+)`;
  // stack, pages/s, p50, p99, calls/s, calls/page (21.0), 404s/page, errors 0.00%, CPU ms/page
  expect(stdout).toMatch(new RegExp(String.raw`^petrichor${number}{4}\s+21\.0${number}\s+0\.00%${number}$`, 'm'));
  expect(stdout).toMatch(new RegExp(String.raw`^http${number}{4}\s+21\.0${number}\s+0\.00%${number}$`, 'm'));
  expect(stdout).toMatch(/^petrichor\/http\s+[0-9.]+×/m);
});
