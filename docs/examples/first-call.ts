// A first call, from Node: connect by URL, say who we are, call.
//   tsx first-call.ts tcp://127.0.0.1:7000
import { Client, RpcError } from '@petrichor/rpc';
import { connect } from '@petrichor/transport/node';

const stream = await connect(process.argv[2] ?? 'tcp://127.0.0.1:7000');
const client = await Client.connect(stream, { user: 'ana', version: '1.0' });

console.log(await client.call('GET', '/hello/ana'));

for await (const n of client.stream('GET', '/count/3')) console.log('count', n);

try {
  await client.call('POST', '/shout', 42);
} catch (error) {
  if (!(error instanceof RpcError)) throw error;
  console.log('error', error.code, error.kind, error.message);
}

console.log(await client.call('POST', '/shout', 'quiet please'));
await client.close();
