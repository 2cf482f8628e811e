/**
 * The example run for real: src/server.ts as a child process on a free port, the page in headless
 * Chromium (Debian's chromium, driven by playwright-core), buttons clicked, and what shows checked:
 * a reply, ticks appearing one by one while the stream is still open, a 404 as the error model
 * gives it (spec/rpc.md §4.3). Every wait is bounded; the browser and the server are closed after.
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePort } from '../src/server.js';
import { runServer, type RunningServer } from './run.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env['CI'] !== undefined) {
  throw new Error(`${CHROMIUM} is missing in CI: .ci/run installs Debian's chromium before the tests`);
}
if (!available) console.warn(`browser example test skipped: ${CHROMIUM} is missing (apt-get install chromium); in CI it runs`);

/** How long any one thing on the page may take to show. */
const SHOWS_WITHIN = 15_000;

describe('parsePort', () => {
  it('takes --port, then PORT, then 8080; refuses what is not a port', () => {
    expect(parsePort(['--port', '0'], { PORT: '9000' })).toBe(0);
    expect(parsePort(['--port=7001'], {})).toBe(7001);
    expect(parsePort([], { PORT: '9000' })).toBe(9000);
    expect(parsePort([], {})).toBe(8080);
    for (const bad of ['65536', '-1', 'http', '80.5', '123456']) expect(parsePort(['--port', bad], {})).toBeNull();
  });
});

describe.skipIf(!available)('examples/browser: the page in headless Chromium', () => {
  let server: RunningServer;
  let url: string;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = runServer(['--port', '0']);
    // The server's first line is the page's URL.
    url = (await server.line(/^(http:\/\/127\.0\.0\.1:\d+\/)\n/))[1]!;
    userDataDir = await mkdtemp(join(tmpdir(), 'ptr-browser-example-'));
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
    page.setDefaultTimeout(SHOWS_WITHIN);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(url);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir !== undefined) await rm(userDataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }); // Chromium's helpers may still be writing it
    server?.child.kill('SIGKILL'); // a no-op once the last test has stopped it
  });

  /** Waits (bounded) until `selector`'s `data-state` is `state`; returns its text. */
  async function shown(selector: string, state: string): Promise<string> {
    await page.waitForSelector(`${selector}[data-state="${state}"]`);
    return page.textContent(selector).then((text) => text ?? '');
  }

  it('serves the page and its script, and nothing else', async () => {
    const html = await (await fetch(url)).text();
    expect(html).not.toContain('data-rpc-port'); // no second port to tell the page about
    // One port: the service is on the page's server, and a plain request to its path is the page server's.
    const port = new URL(url).port;
    await server.line(new RegExp(`^notes service on ws://127\\.0\\.0\\.1:${port}/rpc,`, 'm'));
    expect((await fetch(new URL('/rpc', url))).status).toBe(404);
    const script = await fetch(new URL('/page.js', url));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(new URL('/src/page.ts', url))).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
  });

  it('answers a request target no URL parser takes, and goes on serving', async () => {
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    socket.on('error', () => {});
    socket.end('GET http://[ HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    let answer = '';
    for await (const chunk of socket) answer += String(chunk);
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect((await fetch(url)).status).toBe(200);
  });

  it('connects as the user named on the page', async () => {
    await page.fill('#user', 'ana');
    await page.click('#connect');
    expect(await shown('#status', 'connected')).toBe('connected: "welcome, ana"');
    await server.line(/^CONNECTED ana$/m);
  });

  it('adds a note and reads it back: the reply as s-expression text', async () => {
    await page.fill('#note-text', 'petrichor: the smell of rain');
    await page.click('#add');
    expect(await shown('#add-result', 'ok')).toBe('{:id 1 :text "petrichor: the smell of rain" :by "ana"}');
    await page.fill('#note-id', '1');
    await page.click('#read');
    expect(await shown('#read-result', 'ok')).toBe('{:id 1 :text "petrichor: the smell of rain" :by "ana"}');
  });

  it('shows a missing note’s 404 as the error model gives it', async () => {
    await page.fill('#note-id', '99');
    await page.click('#read');
    expect(await shown('#read-result', 'error')).toBe('(err :code 404 :message "no note 99")');
    expect(await page.getAttribute('#read-result', 'data-code')).toBe('404');
  });

  it('shows each tick as it arrives, before the stream ends', async () => {
    // Record the list and the status line at every change of the list, as the page makes them.
    await page.evaluate(() => {
      const list = document.getElementById('tick-list')!;
      const status = document.getElementById('tick-status')!;
      const seen: { items: number; state: string }[] = [];
      (globalThis as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => seen.push({ items: list.childElementCount, state: status.dataset['state'] ?? '' })).observe(list, { childList: true });
    });
    await page.fill('#tick-count', '4');
    await page.click('#ticks');
    expect(await shown('#tick-status', 'done')).toBe('done: 4 ticks');
    const seen = await page.evaluate(() => (globalThis as unknown as { seen: { items: number; state: string }[] }).seen);
    // The list was emptied, then grew one tick at a time, each shown while the stream was open.
    expect(seen.filter((change) => change.items > 0)).toEqual([1, 2, 3, 4].map((items) => ({ items, state: 'streaming' })));
    const items = await page.$$eval('#tick-list li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(items).toHaveLength(4);
    items.forEach((item, i) => expect(item).toMatch(new RegExp(`^\\{:tick ${i + 1} :at "\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z"\\}$`)));
  });

  it('cancels a stream: the server stops its ticker, the page shows 499', async () => {
    await page.fill('#tick-count', '100');
    await page.click('#ticks');
    await page.waitForSelector('#tick-list li');
    await page.click('#cancel');
    expect(await shown('#tick-status', 'cancelled')).toMatch(/^\(err :code 499 :message ".*"\)$/);
    await server.line(/^CANCELLED ana ticks after \d+ of 100$/m);
  });

  it('shows a handshake denial with its code and reason', async () => {
    await page.fill('#user', '');
    await page.click('#connect');
    expect(await shown('#status', 'denied')).toBe('RPC_HANDSHAKE_DENIED 400: say who you are: a user name is required');
    expect(await page.isDisabled('#read')).toBe(true);
  });

  it('shows the connection lost when the server stops, and the server exits 0', async () => {
    await page.fill('#user', 'ana');
    await page.click('#connect');
    await shown('#status', 'connected');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stdout).toMatch(/STOPPED\n$/);
    expect(await shown('#status', 'lost')).toBe('connection lost: the server closed the session');
    expect(pageErrors).toEqual([]);
  });
});
