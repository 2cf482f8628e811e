// A first service: three routes, served on any URL @petrichor/transport knows.
//   tsx first-service.ts tcp://127.0.0.1:7000     (or unix:///tmp/greeter.sock, ws://127.0.0.1:7001/rpc)
import { RpcError, Server } from '@petrichor/rpc';
import { listen } from '@petrichor/transport/node';

const server = new Server({ name: 'greeter', version: '1.0.0' });

// A unary call: one value back.
server.route('GET', '/hello/:name', (ctx) => ({ greeting: `hello, ${ctx.params['name']}` }));

// A streamed reply: each yielded value is one message, sent as the caller reads.
server.route('GET', '/count/:n', async function* (ctx) {
  for (let i = 1; i <= Number(ctx.params['n']); i++) yield i;
});

// Errors are RpcErrors: a code, a message, sent to the caller as they are.
server.route('POST', '/shout', (ctx) => {
  if (typeof ctx.body !== 'string') throw RpcError.badRequest('send me text');
  return ctx.body.toUpperCase();
});

const listener = await listen(process.argv[2] ?? 'tcp://127.0.0.1:7000', (stream) => void server.serve(stream));
console.log(`greeter listening on ${listener.url}`);

// Ctrl-C or SIGTERM: calls in flight finish, sessions close, then the listener stops.
const stop = async (): Promise<void> => {
  await server.close({ deadlineMs: 2000 });
  await listener.close();
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
