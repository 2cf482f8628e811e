/**
 * The echo client, after the Petrichor seed's: connects with an identity (a user, a fresh ident,
 * a version), prints CONNECTED and the welcome or YOU WERE DENIED and the reason, then sends each
 * line of its input and prints each reply.
 *
 *   tsx --conditions=@petrichor/source src/client.ts <url> <user> [--stream]
 *
 * With `--stream` the whole input is one streaming call (`echo /stream`), not one call a line.
 *
 * Exit status: 0 at the end of input; 1 when denied; 2 when the server cannot be reached;
 * 3 when the server goes away.
 */
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Client, HandshakeDeniedError } from '@petrichor/rpc';
import { connect } from '@petrichor/transport/node';

/** The client's application version, sent in the hello. */
export const VERSION = '0.1';

const args = process.argv.slice(2).filter((arg) => arg !== '--');
/** `--stream`: one streaming call for the whole input instead of one call a line. */
const streaming = args.includes('--stream');
const [url, user] = args.filter((arg) => arg !== '--stream');
if (url === undefined || user === undefined) {
  console.error('usage: client.ts <url> <user> [--stream]   (e.g. tcp://127.0.0.1:7000 alice)');
  process.exit(64);
}

let client: Client;
try {
  client = await Client.connect(await connect(url), { user, ident: randomUUID().replaceAll('-', ''), version: VERSION });
} catch (error) {
  if (error instanceof HandshakeDeniedError) {
    console.log(`YOU WERE DENIED ${error.reason}`);
    process.exit(1);
  }
  console.error(`cannot connect to ${url}: ${(error as Error).message}`);
  process.exit(2);
}
console.log(`CONNECTED ${String(client.welcome)} (server ${client.server.ident} v${client.server.version})`);

let finished = false;
/** The server went away: say so and stop, whatever we were doing. */
function serverGone(why: unknown): never {
  const detail = why instanceof Error ? `: ${why.message}` : '';
  console.error(`the server went away${detail}`);
  process.exit(3);
}
void client.closed.then((error) => {
  if (!finished) serverGone(error);
});

const lines = createInterface({ input: process.stdin, terminal: false });
if (streaming) {
  // `echo /stream`: each line goes out as one more message of one call; each item that comes
  // back is printed as it arrives. Sending waits while the server's window is full.
  const call = client.open('echo', '/stream');
  const printed = (async () => {
    for await (const item of call) console.log(String(item));
  })().catch(serverGone);
  try {
    for await (const line of lines) await call.send(line);
    await call.end();
  } catch (error) {
    serverGone(error);
  }
  await printed;
} else {
  for await (const line of lines) {
    let reply: unknown;
    try {
      reply = await client.call('echo', '/', line);
    } catch (error) {
      serverGone(error);
    }
    console.log(String(reply));
  }
}
finished = true;
await client.close();
process.exit(0);
