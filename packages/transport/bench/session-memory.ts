/**
 * What one idle rpc connection costs a server, the figure behind `maxConnections`' default
 * (spec/transports.md §3.3): a server in a child process (`--expose-gc`), N clients that connect
 * over tcp:// and make one call each, and the server's memory after two full collections, before
 * and after, divided by N. Printed, never asserted. RSS needs a few hundred sessions to show
 * through the allocator's slack; heap and buffers are steady from a few dozen.
 *
 *   npx tsx --conditions=@petrichor/source packages/transport/bench/session-memory.ts [N=400]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client, Server } from '@petrichor/rpc';
import { connect, listen } from '@petrichor/transport/node';

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

/** Clients connected (and served) before the first sample, so that one-time costs are left out. */
const WARM = 20;

async function child(): Promise<void> {
  const server = new Server({ name: 'memory' });
  server.route('GET', '/x', () => 1);
  const listener = await listen('tcp://127.0.0.1:0', { maxConnections: Infinity }, (stream) => void server.serve(stream));
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the server with --expose-gc');
  process.on('message', () => {
    gc();
    gc();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send?.({ rss, heapUsed, external: external + arrayBuffers, connections: listener.connections });
  });
  process.send?.({ url: listener.url });
}

async function parent(n: number): Promise<void> {
  const server: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: ['--conditions=@petrichor/source', '--import', 'tsx', '--expose-gc'],
  });
  const next = <T>(): Promise<T> => new Promise((resolve) => server.once('message', (message) => resolve(message as T)));
  const sample = (): Promise<Memory & { connections: number }> => {
    const reply = next<Memory & { connections: number }>();
    server.send('sample');
    return reply;
  };
  const { url } = await next<{ url: string }>();
  const clients: Client[] = [];
  const open = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) {
      const client = await Client.connect(await connect(url));
      await client.call('GET', '/x');
      clients.push(client);
    }
  };
  try {
    await open(WARM);
    const before = await sample();
    await open(n);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // pools topped up, nothing in flight
    const after = await sample();
    const per = (key: keyof Memory): string => `${((after[key] - before[key]) / n / 1024).toFixed(1)} KiB`;
    console.log(`${after.connections - before.connections} idle rpc sessions over tcp://, per session on the server:`);
    console.log(`  rss ${per('rss')}, heap ${per('heapUsed')}, external + array buffers ${per('external')}`);
  } finally {
    for (const client of clients) client.close();
    server.kill();
  }
}

if (process.argv.includes('--serve')) await child();
else await parent(Number(process.argv[2] ?? 400));
