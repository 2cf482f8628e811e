/**
 * One service in its own process, driven by its parent over the IPC channel (./cluster.ts):
 *
 *   parent → { start, stack, name, keys }    child → { listening, url }
 *   parent → { peers, urls }                 child → { ready }       (connected to every peer)
 *   parent → { stats }                       child → { stats, calls, cpuMs }
 *
 * The process ends when the parent disconnects (or dies).
 */
import { SERVICES, type CallStats, type MeshClient, type ServiceName } from './mesh.js';
import { service } from './services/index.js';
import { dial, parseStack, serve } from './stack.js';

/** Messages from the parent. */
export type ToService =
  | { readonly type: 'start'; readonly stack: string; readonly name: ServiceName; readonly keys: Readonly<Record<string, string>> }
  | { readonly type: 'peers'; readonly urls: Readonly<Record<ServiceName, string>> }
  | { readonly type: 'stats' };

/** Messages to the parent. */
export type FromService =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'ready' }
  | { readonly type: 'stats'; readonly calls: CallStats; readonly cpuMs: number }
  | { readonly type: 'failed'; readonly message: string };

/** A message to the parent; none once it has gone (the process is then ending). */
const reply = (message: FromService): void => {
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
};

/** Calls made before the peers are known fail as a 503, like calls to a peer that is down. */
let peers: MeshClient | null = null;
const proxy: MeshClient = {
  get stats() {
    return peers?.stats ?? { calls: 0, notFound: 0, errors: 0 };
  },
  fetchData: (...args) => ready().fetchData(...args),
  callAction: (...args) => ready().callAction(...args),
  fetchFragment: (...args) => ready().fetchFragment(...args),
  fetchPage: (...args) => ready().fetchPage(...args),
  sendActivity: (...args) => ready().sendActivity(...args),
  close: async () => peers?.close(),
};
function ready(): MeshClient {
  if (peers === null) throw new Error('the mesh is not connected yet');
  return peers;
}

let start: Extract<ToService, { type: 'start' }> | null = null;
process.on('message', (message: ToService) => {
  void (async () => {
    try {
      if (message.type === 'start') {
        start = message;
        const running = await serve(parseStack(message.stack), service(message.name, proxy), message.keys);
        reply({ type: 'listening', url: running.url });
      } else if (message.type === 'peers' && start !== null) {
        const { name, keys, stack } = start;
        const urls = Object.fromEntries(SERVICES.filter((other) => other !== name).map((other) => [other, message.urls[other]]));
        peers = await dial(parseStack(stack), name, keys[name]!, urls);
        reply({ type: 'ready' });
      } else if (message.type === 'stats') {
        const cpu = process.cpuUsage();
        reply({ type: 'stats', calls: { ...proxy.stats }, cpuMs: (cpu.user + cpu.system) / 1000 });
      }
    } catch (error) {
      reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
