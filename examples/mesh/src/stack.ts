/** The two stacks a service can run on, behind one interface, so the rest never asks which. */
import type { CodecName } from '@petrichor/wire';
import { httpClient, serveHttp } from './http.js';
import type { MeshClient, ServiceName, ServiceTable } from './mesh.js';
import { petrichorClient, servePetrichor } from './petrichor.js';

/** Petrichor (with a session codec) or the HTTP+JSON baseline. */
export type Stack = { readonly kind: 'petrichor'; readonly codec: CodecName } | { readonly kind: 'http' };

/** A stack by name: `petrichor` (sexpr), `petrichor:tnetstring`, `petrichor:msgpack`, `http`. */
export function parseStack(name: string): Stack {
  if (name === 'http') return { kind: 'http' };
  const [kind, codec = 'sexpr'] = name.split(':');
  if (kind === 'petrichor' && (codec === 'sexpr' || codec === 'tnetstring' || codec === 'msgpack')) return { kind, codec };
  throw new RangeError(`unknown stack ${name}: expected http, petrichor, petrichor:tnetstring or petrichor:msgpack`);
}

/** The name {@link parseStack} reads back. */
export function stackName(stack: Stack): string {
  return stack.kind === 'http' ? 'http' : stack.codec === 'sexpr' ? 'petrichor' : `petrichor:${stack.codec}`;
}

/** Serves `table` on a free port of 127.0.0.1; resolves with its URL and a way to stop. */
export function serve(stack: Stack, table: ServiceTable, keys: Readonly<Record<string, string>>): Promise<{ url: string; close(): Promise<void> }> {
  return stack.kind === 'http' ? serveHttp(table, keys) : servePetrichor(table, keys);
}

/** A client to `peers` calling as `key`. */
export function dial(stack: Stack, key: string, secret: string, peers: Readonly<Partial<Record<ServiceName, string>>>): Promise<MeshClient> {
  return stack.kind === 'http' ? Promise.resolve(httpClient({ key, secret, peers })) : petrichorClient({ key, secret, peers, codec: stack.codec });
}
