/**
 * The echo server, after the Petrichor seed's: prints RUNNING and its URL, logs who each client
 * says it is, denies the users on its deny list (the reason goes back in the handshake answer),
 * and echoes every message.
 *
 *   tsx --conditions=@petrichor/source src/server.ts [url] [--deny alice,bob]
 *
 * `url` is any listening URL of `@petrichor/transport` (default `tcp://127.0.0.1:0`: a free port):
 * `unix:///tmp/echo.sock`, `ws://127.0.0.1:7000/echo`… The deny list also comes from `ECHO_DENY`.
 * SIGINT or SIGTERM shut it down gracefully: calls in flight finish, then sessions close.
 */
import { RpcError, Server, type Peer } from '@petrichor/rpc';
import { listen, type Listener } from '@petrichor/transport/node';
import { pathToFileURL } from 'node:url';

/** The server's application version, sent in the handshake answer. */
export const VERSION = '0.1';

/** Options of {@link startEchoServer}. */
export interface EchoServerOptions {
  /** Where to listen. Default `tcp://127.0.0.1:0`. */
  url?: string;
  /** Users denied at the handshake. */
  deny?: readonly string[];
  /** Where the log lines go. Default `console.log`. */
  log?: (line: string) => void;
}

/** A running echo server. */
export interface EchoServer {
  /** The URL actually listened on (the port taken, for port 0). */
  readonly url: string;
  /** Graceful shutdown: refuses new clients, lets calls finish, closes sessions, stops listening. */
  close(): Promise<void>;
}

/** Starts an echo server. */
export async function startEchoServer(options: EchoServerOptions = {}): Promise<EchoServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const deny = new Set(options.deny ?? []);
  const who = (peer: Peer): string => `${peer.user} ${peer.ident} v${peer.version}`;

  const server = new Server({
    name: 'echo',
    version: VERSION,
    // The seed's "at this point you'd do some kind of auth": allow or deny by identity.
    authorize: (peer) => {
      if (deny.has(peer.user)) {
        log(`DENIED ${who(peer)}`);
        throw RpcError.forbidden(`user ${peer.user} is not allowed on this server`);
      }
    },
    welcome: (peer) => `WELCOME ${peer.user}`,
  });

  // One message in, the same message back.
  server.route('echo', '/', (ctx) => {
    log(`RECEIVED ${ctx.peer.user} ${ctx.peer.ident} ${show(ctx.body)}`);
    return ctx.body;
  }, { description: 'replies with the BODY it is sent' });

  // A streaming echo: every message the caller streams comes back as an item, under backpressure.
  server.route('echo', '/stream', async function* (ctx) {
    if (ctx.body !== null) yield ctx.body;
    for await (const message of ctx.messages) {
      log(`RECEIVED ${ctx.peer.user} ${ctx.peer.ident} ${show(message)}`);
      yield message;
    }
  }, { description: 'streams back every message the caller streams' });

  const listener: Listener = await listen(options.url ?? 'tcp://127.0.0.1:0', (stream) => {
    void server.serve(stream).then((session) => {
      if (session === null) return;
      log(`CONNECTED ${who(session.peer)}`);
      void session.closed.then(() => log(`ALL DONE ${who(session.peer)}`));
    });
  });

  let closing: Promise<void> | undefined;
  return {
    url: listener.url,
    close: () =>
      (closing ??= (async () => {
        await server.close({ deadlineMs: 2_000 });
        await listener.close({ graceMs: 1_000 });
      })()),
  };
}

/** A message as a log shows it. */
function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** `[url] [--deny a,b]`, with the deny list also from `ECHO_DENY`. */
export function parseServerArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): EchoServerOptions {
  const deny = (env['ECHO_DENY'] ?? '').split(',');
  let url: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--deny') deny.push(...(argv[++i] ?? '').split(','));
    else if (arg.startsWith('--deny=')) deny.push(...arg.slice('--deny='.length).split(','));
    else if (arg !== '--') url = arg;
  }
  const options: EchoServerOptions = { deny: deny.map((user) => user.trim()).filter((user) => user !== '') };
  if (url !== undefined) options.url = url;
  return options;
}

async function main(): Promise<void> {
  const options = parseServerArgs(process.argv.slice(2));
  let echo: EchoServer;
  try {
    echo = await startEchoServer(options);
  } catch (error) {
    console.error(`cannot listen: ${(error as Error).message}`);
    process.exit(2);
  }
  console.log(`RUNNING ${echo.url}${options.deny?.length ? ` (denying ${options.deny.join(', ')})` : ''}`);
  const stop = (signal: string): void => {
    console.log(`STOPPING on ${signal}`);
    void echo.close().then(() => {
      console.log('STOPPED');
      process.exit(0);
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
