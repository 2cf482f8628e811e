/**
 * Where the accepting side of every candidate runs: a child process by default (each side of the
 * loopback connection gets one of the two cores, as two real peers would), or this process with
 * BENCH_MUX_PEER=inline (both sides share one event loop). Every candidate uses the same one.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { heapUsed } from './heap.js';
import { PEER_FLAG, PeerState, type PeerReply, type PeerRequest } from './peer.js';
import type { Server, ServerSpec } from './workload.js';

export interface Peer {
  readonly where: 'child process' | 'inline';
  listen(spec: ServerSpec): Promise<Server>;
  /** The peer's heap in use after gc, when it can tell. */
  heap(): Promise<number | undefined>;
  /** Opens `count` idle channels to a server started from `spec`, returning the heap they take. */
  idle(spec: ServerSpec, port: number, count: number): Promise<number | undefined>;
  /** Closes the idle channels and their connection. */
  release(): Promise<void>;
  stop(): Promise<void>;
}

/** A request before it is numbered. */
type Request = PeerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export const inline = process.env['BENCH_MUX_PEER'] === 'inline';

export function startPeer(): Peer {
  return inline ? inlinePeer() : childPeer();
}

function inlinePeer(): Peer {
  const state = new PeerState();
  return {
    where: 'inline',
    async listen(spec) {
      const port = await state.listen(spec);
      return { port, close: () => state.close(port) };
    },
    heap: heapUsed,
    idle: (spec, port, count) => state.idle(spec, port, count),
    release: () => state.release(),
    stop: async () => {},
  };
}

/** A peer in a child process of its own (the memory figure always uses these). */
export function childPeer(): Peer {
  const child = fork(fileURLToPath(new URL('./peer.ts', import.meta.url)), [PEER_FLAG], {
    execArgv: [...process.execArgv, '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (reply: PeerReply) => void; reject: (error: Error) => void }>();
  let next = 0;
  child.on('message', (reply: PeerReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.error !== undefined) waiter?.reject(new Error(`bench peer: ${reply.error}`));
    else waiter?.resolve(reply);
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`bench peer exited (${code})`));
    pending.clear();
  });
  const ask = (request: Request) =>
    new Promise<PeerReply>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      child.send({ ...request, id });
    });
  return {
    where: 'child process',
    async listen(spec) {
      const { port } = await ask({ op: 'listen', spec });
      if (port === undefined) throw new Error('bench peer: no port');
      return { port, close: async () => void (await ask({ op: 'close', port })) };
    },
    heap: async () => (await ask({ op: 'heap' })).heap,
    idle: async (spec, port, count) => (await ask({ op: 'idle', spec, port, count })).heap,
    release: async () => void (await ask({ op: 'release' })),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
