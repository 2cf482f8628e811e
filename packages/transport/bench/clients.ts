/**
 * The calling side of the transport benchmarks: the mux bench's client work (its workload, its
 * {@link Client} shape) and the rpc bench's echo call, over a stream from `connect(url)`.
 */
import { Session } from '@petrichor/mux';
import { Client as RpcClient } from '@petrichor/rpc';
import { sessionClient } from '../../mux/bench/qmux.js';
import type { Client } from '../../mux/bench/workload.js';
import type { Client as RpcBenchClient } from '../../rpc/bench/workload.js';
import { connect, type NodeConnectOptions } from '@petrichor/transport/node';

/** A mux session over `url`, driven as the mux bench drives its own candidate. */
export async function muxClient(url: string, options: NodeConnectOptions): Promise<Client> {
  return sessionClient(new Session(await connect(url, options)), 'transport');
}

/** An rpc client over `url`, as the rpc bench's own candidate (bytes stay bytes). */
export async function rpcClient(url: string, options: NodeConnectOptions): Promise<RpcBenchClient> {
  const client = await RpcClient.connect(await connect(url, options), { decode: { text: false } });
  return {
    echo: async (body) => (await client.call('echo', '/echo', body)) as Uint8Array,
    close: async () => void (await client.close()),
  };
}
