/**
 * The serving side in a process of its own (as the mux and rpc benches do): each side of a
 * loopback connection gets a core, as two real peers would. Forked by {@link startPeer}; takes
 * requests over IPC and exits when its parent goes away. BENCH_TRANSPORT_PEER=inline serves from
 * this process instead.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { NodeListenOptions } from '@petrichor/transport/node';
import { serve, type Served, type Serving } from './serve.js';

const FLAG = '--petrichor-transport-bench-peer';

type Request = { id: number; op: 'serve'; url: string; what: Serving; options: NodeListenOptions } | { id: number; op: 'close'; url: string };
type Reply = { id: number; url?: string; error?: string };
/** A request before it is numbered (Omit, distributed over the union). */
type Unnumbered = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export interface Peer {
  readonly where: 'child process' | 'inline';
  serve(url: string, what: Serving, options: NodeListenOptions): Promise<Served>;
  stop(): Promise<void>;
}

export function startPeer(): Peer {
  if (process.env['BENCH_TRANSPORT_PEER'] === 'inline') return { where: 'inline', serve, stop: async () => {} };
  const child = fork(fileURLToPath(import.meta.url), [FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  let next = 0;
  child.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error !== undefined) waiter?.reject(new Error(`bench peer: ${reply.error}`));
    else waiter?.resolve(reply);
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`bench peer exited (${code})`));
    pending.clear();
  });
  const ask = (request: Unnumbered) =>
    new Promise<Reply>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      child.send({ ...request, id });
    });
  return {
    where: 'child process',
    async serve(url, what, options) {
      const reply = await ask({ op: 'serve', url, what, options });
      const actual = reply.url!;
      return { url: actual, close: async () => void (await ask({ op: 'close', url: actual })) };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

if (process.argv.includes(FLAG)) {
  const served = new Map<string, Served>();
  const handle = async (request: Request): Promise<Omit<Reply, 'id'>> => {
    if (request.op === 'serve') {
      const s = await serve(request.url, request.what, request.options);
      served.set(s.url, s);
      return { url: s.url };
    }
    await served.get(request.url)?.close();
    served.delete(request.url);
    return {};
  };
  process.on('message', (request: Request) => {
    handle(request).then(
      (reply) => process.send?.({ id: request.id, ...reply } satisfies Reply),
      (error: unknown) => process.send?.({ id: request.id, error: String(error) } satisfies Reply),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
