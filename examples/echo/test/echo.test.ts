/**
 * The echo example, run for real: the demo, the server and the client as child processes over
 * tcp://, unix:// and ws:// (spec/transports.md §1 URL forms; the handshake's allow and deny,
 * spec/rpc.md §1). Every child is killed after its test; every wait is bounded.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { runProgram } from '../src/spawn.js';

/** What the demo's alice types (src/demo.ts). */
const LINES = ['hello', 'petrichor: the smell of rain', '¿qué tal? ☔'];

/** A child process and what it has printed so far. */
interface Running {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** Resolves with the first stdout line matching `pattern`; rejects after `ms`. */
  line(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
}

/** Starts `src/NAME.ts`; it is killed when the test `ctx` finishes, however it ends. */
function start(ctx: TestContext, name: 'server' | 'client' | 'demo', args: readonly string[]): Running {
  const child = runProgram(name, args);
  ctx.onTestFinished(() => void child.kill('SIGKILL'));
  const run: Running = {
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
          reject(new Error(`no ${pattern} from ${name} within ${ms} ms; stdout: ${run.stdout} stderr: ${run.stderr}`));
        }, ms);
        // Our own listener below runs first (added first), so `run.stdout` is up to date here.
        if (!check()) child.stdout!.on('data', check);
      }),
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (run.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (run.stderr += chunk));
  return run;
}

/** `text` matched literally inside a RegExp. */
const literally = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The demo's label for `who`, as it prints it. */
const by = (who: string): string => `${who.padEnd(8)}│ `;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'petrichor-echo-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SCHEMES = ['tcp', 'unix', 'ws'] as const;

// The schemes' tests run side by side (each test has its own server): most of the time is Node starting.
describe.concurrent.each(SCHEMES)('examples/echo over %s://', (scheme) => {
  let serial = 0;
  const listenUrl = (): string =>
    ({ tcp: 'tcp://127.0.0.1:0', unix: `unix://${dir}/echo-${++serial}.sock`, ws: 'ws://127.0.0.1:0/echo' })[scheme];

  /** A real echo server denying mallory; resolves once it prints RUNNING and its URL. */
  async function server(ctx: TestContext): Promise<{ run: Running; url: string }> {
    const run = start(ctx, 'server', [listenUrl(), '--deny', 'mallory,eve']);
    const [, url] = await run.line(/^RUNNING (\S+)/m);
    expect(url!.startsWith(`${scheme}://`)).toBe(true);
    return { run, url: url! };
  }

  it('pnpm echo: the demo prints the exchange, shows a denial, and exits 0', async (ctx) => {
    const demo = start(ctx, 'demo', [scheme]);
    expect(await demo.exited).toBe(0);
    const out = demo.stdout;
    expect(out).toContain(`${by('server')}RUNNING ${scheme}://`);
    expect(out).toMatch(new RegExp(`^${by('alice')}CONNECTED WELCOME alice \\(server [0-9a-f]{32} v0\\.1\\)$`, 'm'));
    for (const line of LINES) {
      expect(out).toContain(`${by('alice')}→ ${line}\n`);
      expect(out).toContain(`${by('alice')}← ${line}\n`);
      expect(out).toMatch(new RegExp(`^${by('server')}RECEIVED alice [0-9a-f]{32} ${literally(JSON.stringify(line))}$`, 'm'));
    }
    expect(out).toContain(`${by('alice')}(exited with 0)\n`);
    expect(out).toContain(`${by('mallory')}YOU WERE DENIED user mallory is not allowed on this server\n`);
    expect(out).toContain(`${by('mallory')}(exited with 1)\n`);
    expect(out).toContain(`${by('server')}STOPPED\n`);
    expect(out).toContain(`echo demo over ${scheme}:// OK\n`);
  }, 60_000);

  it('the client echoes each line (a call each, or one streaming call), exits 0 at the end of input; a denied user gets the reason and exit 1', async (ctx) => {
    const { run: srv, url } = await server(ctx);

    const alice = start(ctx, 'client', [url, 'alice']);
    alice.child.stdin!.end('one\ntwo words\n\nthree\n');
    expect(await alice.exited).toBe(0);
    expect(alice.stdout).toMatch(/^CONNECTED WELCOME alice \(server [0-9a-f]{32} v0\.1\)\none\ntwo words\n\nthree\n$/);
    expect(alice.stderr).toBe('');
    // The server saw who alice said she was, each line, and the session's end.
    const [, ident] = await srv.line(/^CONNECTED alice ([0-9a-f]{32}) v0\.1$/m);
    await srv.line(new RegExp(`^ALL DONE alice ${ident} v0\\.1$`, 'm'));
    expect(srv.stdout).toContain(`RECEIVED alice ${ident} "two words"\n`);

    // The same user again, with one streaming call for the whole input: a different ident.
    const again = start(ctx, 'client', [url, 'alice', '--stream']);
    again.child.stdin!.end('x\ny y\n\nz\n');
    expect(await again.exited).toBe(0);
    expect(again.stdout).toMatch(/^CONNECTED WELCOME alice \(server [0-9a-f]{32} v0\.1\)\nx\ny y\n\nz\n$/);
    const idents = [...srv.stdout.matchAll(/^CONNECTED alice ([0-9a-f]{32})/gm)].map((m) => m[1]);
    expect(new Set(idents).size).toBe(2);

    const eve = start(ctx, 'client', [url, 'eve']);
    eve.child.stdin!.end('let me in\n');
    expect(await eve.exited).toBe(1);
    expect(eve.stdout).toBe('YOU WERE DENIED user eve is not allowed on this server\n');
    await srv.line(/^DENIED eve [0-9a-f]{32} v0\.1$/m);
    expect(srv.stdout).not.toContain('RECEIVED eve');
  }, 60_000);

  it('the client exits non-zero with a message when the server is killed', async (ctx) => {
    const { run: srv, url } = await server(ctx);
    const bob = start(ctx, 'client', [url, 'bob']);
    bob.child.stdin!.write('ping\n');
    await bob.line(/^ping$/m);
    srv.child.kill('SIGKILL');
    expect(await bob.exited).toBe(3);
    expect(bob.stderr).toMatch(/^the server went away/m);
  }, 60_000);

  it('SIGTERM stops the server gracefully; its connected client is told and exits non-zero', async (ctx) => {
    const { run: srv, url } = await server(ctx);
    const bob = start(ctx, 'client', [url, 'bob']);
    bob.child.stdin!.write('ping\n');
    await bob.line(/^ping$/m);
    srv.child.kill('SIGTERM');
    expect(await srv.exited).toBe(0);
    expect(srv.stdout).toMatch(/STOPPING on SIGTERM\n(.*\n)*STOPPED\n$/);
    expect(await bob.exited).toBe(3);
    expect(bob.stderr).toMatch(/^the server went away/m);
  }, 60_000);
});

describe('examples/echo arguments', () => {
  it('the client without a URL and user prints its usage and exits 64', async (ctx) => {
    const client = start(ctx, 'client', []);
    expect(await client.exited).toBe(64);
    expect(client.stderr).toMatch(/^usage: client\.ts <url> <user> \[--stream\]/);
  });

  it('the client exits 2 with a message when nothing listens', async (ctx) => {
    const client = start(ctx, 'client', [`unix://${dir}/nobody.sock`, 'alice']);
    expect(await client.exited).toBe(2);
    expect(client.stderr).toMatch(/^cannot connect to unix:\/\//);
  });
});
