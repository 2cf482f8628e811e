import type { Readable } from 'node:stream';
import type { Call, CallOptions } from '@petrichor/rpc';
import { UnencodableError, type Value } from '@petrichor/wire';
import { parseCommandLine } from '../args.js';
import type { Context } from '../command.js';
import { CliError, UsageError, badInput } from '../errors.js';
import { EXIT } from '../exit.js';
import { parseBody } from '../net/body.js';
import { readLines } from '../net/lines.js';
import { failure, openClient, planConnection } from '../net/client.js';
import { CONNECT_OPTIONS } from '../net/options.js';
import { jsonText } from '../render/json.js';
import { sexprText } from '../render/sexpr.js';

/** Longest line `--stdin` takes, and largest BODY read from stdin: the default message limit, 16 MiB. */
const MAX_INPUT = 16 * 1024 * 1024;

/** `petrichor call ARGS…` (its help is in `call.ts`). */
export async function runCall(args: readonly string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommandLine('call', args, {
    ...CONNECT_OPTIONS,
    json: { type: 'boolean' },
    stdin: { type: 'boolean' },
    iface: { type: 'string' },
    meta: { type: 'string', short: 'm', multiple: true },
  });
  if (positionals.length < 3) throw new UsageError('call needs URL, VERB and PATH', 'call');
  if (positionals.length > 4) throw new UsageError(`expected URL VERB PATH [BODY], got ${positionals.length} arguments`, 'call');
  const [url, verb, path, bodyText] = positionals as [string, string, string, string | undefined];
  if (verb === '') throw new UsageError('VERB is empty', 'call');
  if (!path.startsWith('/')) throw new UsageError(`PATH must start with "/", got ${JSON.stringify(path)}`, 'call');
  if (values.stdin === true && bodyText === '-') throw new UsageError('--stdin streams standard input: BODY cannot be - too', 'call');
  const json = values.json === true;
  const plan = await planConnection('call', url, values, context.io.env);
  const options: CallOptions = { signal: context.signal };
  if (plan.timeoutMs !== undefined) options.timeout = plan.timeoutMs;
  if (values.iface !== undefined) options.iface = values.iface;
  if (values.meta !== undefined) options.meta = metaOf(values.meta);
  const body = bodyText === undefined ? null : parseBody(bodyText === '-' ? await readAll(context.io.stdin) : bodyText, json, 'BODY');

  const client = await openClient(plan, 'data', context.signal);
  try {
    const render = json ? (value: Value) => jsonText(value) : sexprText;
    const call = values.stdin === true ? client.open(verb, path, body, { ...options, stream: 'both' }) : client.stream(verb, path, body, options);
    const pumping: Promise<unknown> = values.stdin === true ? pump(call, context.io.stdin, json) : Promise.resolve(undefined);
    try {
      for await (const item of call) await context.io.stdout.write(render(item) + '\n');
    } catch (error) {
      // A bad line of input cancelled the call: that is the story to tell.
      throw (await pumping) ?? error;
    }
    const broken = await pumping;
    if (broken !== undefined) throw broken;
    return EXIT.ok;
  } catch (error) {
    if (context.signal.aborted) return EXIT.interrupted;
    throw failure(error);
  } finally {
    await client.close();
  }
}

/** `KEY=VALUE` pairs as the meta dict (values are text). */
function metaOf(pairs: readonly string[]): Map<string, Value> {
  const meta = new Map<string, Value>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--meta takes KEY=VALUE, got ${JSON.stringify(pair)}`, 'call');
    meta.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return meta;
}

/**
 * Sends each line of `input` as one message, then half-closes. On bad input (a line that does
 * not parse, a value the codec cannot carry) it cancels the call and resolves with that error;
 * a send that fails because the call is over is left for the reply's reader to report.
 */
async function pump(call: Call, input: Readable, json: boolean): Promise<unknown> {
  let n = 0;
  try {
    for await (const line of readLines(input, MAX_INPUT)) {
      n++;
      if (line.trim() === '') continue;
      const value = parseBody(line, json, `stdin line ${n}`);
      try {
        await call.send(value);
      } catch (error) {
        if (error instanceof UnencodableError) throw badInput(`stdin line ${n}: ${error.message}`, { code: error.code, cause: error });
        throw error;
      }
    }
    await call.end();
  } catch (error) {
    const reported = failure(error);
    if (reported instanceof CliError && reported.exitCode === EXIT.badInput) {
      call.cancel();
      return reported;
    }
    // The call ended (an error reply, a lost connection): iterating it says why.
  }
  return undefined;
}

/** All of `input` as text (a BODY given as -), at most {@link MAX_INPUT} bytes. */
async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_INPUT) throw new CliError(EXIT.badInput, `BODY on standard input is larger than ${MAX_INPUT} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
