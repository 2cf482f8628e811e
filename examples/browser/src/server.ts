/**
 * The example's server: the page and its script over plain HTTP, and the notes service over ws://
 * on the same server and port.
 *
 *   tsx --conditions=@petrichor/source src/server.ts [--port 8080]
 *
 * Its first line of output is the page's URL. The port comes from `--port`, else `PORT`, else
 * 8080 (0: a free port). Everything listens on 127.0.0.1 only. SIGINT or SIGTERM: calls in flight
 * get a second to finish, then it prints `STOPPED` and exits 0.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { listen } from '@petrichor/transport/node';
import { notesService, type NotesOptions } from './service.js';

/** The port a person gets when they give none. */
export const DEFAULT_PORT = 8080;

/** Options of {@link startSite}. */
export interface SiteOptions {
  /** The HTTP port on 127.0.0.1; 0 picks a free one. Default {@link DEFAULT_PORT}. */
  port?: number;
  /** Where log lines go (connections, cancelled tickers). Default `console.log`. */
  log?: (line: string) => void;
  /** Passed on to the notes service. */
  notes?: Omit<NotesOptions, 'log'>;
}

/** A running site. */
export interface Site {
  /** The page: `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The notes service: `ws://127.0.0.1:PORT/rpc`, on the page's port. */
  readonly rpcUrl: string;
  /** Lets calls in flight finish (1 s at most), then stops the service's listener and the server. */
  close(): Promise<void>;
}

/** The page's script: page.ts and everything it imports, one minified ES module, built in memory. */
export async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    // The workspace packages from their TypeScript sources; their browser-safe entries.
    conditions: ['@petrichor/source', 'module', 'browser'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Starts the HTTP server that serves the page, and the notes service on it over ws://. */
export async function startSite(options: SiteOptions = {}): Promise<Site> {
  const log = options.log ?? ((line: string) => console.log(line));
  const [script, html] = await Promise.all([bundlePage(), readFile(new URL('./index.html', import.meta.url), 'utf8')]);

  const service = notesService({ ...options.notes, log });
  const site = http.createServer((request, response) => {
    // Not `new URL()`: it throws on request targets like `http://[`, and this must never throw.
    const path = (request.url ?? '/').split('?')[0]!;
    const file = path === '/' || path === '/index.html' ? { type: 'text/html', body: html } : path === '/page.js' ? { type: 'text/javascript', body: script } : null;
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'text/plain', 'GET only\n');
    if (file === null) return reply(response, 404, 'text/plain', `no ${path} here\n`);
    reply(response, 200, file.type, file.body);
  });
  await new Promise<void>((resolve, reject) => {
    site.once('error', reject);
    site.listen(options.port ?? DEFAULT_PORT, '127.0.0.1', () => {
      site.off('error', reject);
      resolve();
    });
  });
  // The service on the same server and port: WebSocket upgrades on /rpc are its, every plain request the page's.
  const rpc = await listen('ws://127.0.0.1/rpc', { server: site }, (stream) => {
    void service.serve(stream).then((session) => {
      if (session === null) return;
      log(`CONNECTED ${session.peer.user}`);
      void session.closed.then(() => log(`ALL DONE ${session.peer.user}`));
    });
  });

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(site.address() as AddressInfo).port}/`,
    rpcUrl: rpc.url,
    close: () =>
      (closing ??= (async () => {
        await service.close({ deadlineMs: 1_000 });
        await rpc.close({ graceMs: 1_000 });
        site.closeAllConnections();
        await new Promise((resolve) => site.close(resolve));
      })()),
  };
}

function reply(response: http.ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

/** The port from `--port N`, `--port=N`, else `PORT`, else the default; null if it is not a port. */
export function parsePort(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number | null {
  let text = env['PORT'];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') text = argv[++i];
    else if (argv[i]?.startsWith('--port=')) text = argv[i]!.slice('--port='.length);
  }
  if (text === undefined || text === '') return DEFAULT_PORT;
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  return port <= 65_535 ? port : null;
}

async function main(): Promise<void> {
  const port = parsePort(process.argv.slice(2));
  if (port === null) {
    console.error('usage: server.ts [--port N]   (N from 0 to 65535; also PORT)');
    process.exit(64);
  }
  let site: Site;
  try {
    site = await startSite({ port });
  } catch (error) {
    console.error(`cannot start: ${(error as Error).message}`);
    process.exit(2);
  }
  console.log(site.url);
  console.log(`notes service on ${site.rpcUrl}, the same port; open the page above, Ctrl-C to stop`);
  const stop = (signal: string): void => {
    console.log(`STOPPING on ${signal}`);
    void site.close().then(() => {
      console.log('STOPPED');
      process.exit(0);
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
