/**
 * A benchmark process of its own. Run by `fork()` from remote.ts, it starts servers (and, for the
 * memory figure, an opening client) on request over the IPC channel, and exits when its parent
 * goes away.
 */
import { heapUsed } from './heap.js';
import { dial, serve } from './serve.js';
import type { Client, Server, ServerSpec } from './workload.js';

/** The argument that tells this module it is the child's entry point. */
export const PEER_FLAG = '--petrichor-bench-peer';

/** Parent → peer. */
export type PeerRequest =
  | { id: number; op: 'listen'; spec: ServerSpec }
  | { id: number; op: 'close'; port: number }
  | { id: number; op: 'heap' }
  | { id: number; op: 'idle'; spec: ServerSpec; port: number; count: number }
  | { id: number; op: 'release' };

/** Peer → parent. */
export interface PeerReply {
  id: number;
  port?: number;
  heap?: number;
  error?: string;
}

/** The work behind each request, shared by the child process and the inline peer. */
export class PeerState {
  readonly #servers = new Map<number, Server>();
  #idle: { client: Client; release: () => Promise<void> } | undefined;

  async listen(spec: ServerSpec): Promise<number> {
    const server = await serve(spec);
    this.#servers.set(server.port, server);
    return server.port;
  }

  async close(port: number): Promise<void> {
    await this.#servers.get(port)?.close();
    this.#servers.delete(port);
  }

  /** Connects, opens `count` idle channels and returns the heap they take (after gc), keeping them. */
  async idle(spec: ServerSpec, port: number, count: number): Promise<number | undefined> {
    const client = await dial(spec, port);
    const before = await heapUsed();
    const release = await client.idle!(count);
    const after = await heapUsed();
    this.#idle = { client, release };
    return before === undefined || after === undefined ? undefined : after - before;
  }

  async release(): Promise<void> {
    const idle = this.#idle;
    this.#idle = undefined;
    await idle?.release();
    await idle?.client.close();
  }
}

if (process.argv.includes(PEER_FLAG)) {
  const state = new PeerState();
  const handle = async (request: PeerRequest): Promise<Omit<PeerReply, 'id'>> => {
    switch (request.op) {
      case 'listen':
        return { port: await state.listen(request.spec) };
      case 'close':
        await state.close(request.port);
        return {};
      case 'heap':
        return withHeap(await heapUsed());
      case 'idle':
        return withHeap(await state.idle(request.spec, request.port, request.count));
      case 'release':
        await state.release();
        return {};
    }
  };
  process.on('message', (request: PeerRequest) => {
    handle(request).then(
      (reply) => process.send?.({ id: request.id, ...reply } satisfies PeerReply),
      (error: unknown) => process.send?.({ id: request.id, error: String(error) } satisfies PeerReply),
    );
  });
  process.on('disconnect', () => process.exit(0));
}

function withHeap(heap: number | undefined): { heap?: number } {
  return heap === undefined ? {} : { heap };
}
