import { readFile } from 'node:fs/promises';
import { Server, authSchemes, bearerServer, hmacServer, RpcError, type CallContext, type HandlerResult, type ServerAuth } from '@petrichor/rpc';
import { listen, type NodeListenOptions } from '@petrichor/transport/node';
import type { Value } from '@petrichor/wire';
import { parseCommandLine } from '../args.js';
import type { Context } from '../command.js';
import { UsageError, badInput } from '../errors.js';
import { EXIT } from '../exit.js';
import { checkUrl, failure } from '../net/client.js';
import { sexprText } from '../render/sexpr.js';
import { version } from '../version.js';

/** How long calls in flight may run once a stop is asked for. */
const STOP_DEADLINE_MS = 2_000;

/** `petrichor serve ARGS…` (its help is in `serve.ts`). */
export async function runServe(args: readonly string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommandLine('serve', args, {
    echo: { type: 'boolean' },
    name: { type: 'string' },
    'hmac-key': { type: 'string' },
    'hmac-secret': { type: 'string' },
    bearer: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  });
  if (values.echo !== true) throw new UsageError('serve needs a service to run: --echo', 'serve');
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'serve needs a URL to listen on' : 'serve takes one URL', 'serve');
  const url = positionals[0]!;
  checkUrl('serve', url);
  if ((values['hmac-key'] === undefined) !== (values['hmac-secret'] === undefined)) {
    throw new UsageError('--hmac-key and --hmac-secret go together', 'serve');
  }
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageError('--cert and --key go together', 'serve');

  const { stdout, stderr } = context.io;
  const server = new Server({
    name: values.name ?? 'petrichor-echo',
    version: version(),
    ...serverAuth(values['hmac-key'], values['hmac-secret'], values.bearer),
  });
  server.interface('data', { purpose: 'echoes every call: the BODY back, streamed messages streamed back' });
  if (values.quiet !== true) {
    server.use((ctx, next) => {
      void stderr.write(`${ctx.verb} ${ctx.path} ${sexprText(ctx.body)} ${stderr.style.dim(`(${ctx.peer.user === '' ? 'anonymous' : ctx.peer.user}, ${ctx.peer.codec})`)}\n`);
      return next();
    });
  }
  server.fallback(echo);

  const options: NodeListenOptions = {};
  if (values.cert !== undefined && values.key !== undefined) {
    options.cert = await readPem(values.cert, '--cert');
    options.key = await readPem(values.key, '--key');
  }
  let listener;
  try {
    listener = await listen(url, options, (stream) => void server.serve(stream));
  } catch (error) {
    throw failure(error);
  }
  await stdout.write(`listening on ${listener.url}\n`);
  if (!context.signal.aborted) await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
  await stderr.write(`petrichor: stopping (${String(context.signal.reason)})\n`);
  await server.close({ deadlineMs: STOP_DEADLINE_MS });
  await listener.close({ graceMs: 0 });
  return EXIT.ok;
}

/**
 * The echo: one message back as it came; streamed messages streamed back (`stream: both`), or
 * gathered into one list (`stream: in`, a caller expecting one reply).
 */
function echo(ctx: CallContext): HandlerResult | Promise<HandlerResult> {
  if (ctx.stream === 'both') return echoStream(ctx);
  if (ctx.stream === 'in') return gather(ctx);
  return ctx.body;
}

async function* echoStream(ctx: CallContext): AsyncGenerator<Value> {
  yield ctx.body;
  for await (const message of ctx.messages) yield message;
}

async function gather(ctx: CallContext): Promise<Value> {
  const all: Value[] = [ctx.body];
  for await (const message of ctx.messages) all.push(message);
  return all;
}

function serverAuth(key: string | undefined, secret: string | undefined, token: string | undefined): { auth?: ServerAuth } {
  const hmac = key !== undefined && secret !== undefined ? hmacServer({ keys: { [key]: secret } }) : undefined;
  const bearer =
    token === undefined
      ? undefined
      : bearerServer((offered) => {
          if (offered !== token) throw RpcError.unauthenticated('bearer token rejected');
          return { scheme: 'bearer', id: 'bearer' };
        });
  if (hmac === undefined && bearer === undefined) return {};
  return { auth: authSchemes({ ...(hmac === undefined ? {} : { hmac }), ...(bearer === undefined ? {} : { bearer }) }) };
}

async function readPem(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw badInput(`cannot read ${flag} ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
