/**
 * The calling side of the transport benchmarks: the mux bench's client work (its workload, its
 * {@link Client} shape) and the rpc bench's echo call, over a stream from `connect(url)`.
 */
import { Session, type Channel } from '@petrichor/mux';
import { Client as RpcClient } from '@petrichor/rpc';
import { block, CHUNK, fail, ping, PING_BYTES, type Client } from '../../mux/bench/workload.js';
import type { Client as RpcBenchClient } from '../../rpc/bench/workload.js';
import { connect, type NodeConnectOptions } from '@petrichor/transport/node';
import { drain } from './serve.js';

async function writeAll(channel: Channel, bytes: number): Promise<void> {
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    await channel.write(bytes - sent >= CHUNK ? block : block.subarray(0, bytes - sent));
  }
}

/** A mux session over `url`, driven as the mux bench drives its own candidate. */
export async function muxClient(url: string, options: NodeConnectOptions): Promise<Client> {
  const session = new Session(await connect(url, options));
  return {
    async sink(total) {
      const channel = await session.open();
      await writeAll(channel, total);
      await channel.closeWrite();
      if ((await drain(channel)) !== 1) fail('transport: no answer to the sink');
      await channel.close();
    },
    async echo(channels, bytes) {
      await Promise.all(
        Array.from({ length: channels }, async () => {
          const channel = await session.open();
          const echoed = drain(channel);
          await writeAll(channel, bytes);
          await channel.closeWrite();
          const received = await echoed;
          if (received !== bytes) fail(`transport: echoed ${received} of ${bytes} bytes`);
          await channel.close();
        }),
      );
    },
    async pingPong(count) {
      const closes: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        const channel = await session.open();
        await channel.write(ping);
        if ((await drain(channel, PING_BYTES)) !== PING_BYTES) fail('transport: short echo');
        closes.push(channel.close());
      }
      await Promise.all(closes);
    },
    async close() {
      session.close();
      await session.closed;
    },
  };
}

/** An rpc client over `url`, as the rpc bench's own candidate (bytes stay bytes). */
export async function rpcClient(url: string, options: NodeConnectOptions): Promise<RpcBenchClient> {
  const client = await RpcClient.connect(await connect(url, options), { decode: { text: false } });
  return {
    echo: async (body) => (await client.call('echo', '/echo', body)) as Uint8Array,
    close: async () => void (await client.close()),
  };
}
