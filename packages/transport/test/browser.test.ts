/**
 * spec/transports.md §5: a page in headless Chromium (Debian's chromium, driven by playwright-core)
 * talks to a Node server over a real WebSocket on loopback: the browser-safe client, bundled by
 * esbuild from the sources, with the browser's own WebSocket and bufferedAmount back-pressure.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Session } from '@petrichor/mux';
import { Server } from '@petrichor/rpc';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listen, type Listener } from '@petrichor/transport/node';
import type { CallReport, PageReport } from './browser/page.js';
import { bytes, digest, echo, readAll } from './helpers/kinds.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env['CI'] !== undefined) {
  throw new Error(`${CHROMIUM} is missing in CI: .ci/run installs Debian's chromium before the tests`);
}
if (!available) console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install chromium); in CI it runs`);

/** The page's bundle: esbuild, browser platform, from the TypeScript sources. */
async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./browser/page.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@petrichor/source'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe.skipIf(!available)('spec/transports.md §5 a page in headless Chromium over WebSocket', () => {
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  let site: http.Server;
  let listener: Listener;
  let rpcListener: Listener;
  const rpc = new Server({ name: 'greeter' });
  rpc.route('GET', '/hello/:name', (ctx) => ({ hello: ctx.params['name'] ?? '', from: 'node' }));
  const serverSessions: Session[] = [];

  beforeAll(async () => {
    const script = await bundle();
    site = http.createServer((request, response) => {
      if (request.url === '/page.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' });
        response.end(script);
      } else {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><meta charset="utf-8"><title>petrichor</title><script src="/page.js"></script>');
      }
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    listener = await listen('ws://127.0.0.1:0/qmux', (stream) => {
      const session = new Session(stream);
      serverSessions.push(session);
      echo(session);
    });
    rpcListener = await listen('ws://127.0.0.1:0/rpc', (stream) => void rpc.serve(stream));
    userDataDir = await mkdtemp(join(tmpdir(), 'ptr-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await listener?.close({ graceMs: 0 });
    await rpc.close({ deadlineMs: 0 });
    await rpcListener?.close({ graceMs: 0 });
    await new Promise((resolve) => site?.close(resolve));
    if (userDataDir !== undefined) await rm(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }); // Chromium's helpers may still be writing it
  });

  test('the page echoes on several channels through a Node server, a transfer larger than the window included', async () => {
    const sizes = [0, 5, 70_000, 3 * 1024 * 1024];
    // The server opens channels to the page too, and checks what comes back.
    const serverSide = (async () => {
      for (let i = 0; serverSessions.length === 0 && i < 500; i++) await new Promise((r) => setTimeout(r, 10));
      const session = serverSessions.at(-1)!;
      const results: boolean[] = [];
      for (const size of [1, 100_000]) {
        const channel = await session.open();
        const sent = bytes(size, size);
        const back = readAll(channel);
        await channel.write(sent);
        await channel.closeWrite();
        results.push(digest(await back) === digest(sent));
        await channel.close();
      }
      return results;
    })();
    const report = await page.evaluate(
      ([url, sizes]) => (globalThis as unknown as { petrichor: { run(url: string, sizes: number[], n: number): Promise<PageReport> } }).petrichor.run(url, sizes, 2),
      [listener.url, sizes] as const,
    );
    expect(report.error).toBeUndefined();
    expect(report.nodeGlobals).toBe(false);
    expect(report.echoes).toEqual(sizes.map((size) => ({ size, back: size, same: true })));
    expect(report.served).toBe(2);
    expect(report.rtt).toBeGreaterThanOrEqual(0);
    expect(await serverSide).toEqual([true, true]);
  }, 60_000);

  test('an rpc client in the page calls the Node service: an answer, and a 404 as RpcError', async () => {
    const report = await page.evaluate(
      (url) => (globalThis as unknown as { petrichor: { call(url: string, name: string): Promise<CallReport> } }).petrichor.call(url, 'chromium'),
      rpcListener.url,
    );
    expect(report.error).toBeUndefined();
    expect(report.answer).toEqual({ hello: 'chromium', from: 'node' });
    expect(report.missing).toMatchObject({ code: 404 });
  }, 60_000);
});
