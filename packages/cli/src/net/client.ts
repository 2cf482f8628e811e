import { readFile } from 'node:fs/promises';
import { Client, RpcError, RpcSessionError, bearerClient, hmacClient, type ClientAuth, type InterfaceScope } from '@petrichor/rpc/all';
import { TransportError, connect, parseUrl, type NodeConnectOptions } from '@petrichor/transport/node';
import { UnencodableError, type CodecName } from '@petrichor/wire';
import { choiceOption, integerOption } from '../args.js';
import { CliError, UsageError, badInput } from '../errors.js';
import { EXIT } from '../exit.js';
import { sexprText } from '../render/sexpr.js';
import { version } from '../version.js';
import { unlessAborted } from './abort.js';

/** The values of {@link CONNECT_OPTIONS} as `parseArgs` returns them. */
export interface ConnectFlags {
  readonly user?: string | undefined;
  readonly 'hmac-key'?: string | undefined;
  readonly 'hmac-secret'?: string | undefined;
  readonly bearer?: string | undefined;
  readonly codec?: string | undefined;
  readonly timeout?: string | undefined;
  readonly ca?: string | undefined;
  readonly insecure?: boolean | undefined;
}

/** How to reach and talk to a service, checked before any connection is made. */
export interface ConnectPlan {
  readonly url: string;
  readonly user: string;
  readonly codec: CodecName;
  readonly auth: ClientAuth | undefined;
  /** The bound of `--timeout`, if given. */
  readonly timeoutMs: number | undefined;
  readonly tls: Pick<NodeConnectOptions, 'ca' | 'rejectUnauthorized'>;
}

const CODECS = ['tnetstring', 'sexpr', 'msgpack'] as const;

/** Checks the connection flags (flags first, then the environment). Usage errors for bad combinations. */
export async function planConnection(
  command: string,
  url: string,
  flags: ConnectFlags,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ConnectPlan> {
  checkUrl(command, url);
  const codec = choiceOption(command, 'codec', flags.codec, CODECS) ?? 'tnetstring';
  const timeoutMs = flags.timeout === undefined ? undefined : integerOption(command, 'timeout', flags.timeout, 0, 1, 2 ** 31 - 1);
  const bearer = flags.bearer ?? nonEmpty(env.PETRICHOR_BEARER);
  const key = flags['hmac-key'] ?? nonEmpty(env.PETRICHOR_HMAC_KEY);
  const secret = flags['hmac-secret'] ?? nonEmpty(env.PETRICHOR_HMAC_SECRET);
  if ((key === undefined) !== (secret === undefined)) {
    throw new UsageError(key === undefined ? '--hmac-secret needs --hmac-key' : '--hmac-key needs --hmac-secret', command);
  }
  if (key !== undefined && bearer !== undefined) throw new UsageError('give HMAC credentials or a bearer token, not both', command);
  let auth: ClientAuth | undefined;
  if (key !== undefined) auth = hmacClient({ key, secret: secret! });
  else if (bearer !== undefined) auth = bearerClient(bearer);
  const tls: { ca?: string; rejectUnauthorized?: boolean } = {};
  if (flags.ca !== undefined) {
    try {
      tls.ca = await readFile(flags.ca, 'utf8');
    } catch (error) {
      throw badInput(`cannot read --ca ${flags.ca}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  if (flags.insecure === true) tls.rejectUnauthorized = false;
  return { url, user: flags.user ?? nonEmpty(env.PETRICHOR_USER) ?? 'cli', codec, auth, timeoutMs, tls };
}

/** A URL the transports cannot take is a usage error (exit 2), found before connecting. */
export function checkUrl(command: string, url: string): void {
  try {
    parseUrl(url);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Connects and runs the handshake. Lossless decoding: bytes stay bytes (shown as text when they
 * are UTF-8), dicts keep their order. Connection failures become exit-3 errors.
 */
export async function openClient(plan: ConnectPlan, scope: InterfaceScope, signal: AbortSignal): Promise<Client> {
  const options: NodeConnectOptions = { ...plan.tls };
  if (plan.timeoutMs !== undefined) options.timeoutMs = plan.timeoutMs;
  try {
    const stream = await unlessAborted(connect(plan.url, options), signal, (late) => late.close());
    const connecting = Client.connect(stream, {
      user: plan.user,
      version: `petrichor-cli/${version()}`,
      codec: plan.codec,
      interface: scope,
      ...(plan.auth === undefined ? {} : { auth: plan.auth }),
      ...(plan.timeoutMs === undefined ? {} : { handshakeTimeoutMs: plan.timeoutMs }),
      decode: { text: false, objects: false },
      poolSize: 1,
    });
    // Interrupted during the handshake: end the stream now rather than wait for the handshake's timeout.
    const cut = (): void => stream.close();
    signal.addEventListener('abort', cut, { once: true });
    try {
      return await unlessAborted(connecting, signal, (late) => void late.close());
    } finally {
      signal.removeEventListener('abort', cut);
    }
  } catch (error) {
    throw failure(error);
  }
}

/**
 * The {@link CliError} for a failed call or connection: an error reply (exit 1) with its code
 * and message, or a connection failure (exit 3) with its stable code.
 */
export function failure(error: unknown): unknown {
  if (error instanceof CliError) return error;
  if (error instanceof RpcError) {
    const details = error.data === undefined ? [] : [`data: ${sexprText(error.data)}`];
    return new CliError(EXIT.errorReply, error.message, { code: `${error.code} ${error.kind}`, details, cause: error });
  }
  if (error instanceof TransportError || error instanceof RpcSessionError) {
    return new CliError(EXIT.connection, error.message, { code: error.code, cause: error });
  }
  if (error instanceof UnencodableError) return badInput(`BODY: ${error.message}`, { code: error.code, cause: error });
  return error;
}
