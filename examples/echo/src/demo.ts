/**
 * `pnpm echo [tcp|unix|ws]`: the whole echo example in one command. Starts the echo server here
 * (denying mallory), runs the real client as a child process for alice, types a few lines into it
 * and prints both sides of the exchange, shows mallory being denied, then shuts the server down
 * gracefully. Exits 0 only if every reply came back as sent and each program exited as it should.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startEchoServer } from './server.js';
import { runProgram } from './spawn.js';

const SCHEMES = ['tcp', 'unix', 'ws'] as const;
type Scheme = (typeof SCHEMES)[number];

/** What alice types. */
export const LINES = ['hello', 'petrichor: the smell of rain', '¿qué tal? ☔'];

/** The demo must finish well within this, or it fails. */
const TIMEOUT_MS = 30_000;

const scheme = (process.argv.slice(2).find((arg) => arg !== '--') ?? 'tcp') as Scheme;
if (!SCHEMES.includes(scheme)) {
  console.error(`usage: pnpm echo [${SCHEMES.join('|')}]   (unknown transport: ${scheme})`);
  process.exit(64);
}

const say = (who: string, line: string): void => console.log(`${who.padEnd(8)}│ ${line}`);
const children = new Set<ChildProcess>();
const timer = setTimeout(() => fail(`timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);

function fail(why: string): never {
  console.error(`demo FAILED: ${why}`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}

/** Runs the client for `user`; `session` drives it line by line. Resolves with its exit code. */
async function runClient(url: string, user: string, session: (send: (line: string) => Promise<string>) => Promise<void>): Promise<number | null> {
  const child = runProgram('client', [url, user]);
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (line) => say(user, `(stderr) ${line}`));
  const out = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<string | undefined> => {
    const line = await out.next();
    return line.done ? undefined : line.value;
  };
  const first = await next();
  if (first !== undefined) say(user, first);
  if (first?.startsWith('CONNECTED ')) {
    await session(async (line) => {
      say(user, `→ ${line}`);
      child.stdin!.write(`${line}\n`);
      const reply = await next();
      if (reply === undefined) fail(`${user}'s client ended before replying to ${JSON.stringify(line)}`);
      say(user, `← ${reply}`);
      return reply;
    });
  }
  child.stdin!.end();
  for (let line = await next(); line !== undefined; line = await next()) say(user, line);
  const code = await exited;
  children.delete(child);
  say(user, `(exited with ${code})`);
  return code;
}

const dir = scheme === 'unix' ? await mkdtemp(join(tmpdir(), 'petrichor-echo-')) : undefined;
const listenUrl = { tcp: 'tcp://127.0.0.1:0', unix: `unix://${dir}/echo.sock`, ws: 'ws://127.0.0.1:0/echo' }[scheme];
const server = await startEchoServer({ url: listenUrl, deny: ['mallory'], log: (line) => say('server', line) });
say('server', `RUNNING ${server.url} (denying mallory)`);

try {
  const aliceCode = await runClient(server.url, 'alice', async (send) => {
    for (const line of LINES) {
      const reply = await send(line);
      if (reply !== line) fail(`sent ${JSON.stringify(line)}, got back ${JSON.stringify(reply)}`);
    }
  });
  if (aliceCode !== 0) fail(`alice's client exited with ${aliceCode}, not 0`);

  const malloryCode = await runClient(server.url, 'mallory', () => fail('mallory was let in'));
  if (malloryCode !== 1) fail(`mallory's client exited with ${malloryCode}, not 1 (denied)`);
} finally {
  await server.close();
  say('server', 'STOPPED');
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
}
clearTimeout(timer);
console.log(`echo demo over ${scheme}:// OK`);
