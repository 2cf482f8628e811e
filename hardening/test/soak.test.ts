/**
 * `pnpm soak` as a child process, tiny: a clean run passes with every count as the mix says, and
 * a server told to lose one delivery, corrupt one reply and leak memory makes it fail, naming
 * each: the checks can fail.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const RUN = fileURLToPath(new URL('../../soak/run.ts', import.meta.url));
/** Each run is bounded by its own --time-limit; this kills one that still would not end. */
const KILL_MS = 100_000;

interface Ran {
  code: number | null;
  out: string;
}

function soak(args: readonly string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@petrichor/source', '--import', TSX, RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The row of the report for `kind`: sent, ok, served. */
function row(out: string, kind: string): [number, number, number] | undefined {
  const match = new RegExp(`^${kind} +([\\d,]+) +([\\d,]+) +([\\d,]+)`, 'm').exec(out);
  if (match === null) return undefined;
  return [match[1], match[2], match[3]].map((cell) => Number(cell!.replaceAll(',', ''))) as [number, number, number];
}

describe('pnpm soak', () => {
  it('passes a clean run, every call checked and counted on both sides', async () => {
    const { code, out } = await soak(['--calls', '20000', '--concurrency', '200', '--samples', '10', '--quick', '--time-limit', '60']);
    expect(out).toMatch(/^PASS$/m);
    expect(code, out).toBe(0);
    // The mix per 100 calls: 90 unary, 6 streams, 3 deliveries, 1 error (404 and 409 in turn).
    expect(row(out, 'unary')).toEqual([18_000, 18_000, 18_000]);
    expect(row(out, 'stream')).toEqual([1_200, 1_200, 1_200]);
    expect(row(out, 'deliver')).toEqual([600, 600, 600]);
    expect(row(out, 'error')).toEqual([200, 200, 100]); // only the 409s reach a handler
    expect(out).toMatch(/^stream .* 5,800 items, each checked$/m);
    expect(out).toMatch(/100 × 404 \(no route\), 100 × 409/);
    expect(out).toMatch(/^problems +lost 0 +duplicated 0 +wrong 0 +unexpected errors 0$/m);
    expect(out).toMatch(/^calls +20,000 in [\d.]+ s: [\d,]+ calls\/s/m);
    expect(out).toMatch(/^client +[\d.]+ MiB/m);
    expect(out).toMatch(/^server +[\d.]+ MiB/m);
  }, 120_000);

  it('fails, naming each, when the server drops a delivery, corrupts a reply and leaks memory', async () => {
    // Three faults in one run (a run costs seconds): each must be caught by its own check.
    const { code, out } = await soak(['--calls', '6000', '--concurrency', '100', '--samples', '10', '--quick', '--time-limit', '60', '--fault', 'drop-one,corrupt-one,leak']);
    expect(code, out).toBe(1);
    expect(row(out, 'deliver')).toEqual([180, 180, 179]);
    expect(row(out, 'unary')).toEqual([5_400, 5_399, 5_400]);
    expect(out).toMatch(/^ {2}wrong: unary call \d+: echo answered /m);
    expect(out).toMatch(/^problems +lost 1 +duplicated 0 +wrong 1 +unexpected errors 0$/m);
    const failed = out.split('\n').filter((line) => line.startsWith('FAIL'));
    expect(failed.map((line) => line.replace(/grew [\d.]+ MiB/, 'grew … MiB'))).toEqual([
      'FAIL wrong: 1 replies did not match their request',
      'FAIL unary: 5399 of 5400 calls had the expected outcome',
      'FAIL lost: the server accepted 179 of 180 deliveries',
      'FAIL heap (server): grew … MiB after warm-up, over the 8 MiB allowed',
      'FAIL (4 checks failed)',
    ]);
  }, 120_000);
});
