/** The two stacks a service can run on, behind one interface, so the rest never asks which. */
import type { CodecName } from '@petrichor/wire';
import { httpClient, serveHttp } from './http.js';
import type { MeshClient, ServiceName, ServiceTable } from './mesh.js';
import { petrichorClient, servePetrichor } from './petrichor.js';

/**
 * Petrichor (with a session codec; HMAC in the handshake, and with `signed` on every call too),
 * or the HTTP+JSON baseline.
 */
export type Stack = { readonly kind: 'petrichor'; readonly codec: CodecName; readonly signed: boolean } | { readonly kind: 'http' };

const NAME = /^petrichor(?::(sexpr|tnetstring|msgpack))?(\+signed)?$/;

/** A stack by name: `http`, or `petrichor[:sexpr|:tnetstring|:msgpack][+signed]` (sexpr by default). */
export function parseStack(name: string): Stack {
  if (name === 'http') return { kind: 'http' };
  const match = NAME.exec(name);
  if (match === null) throw new RangeError(`unknown stack ${name}: expected http or petrichor[:tnetstring|:msgpack][+signed]`);
  return { kind: 'petrichor', codec: (match[1] ?? 'sexpr') as CodecName, signed: match[2] !== undefined };
}

/** The name {@link parseStack} reads back. */
export function stackName(stack: Stack): string {
  if (stack.kind === 'http') return 'http';
  return `petrichor${stack.codec === 'sexpr' ? '' : `:${stack.codec}`}${stack.signed ? '+signed' : ''}`;
}

/** Serves `table` on a free port of 127.0.0.1; resolves with its URL and a way to stop. */
export function serve(stack: Stack, table: ServiceTable, keys: Readonly<Record<string, string>>): Promise<{ url: string; close(): Promise<void> }> {
  return stack.kind === 'http' ? serveHttp(table, keys) : servePetrichor(table, keys, { signed: stack.signed });
}

/** A client to `peers` calling as `key`. */
export function dial(stack: Stack, key: string, secret: string, peers: Readonly<Partial<Record<ServiceName, string>>>): Promise<MeshClient> {
  return stack.kind === 'http' ? Promise.resolve(httpClient({ key, secret, peers })) : petrichorClient({ key, secret, peers, codec: stack.codec, signed: stack.signed });
}
