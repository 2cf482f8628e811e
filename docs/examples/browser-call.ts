// A first call from a web page, over the browser's own WebSocket. Bundle it (esbuild, Vite, …)
// and load it from a page with <pre id="out"></pre>; the service runs first-service.ts on ws://.
import { Client, RpcError } from '@petrichor/rpc';
import { connect } from '@petrichor/transport'; // the browser-safe entry: ws://, wss://, mem://

const out = document.querySelector('#out') ?? document.body;
const print = (...items: unknown[]): void => {
  out.append(`${items.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(' ')}\n`);
};

// The service's URL, e.g. page.html?service=ws://127.0.0.1:7001/rpc
const url = new URLSearchParams(location.search).get('service') ?? 'ws://127.0.0.1:7001/rpc';
const client = await Client.connect(await connect(url), { user: 'ana', version: '1.0' });

print(await client.call('GET', '/hello/ana'));
for await (const n of client.stream('GET', '/count/3')) print('count', n);
try {
  await client.call('POST', '/shout', 42);
} catch (error) {
  if (!(error instanceof RpcError)) throw error;
  print('error', error.code, error.kind, error.message);
}
await client.close();
