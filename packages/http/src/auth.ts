/**
 * Who calls over HTTP (spec/rpc.md §10.5): `Authorization: Bearer <token>` checked by the
 * server's own `auth` (so one bearer `verify` serves sockets and HTTP), then its `authorize`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PROTOCOL_VERSION, RpcError, type Peer, type Principal, type Server } from '@petrichor/rpc';
import type { Value } from '@petrichor/wire';
import type { Media } from './media.js';
import { single } from './request.js';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The peer of `req`, as a handshake would make it: its credentials checked by the server's
 * `auth` and the peer by its `authorize`. Throws `RpcError` (401, 403, or what the hooks throw;
 * 500 for a hook that fails otherwise, reported to `report`).
 */
export async function peerOf(server: Server, req: IncomingMessage, media: Media, report: (error: unknown) => void): Promise<Peer> {
  const user = single(req, 'petrichor-user') ?? '';
  const hello: Record<string, Value> = {
    petrichor: PROTOCOL_VERSION,
    user,
    ident: randomUUID().replaceAll('-', ''),
    version: single(req, 'petrichor-version') ?? '',
    codec: media.codec,
  };
  const { auth, authorize } = server.options;
  let principal: Principal;
  if (auth === undefined) {
    principal = { scheme: 'none', id: user };
  } else {
    const authorization = single(req, 'authorization');
    let credentials: Value | undefined;
    if (authorization !== undefined) {
      const match = BEARER.exec(authorization);
      if (match === null) throw new RpcError(401, 'expected a bearer token');
      credentials = { scheme: 'bearer', token: match[1]! };
      hello['auth'] = credentials;
    }
    try {
      principal = await auth.authenticate(credentials, hello, null);
    } catch (error) {
      if (error instanceof RpcError) throw error;
      report(error);
      throw new RpcError(401, 'unauthenticated');
    }
  }
  const peer: Peer = {
    user,
    ident: hello['ident'] as string,
    version: hello['version'] as string,
    codec: media.codec,
    interface: 'data',
    principal,
    hello,
    body: null,
    remoteAddress: req.socket.remoteAddress,
  };
  try {
    await authorize?.(peer);
  } catch (error) {
    if (error instanceof RpcError) throw error;
    report(error);
    throw RpcError.internal();
  }
  return peer;
}
