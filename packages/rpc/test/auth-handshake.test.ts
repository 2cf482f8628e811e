import type { Value } from '@petrichor/wire';
import { afterEach, describe, expect, test } from 'vitest';
import {
  Client,
  HandshakeDeniedError,
  RpcError,
  Server,
  authSchemes,
  bearerClient,
  bearerServer,
  hmacClient,
  hmacServer,
  type ClientAuth,
  type ClientOptions,
  type Principal,
} from '../src/all.js';
import { memoryClient, tcpBackend } from './edge-helpers.js';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).reverse().map((thing) => thing.close()));
});

const SECRET = 'internal secret, 32 bytes or more';

/** A server whose `GET /me` answers the caller's principal. */
function server(auth: Server['options']['auth']): Server {
  const s = new Server({ name: 'blog', ...(auth === undefined ? {} : { auth }) });
  s.route('GET', '/me', (ctx) => ({ scheme: ctx.peer.principal.scheme, id: ctx.peer.principal.id, user: ctx.peer.user }));
  open.push(s);
  return s;
}

async function connect(s: Server, options: ClientOptions): Promise<Client> {
  const client = await memoryClient(s, options);
  open.push(client);
  return client;
}

async function denial(promise: Promise<unknown>): Promise<HandshakeDeniedError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HandshakeDeniedError);
  return error as HandshakeDeniedError;
}

describe('spec/rpc.md §6.3 HMAC in the handshake', () => {
  test('a signed handshake is allowed; the handler sees the key id as principal', async () => {
    const s = server(hmacServer({ keys: { search: SECRET } }));
    const client = await connect(s, { user: 'search-service', auth: hmacClient({ key: 'search', secret: SECRET }) });
    expect(await client.call('GET', '/me')).toEqual({ scheme: 'hmac', id: 'search', user: 'search-service' });
  });

  test('the wrong secret, an unknown key, no credentials: denied 401 with the reason, and no session', async () => {
    const s = server(hmacServer({ keys: { search: SECRET } }));
    const cases: [ClientOptions, string][] = [
      [{ auth: hmacClient({ key: 'search', secret: 'guess' }) }, 'bad signature'],
      [{ auth: hmacClient({ key: 'who', secret: SECRET }) }, 'unknown key'],
      [{}, 'missing credentials'],
      [{ auth: bearerClient('t0k3n') }, 'expected hmac credentials'],
    ];
    for (const [options, reason] of cases) {
      const error = await denial(memoryClient(s, options));
      expect([error.status, error.reason]).toEqual([401, reason]);
    }
    expect(s.sessions.size).toBe(0);
  });

  test('a replayed handshake (the same signed hello again) is denied: replayed nonce', async () => {
    const s = server(hmacServer({ keys: { search: SECRET } }));
    const signer = hmacClient({ key: 'search', secret: SECRET });
    let captured: Value | undefined;
    const recording: ClientAuth = {
      async credentials(header, body) {
        captured ??= await signer.credentials(header, body);
        return captured;
      },
    };
    const same: ClientOptions = { user: 'search-service', ident: 'fixed-ident', auth: recording };
    await connect(s, same);
    const error = await denial(memoryClient(s, same));
    expect([error.status, error.reason]).toEqual([401, 'replayed nonce']);
  });

  test('a clock out of step is denied: timestamp expired / in the future', async () => {
    const s = server(hmacServer({ keys: { search: SECRET }, replayWindowMs: 1000 }));
    const late = hmacClient({ key: 'search', secret: SECRET, now: () => Date.now() - 5000 });
    const early = hmacClient({ key: 'search', secret: SECRET, now: () => Date.now() + 5000 });
    expect((await denial(memoryClient(s, { auth: late }))).reason).toBe('timestamp expired');
    expect((await denial(memoryClient(s, { auth: early }))).reason).toBe('timestamp in the future');
  });

  test('over loopback TCP, in each codec', async () => {
    const s = server(hmacServer({ keys: { search: SECRET } }));
    const backend = await tcpBackend(s);
    open.push({ close: () => backend.kill() });
    for (const codec of ['tnetstring', 'sexpr', 'msgpack'] as const) {
      const client = await Client.connect(backend.connect(), { user: 'search-service', codec, auth: hmacClient({ key: 'search', secret: SECRET }) });
      open.push(client);
      expect(await client.call('GET', '/me')).toEqual({ scheme: 'hmac', id: 'search', user: 'search-service' });
    }
    const error = await denial(Client.connect(backend.connect(), { auth: hmacClient({ key: 'search', secret: 'nope' }) }));
    expect(error.status).toBe(401);
  });
});

describe('spec/rpc.md §6.5 bearer tokens in the handshake', () => {
  const verify = async (token: string): Promise<Principal> => {
    if (token === 'reader-token') return { scheme: 'bearer', id: 'ana' };
    if (token === 'suspended') throw RpcError.forbidden('account suspended');
    throw new Error('unknown');
  };

  test('allowed with a good token; 401 for a bad one; 403 passed through from verify', async () => {
    const s = server(bearerServer(verify));
    const client = await connect(s, { user: 'ana', auth: bearerClient(async () => 'reader-token') });
    expect(await client.call('GET', '/me')).toEqual({ scheme: 'bearer', id: 'ana', user: 'ana' });
    const bad = await denial(memoryClient(s, { auth: bearerClient('forged') }));
    expect([bad.status, bad.reason]).toEqual([401, 'bearer token rejected']);
    const suspended = await denial(memoryClient(s, { auth: bearerClient('suspended') }));
    expect([suspended.status, suspended.reason]).toEqual([403, 'account suspended']);
  });

  test('authSchemes: internal services with HMAC and public clients with bearer tokens on one server', async () => {
    const s = server(authSchemes({ hmac: hmacServer({ keys: { search: SECRET } }), bearer: bearerServer(verify) }));
    const service = await connect(s, { user: 'search-service', auth: hmacClient({ key: 'search', secret: SECRET }) });
    const person = await connect(s, { user: 'ana', auth: bearerClient('reader-token') });
    expect(await service.call('GET', '/me')).toMatchObject({ scheme: 'hmac', id: 'search' });
    expect(await person.call('GET', '/me')).toMatchObject({ scheme: 'bearer', id: 'ana' });
    expect((await denial(memoryClient(s, {}))).reason).toBe('missing credentials');
  });
});
