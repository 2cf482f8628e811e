/**
 * The serving side of the transport benchmarks, over any URL: mux sessions that sink or echo every
 * channel (the mux bench's modes), or an rpc echo service (the rpc bench's). Runs in the child
 * process of peer.ts, or inline.
 */
import { Session, type Channel } from '@petrichor/mux';
import { Server as RpcServer } from '@petrichor/rpc';
import { block } from '../../mux/bench/workload.js';
import { listen, type NodeListenOptions } from '@petrichor/transport/node';

/** What a peer serves on a URL. */
export type Serving = 'mux-sink' | 'mux-echo' | 'rpc-echo';

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Reads to the end of the channel and returns the byte count. */
export async function drain(channel: Channel, limit = Infinity): Promise<number> {
  let received = 0;
  while (received < limit) {
    const chunk = await channel.read();
    if (chunk === null) break;
    received += chunk.byteLength;
  }
  return received;
}

async function echo(channel: Channel): Promise<void> {
  for (let chunk = await channel.read(); chunk !== null; chunk = await channel.read()) await channel.write(chunk);
  await channel.close();
}

async function sink(channel: Channel): Promise<void> {
  await drain(channel);
  await channel.write(block.subarray(0, 1));
  await channel.close();
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
      for await (const channel of session) void (what === 'mux-echo' ? echo(channel) : sink(channel)).catch(() => {});
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
