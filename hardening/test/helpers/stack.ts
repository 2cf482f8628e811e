/**
 * The server under attack: a real `@petrichor/rpc` Server behind a real `listen()` of
 * `@petrichor/transport/node` (tcp://127.0.0.1:0, unix://, ws://), with routes that let a test
 * see what the server did: bytes a streamed reply produced, handler runs per call id, why a
 * handler's signal fired.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RpcError, Server, type RpcSession, type ServerOptions } from '@petrichor/rpc';
import { listen, type Listener } from '@petrichor/transport/node';
import type { Value } from '@petrichor/wire';
import { until } from './wait.js';

/** Size of one item of `GET /blob/:kib` (a streamed reply). */
export const BLOB_ITEM = 64 * 1024;
const ITEM = new Uint8Array(BLOB_ITEM).fill(0x61);

/** What the server's handlers did, for the tests to check. */
export class Stats {
  /** Payload bytes `GET /blob/:kib` has produced (counted before each item is handed on). */
  produced = 0;
  /** Runs of `PUT /op` per call id. */
  readonly runs = new Map<string, number>();
  /** Why each `PUT /hold` handler's signal fired, in order. */
  readonly aborts: unknown[] = [];
  /** Handlers of `PUT /hold` running now. */
  holding = 0;
}

export interface Stack {
  /** The URL clients connect to (the port actually taken). */
  readonly url: string;
  readonly server: Server;
  readonly listener: Listener;
  readonly stats: Stats;
  /** One promise per accepted connection: its session, or null if the handshake denied it. */
  readonly handshakes: Promise<RpcSession | null>[];
  /** The server's session of the client that said it is `user`, once its handshake is done. */
  session(user: string, ms?: number): Promise<RpcSession>;
  /** Closes the server and the listener; every session ends. */
  close(): Promise<void>;
}

/** A fresh unix:// URL in the temp directory (short enough for the kernel's limit). */
export function unixUrl(): string {
  return `unix://${join(tmpdir(), `ph-${randomBytes(4).toString('hex')}.sock`)}`;
}

/**
 * Starts a server on `url` with the hardening routes:
 * - `PUT /echo`: the BODY back.
 * - `GET /blob/:kib`: a streamed reply of `kib` KiB in 64 KiB items, made only as fast as the
 *   caller takes them (backpressure), counted in `stats.produced`.
 * - `PUT /hold`: runs until its signal fires; the reason goes to `stats.aborts`.
 * - `PUT /op`: counts a run of call `body.id`, waits `body.ms`, answers `{ id, double: body.n * 2 }`.
 */
export async function startStack(url: string, options: ServerOptions = {}): Promise<Stack> {
  const stats = new Stats();
  const server = new Server(options);
  server.route('PUT', '/echo', (ctx) => ctx.body);
  server.route('GET', '/blob/:kib', async function* (ctx) {
    const items = Math.ceil(Number(ctx.params['kib']) / (BLOB_ITEM / 1024));
    for (let i = 0; i < items; i++) {
      stats.produced += BLOB_ITEM;
      yield ITEM;
    }
  });
  server.route('PUT', '/hold', (ctx) => {
    stats.holding++;
    return new Promise<never>((_, reject) =>
      ctx.signal.addEventListener('abort', () => {
        stats.holding--;
        stats.aborts.push(ctx.signal.reason);
        reject(ctx.signal.reason as Error);
      }),
    );
  });
  server.route('PUT', '/op', async (ctx) => {
    const { id, n, ms } = ctx.body as { id: string; n: number; ms: number };
    stats.runs.set(id, (stats.runs.get(id) ?? 0) + 1);
    if (ms > 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(RpcError.from(ctx.signal.reason));
        });
      });
    }
    return { id, double: n * 2 } satisfies Value;
  });

  const handshakes: Promise<RpcSession | null>[] = [];
  const listener = await listen(url, (stream) => void handshakes.push(server.serve(stream)));
  return {
    url: listener.url,
    server,
    listener,
    stats,
    handshakes,
    async session(user, ms = 5000) {
      let found: RpcSession | undefined;
      await until(() => (found = [...server.sessions].find((s) => s.peer.user === user)) !== undefined, ms, `the session of ${user}`);
      return found!;
    },
    async close() {
      await server.close({ deadlineMs: 100 });
      await listener.close({ graceMs: 100 });
    },
  };
}
