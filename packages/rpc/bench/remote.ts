/**
 * Where the serving side of every candidate runs: a child process by default (each end of the
 * loopback connection gets one of the two cores, as a real client and server would), or this
 * process with BENCH_RPC_PEER=inline (both ends share one event loop). Every candidate uses the same.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PEER_FLAG, PeerState, type PeerReply, type PeerRequest } from './peer.js';
import type { Kind, Server } from './workload.js';

export interface Peer {
  readonly where: 'child process' | 'inline';
  listen(kind: Kind): Promise<Server>;
  /** CPU time (µs) the serving side has used so far, when it runs in a process of its own; else 0. */
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

/** A request before it is numbered. */
type Request = PeerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export function startPeer(): Peer {
  return process.env['BENCH_RPC_PEER'] === 'inline' ? inlinePeer() : childPeer();
}

function inlinePeer(): Peer {
  const state = new PeerState();
  return {
    where: 'inline',
    async listen(kind) {
      const port = await state.listen(kind);
      return { port, close: () => state.close(port) };
    },
    cpu: async () => 0,
    stop: async () => {},
  };
}

function childPeer(): Peer {
  const child = fork(fileURLToPath(new URL('./peer.ts', import.meta.url)), [PEER_FLAG], {
    execArgv: process.execArgv,
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
    async listen(kind) {
      const { port } = await ask({ op: 'listen', kind });
      if (port === undefined) throw new Error('bench peer: no port');
      return { port, close: async () => void (await ask({ op: 'close', port })) };
    },
    cpu: async () => (await ask({ op: 'cpu' })).cpu ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
