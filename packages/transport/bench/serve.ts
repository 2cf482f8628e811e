/**
 * The serving side of the transport benchmarks, over any URL: mux sessions that sink or echo every
 * channel (the mux bench's modes), or an rpc echo service (the rpc bench's). Runs in the child
 * process of peer.ts, or inline.
 */
import { Session } from '@petrichor/mux';
import { Server as RpcServer } from '@petrichor/rpc';
import { echoChannel, sinkChannel } from '../../mux/bench/qmux.js';
import { listen, type NodeListenOptions } from '@petrichor/transport/node';

/** What a peer serves on a URL. */
export type Serving = 'mux-sink' | 'mux-echo' | 'rpc-echo';

export interface Served {
  url: string;
  close(): Promise<void>;
}

export async function serve(url: string, what: Serving, options: NodeListenOptions): Promise<Served> {
  if (what === 'rpc-echo') {
    const rpc = new RpcServer({ decode: { text: false } });
    rpc.route('echo', '/echo', (ctx) => ctx.body);
    const listener = await listen(url, options, (stream) => void rpc.serve(stream));
    return {
      url: listener.url,
      async close() {
        await rpc.close({ deadlineMs: 0 });
        await listener.close({ graceMs: 0 });
      },
    };
  }
  const sessions = new Set<Session>();
  const listener = await listen(url, options, (stream) => {
    const session = new Session(stream);
    sessions.add(session);
    void session.closed.then(() => sessions.delete(session));
    void (async () => {
      for await (const channel of session) void (what === 'mux-echo' ? echoChannel(channel) : sinkChannel(channel)).catch(() => {});
    })();
  });
  return {
    url: listener.url,
    async close() {
      for (const session of sessions) session.close();
      await listener.close({ graceMs: 0 });
    },
  };
}
