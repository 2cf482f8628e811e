/**
 * docs/getting-started.md: its TypeScript samples are the files in docs/examples/, quoted whole
 * (so they cannot drift), and they run: the service, the Node client and the petrichor command
 * as child processes over loopback TCP, the browser sample bundled by esbuild and loaded in
 * headless Chromium (Debian's /usr/bin/chromium) against the same service over ws://. What each
 * client prints must be the output the guide shows.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';
import { fencedBlocks, readRepoFile, repoPath, runTs, runToEnd, stop, waitForOutput } from './run.js';

const guide = readRepoFile('docs/getting-started.md');
const examples = readdirSync(repoPath('docs/examples')).filter((name) => name.endsWith('.ts'));

describe('docs/getting-started.md quotes docs/examples/ verbatim', () => {
  test('every example file is a ts block of the guide, and every ts block is an example file', () => {
    const blocks = fencedBlocks(guide, 'ts');
    const files = examples.map((name) => readRepoFile(`docs/examples/${name}`));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const [index, text] of files.entries()) expect(blocks, `docs/examples/${examples[index]}`).toContain(text);
    for (const block of blocks) expect(files, `a ts block of the guide that is no example file:\n${block}`).toContain(block);
  });
});

describe('the guide runs in Node', () => {
  test('first-service.ts on tcp://, first-call.ts and the petrichor command against it; SIGTERM stops the service cleanly', async () => {
    const service = runTs('docs/examples/first-service.ts', ['tcp://127.0.0.1:0']);
    try {
      const [, url] = await waitForOutput(service, /greeter listening on (tcp:\/\/127\.0\.0\.1:\d+)\n/);
      const call = await runToEnd('docs/examples/first-call.ts', [url!]);
      expect(call.stderr).toBe('');
      expect(call.code).toBe(0);
      expect(call.stdout).toContain("{ greeting: 'hello, ana' }");
      expect(guide).toContain('```text\n' + call.stdout + '```\n');

      const cli = await runToEnd('packages/cli/src/bin.ts', ['call', url!, 'GET', '/hello/ana']);
      expect(cli.code).toBe(0);
      expect(cli.stdout).toBe('{:greeting "hello, ana"}\n');
      expect(guide).toContain('```text\n' + cli.stdout + '```\n');
    } finally {
      expect(await stop(service)).toBe(0);
    }
  }, 100_000); // bounded inside: 20 s for the service to start, 30 s for each client, 10 s to stop
});

const CHROMIUM = '/usr/bin/chromium';
const chromium = existsSync(CHROMIUM);
if (!chromium && process.env['CI'] !== undefined) throw new Error(`${CHROMIUM} is missing in CI`);
if (!chromium) console.warn(`the guide's browser test is skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

/** The browser sample as a page's module: esbuild, browser platform, from the sources. */
async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [repoPath('docs/examples/browser-call.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@petrichor/source'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/**
 * The page: the sample, imported by a module that posts what the page shows once the sample's
 * top-level await is done (or the error, if it threw).
 */
const page = `<!doctype html><meta charset="utf-8"><title>first call</title><pre id="out"></pre>
<script type="module">
  let report;
  try { await import('/browser-call.js'); report = document.querySelector('#out').textContent; }
  catch (error) { report = 'THREW ' + String(error && error.stack || error); }
  await fetch('/report', { method: 'POST', body: report });
</script>`;

describe.skipIf(!chromium)('the guide runs in a browser', () => {
  test('browser-call.ts in headless Chromium calls first-service.ts over ws://', async () => {
    const script = await bundle();
    expect(script).not.toMatch(/from\s*["']node:/); // the browser imports nothing of Node
    const service = runTs('docs/examples/first-service.ts', ['ws://127.0.0.1:0/rpc']);
    let report!: (text: string) => void;
    const reported = new Promise<string>((resolve) => (report = resolve));
    const site = http.createServer((request, response) => {
      if (request.url === '/report' && request.method === 'POST') {
        let body = '';
        request.setEncoding('utf8').on('data', (text: string) => (body += text));
        request.on('end', () => {
          response.end();
          report(body);
        });
      } else if (request.url === '/browser-call.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        response.writeHead(200, { 'content-type': 'text/html' }).end(page);
      }
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const profile = await mkdtemp(join(tmpdir(), 'ptr-docs-chromium-'));
    let browser: ReturnType<typeof spawn> | undefined;
    try {
      const [, url] = await waitForOutput(service, /greeter listening on (ws:\/\/127\.0\.0\.1:\d+\/rpc)\n/);
      const { port } = site.address() as AddressInfo;
      const address = `http://127.0.0.1:${port}/?service=${encodeURIComponent(url!)}`;
      browser = spawn(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, address], {
        stdio: 'ignore',
      });
      const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('TIMED OUT'), 25_000).unref());
      const shown = await Promise.race([reported, timeout]);
      expect(shown).toContain('{"greeting":"hello, ana"}');
      expect(guide).toContain('```text\n' + shown + '```\n');
    } finally {
      if (browser !== undefined && browser.exitCode === null) {
        const gone = new Promise((resolve) => browser!.once('exit', resolve));
        browser.kill('SIGTERM');
        const kill = setTimeout(() => browser!.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(kill);
      }
      site.closeAllConnections();
      await new Promise<void>((resolve) => site.close(() => resolve()));
      // Chromium's helper processes may still be writing the profile as the browser exits: retry.
      await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      expect(await stop(service)).toBe(0);
    }
  }, 70_000); // bounded inside: 20 s for the service to start, 25 s for the page, 10 s to stop
});
