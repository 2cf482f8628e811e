/**
 * spec/rpc.md §10.5 and §10.6 over real HTTP: bearer tokens checked by the server's own auth (one
 * verify for sockets and HTTP), HMAC refused over HTTP, authorize, and the manifest.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { socketStream } from '@petrichor/mux/node';
import { Client, HandshakeDeniedError, RpcError, Server, authSchemes, bearerClient, bearerServer, hmacServer, type Principal } from '@petrichor/rpc';
import { codecs } from '@petrichor/wire';
import { serveHttp, type HttpServerHandle } from '@petrichor/http';
import { ask } from './helpers.js';

const verified: string[] = [];
const verify = (token: string): Principal => {
  verified.push(token);
  if (token === 'tok-ana') return { scheme: 'bearer', id: 'ana', claims: { role: 'reader' } };
  if (token === 'tok-eve') throw RpcError.forbidden('eve is suspended');
  throw new Error('unknown token');
};

let server: Server;
let front: HttpServerHandle;
let listener: net.Server;
let port = 0;

beforeAll(async () => {
  server = new Server({
    name: 'notes',
    version: '3.1',
    auth: authSchemes({ hmac: hmacServer({ keys: { svc: 'a shared secret' } }), bearer: bearerServer(verify) }),
    authorize: (peer) => {
      if (peer.user === 'mallory') throw RpcError.forbidden('mallory is banned');
    },
  });
  server.route('GET', '/me', (ctx) => ({ principal: ctx.peer.principal as never, user: ctx.peer.user }), { description: 'who you are' });
  server.interface('events', { purpose: 'activity', direction: 'send' });
  front = await serveHttp(server);
  listener = net.createServer((socket) => void server.serve(socketStream(socket)));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await front.close();
  await server.close({ deadlineMs: 10 });
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

describe('bearer auth (§10.5)', () => {
  test('a good token: the principal verify gave, as on a socket with the same token', async () => {
    const answer = await ask(`${front.url}/me`, { headers: { authorization: 'Bearer tok-ana', 'petrichor-user': 'ana' } });
    expect(answer.status).toBe(200);
    const overHttp = JSON.parse(answer.text) as unknown;
    expect(overHttp).toEqual({ principal: { scheme: 'bearer', id: 'ana', claims: { role: 'reader' } }, user: 'ana' });
    const client = await Client.connect(socketStream(net.connect(port, '127.0.0.1')), { user: 'ana', auth: bearerClient('tok-ana') });
    expect(await client.call('GET', '/me')).toEqual(overHttp);
    await client.close();
  });

  test('missing, malformed and wrong tokens: 401 with WWW-Authenticate; verify saying 403 is 403', async () => {
    const missing = await ask(`${front.url}/me`);
    expect([missing.status, missing.text]).toEqual([401, '{"err":{"code":401,"message":"missing credentials"}}']);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="petrichor"');
    const wrong = await ask(`${front.url}/me`, { headers: { authorization: 'Bearer tok-nobody', accept: 'application/sexp' } });
    expect([wrong.status, wrong.text]).toEqual([401, '(err :code 401 :message "bearer token rejected")']);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="petrichor", error="invalid_token"');
    const basic = await ask(`${front.url}/me`, { headers: { authorization: 'Basic YW5hOnB3' } });
    expect([basic.status, JSON.parse(basic.text).err.message]).toEqual([401, 'expected a bearer token']);
    const suspended = await ask(`${front.url}/me`, { headers: { authorization: 'Bearer tok-eve' } });
    expect([suspended.status, JSON.parse(suspended.text).err.message]).toEqual([403, 'eve is suspended']);
    // The socket gets the same answers from the same verify.
    const denied = await Client.connect(socketStream(net.connect(port, '127.0.0.1')), { auth: bearerClient('tok-nobody') }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(HandshakeDeniedError);
    expect(denied).toMatchObject({ status: 401, reason: 'bearer token rejected' });
  });

  test('HMAC is for sockets: no HTTP form is taken as HMAC credentials', async () => {
    const before = verified.length;
    const hmac = await ask(`${front.url}/me`, { headers: { authorization: 'HMAC key=svc, sig=00' } });
    expect([hmac.status, JSON.parse(hmac.text).err.message]).toEqual([401, 'expected a bearer token']);
    expect(verified.length).toBe(before);
  });

  test("the server's authorize runs after auth: 403", async () => {
    const answer = await ask(`${front.url}/me`, { headers: { authorization: 'Bearer tok-ana', 'petrichor-user': 'mallory' } });
    expect([answer.status, JSON.parse(answer.text).err.message]).toEqual([403, 'mallory is banned']);
  });
});

describe('the manifest (§10.6)', () => {
  test('GET /.well-known/petrichor is the manifest a socket client reads, in the negotiated type', async () => {
    const client = await Client.connect(socketStream(net.connect(port, '127.0.0.1')), { auth: bearerClient('tok-ana'), interface: 'control' });
    const manifest = await client.manifest();
    await client.close();
    const json = await ask(`${front.url}/.well-known/petrichor`, { headers: { authorization: 'Bearer tok-ana' } });
    expect(json.status).toBe(200);
    expect(JSON.parse(json.text)).toEqual(manifest);
    expect(manifest).toMatchObject({ name: 'notes', version: '3.1' });
    const sexp = await ask(`${front.url}/.well-known/petrichor`, { headers: { authorization: 'Bearer tok-ana', accept: 'application/sexp' } });
    expect(sexp.text).toMatch(/^\{:name "notes" :version "3\.1" :interfaces \(\{:name "data"/);
    expect(codecs.sexpr.decode(sexp.body, { objects: true })).toEqual(manifest);
    // The control interface is also reachable by name, like a request's iface.
    const byName = await ask(`${front.url}/manifest`, { headers: { authorization: 'Bearer tok-ana', 'petrichor-interface': 'control' } });
    expect(JSON.parse(byName.text)).toEqual(manifest);
    const noIface = await ask(`${front.url}/x`, { headers: { authorization: 'Bearer tok-ana', 'petrichor-interface': 'nope' } });
    expect([noIface.status, JSON.parse(noIface.text).err.message]).toEqual([404, 'no interface "nope"']);
  });

  test('the manifest needs the same credentials as any call', async () => {
    expect((await ask(`${front.url}/.well-known/petrichor`)).status).toBe(401);
  });
});
