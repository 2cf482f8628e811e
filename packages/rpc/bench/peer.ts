/**
 * The serving side's process. Run by `fork()` from remote.ts, it starts and stops servers on
 * request over the IPC channel, and exits when its parent goes away.
 */
import { serve } from './serve.js';
import type { Kind, Server } from './workload.js';

/** The argument that tells this module it is the child's entry point. */
export const PEER_FLAG = '--petrichor-rpc-bench-peer';

/** Parent → peer. */
export type PeerRequest = { id: number; op: 'listen'; kind: Kind } | { id: number; op: 'close'; port: number } | { id: number; op: 'cpu' };

/** Peer → parent. */
export interface PeerReply {
  id: number;
  port?: number;
  /** CPU time this process has used so far (user + system), in µs. */
  cpu?: number;
  error?: string;
}

/** The servers this process runs, by port; shared by the child process and the inline peer. */
export class PeerState {
  readonly #servers = new Map<number, Server>();

  async listen(kind: Kind): Promise<number> {
    const server = await serve(kind);
    this.#servers.set(server.port, server);
    return server.port;
  }

  async close(port: number): Promise<void> {
    await this.#servers.get(port)?.close();
    this.#servers.delete(port);
  }
}

/** CPU time used by this process so far (user + system), in µs. */
export function cpuTime(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

if (process.argv.includes(PEER_FLAG)) {
  const state = new PeerState();
  const handle = async (request: PeerRequest): Promise<Omit<PeerReply, 'id'>> => {
    switch (request.op) {
      case 'listen':
        return { port: await state.listen(request.kind) };
      case 'close':
        await state.close(request.port);
        return {};
      case 'cpu':
        return { cpu: cpuTime() };
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
