/**
 * The mesh on both stacks, in this process over real loopback sockets: the four services served
 * over Petrichor (tcp://) and over HTTP+JSON, the same page from both, HMAC refusals (401), the
 * error model's 404, and bad input answered 400 without harm. The bench's own run, with the
 * services in child processes, is tested in bench.test.ts.
 */
import http from 'node:http';
import { Client, HandshakeDeniedError, hmacClient, RpcError, signedCalls } from '@petrichor/rpc';
import { connect } from '@petrichor/transport/node';
import { codecs } from '@petrichor/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageParams } from '../src/bench.js';
import { signRequest } from '../src/http-auth.js';
import { FRONTEND, MeshError, SERVICES, type Activity, type CallStats, type MeshClient, type ServiceName } from '../src/mesh.js';
import { service } from '../src/services/index.js';
import { dial, serve, type Stack } from '../src/stack.js';

/** One stack's four services in this process, and a front end's client to the blog. */
interface Running {
  readonly urls: Record<ServiceName, string>;
  readonly keys: Record<string, string>;
  readonly front: MeshClient;
  /** Activities the events service has received. */
  readonly activities: Activity[];
  /** The calls the four services have made to each other so far. */
  serviceCalls(): CallStats;
  close(): Promise<void>;
}

async function start(stack: Stack): Promise<Running> {
  const keys = Object.fromEntries([...SERVICES, FRONTEND].map((key) => [key, `${key}-secret-${Math.random()}`]));
  const clients = new Map<ServiceName, MeshClient>();
  const activities: Activity[] = [];
  // Each table calls its peers through a client made once every service listens.
  const peersOf = (name: ServiceName): MeshClient =>
    new Proxy({} as MeshClient, { get: (_, property) => Reflect.get(clients.get(name)!, property) as unknown });
  const servers = await Promise.all(
    SERVICES.map(async (name) => {
      const table = service(name, peersOf(name));
      const watched = name === 'events' ? { ...table, activity: (activity: Activity) => void activities.push(activity) } : table;
      return [name, await serve(stack, watched, keys)] as const;
    }),
  );
  const urls = Object.fromEntries(servers.map(([name, running]) => [name, running.url])) as Record<ServiceName, string>;
  for (const name of SERVICES) clients.set(name, await dial(stack, name, keys[name]!, urls));
  const front = await dial(stack, FRONTEND, keys[FRONTEND]!, { blog: urls.blog });
  return {
    urls,
    keys,
    front,
    activities,
    serviceCalls: () => {
      const all = [...clients.values()].map((client) => client.stats);
      return { calls: all.reduce((n, s) => n + s.calls, 0), notFound: all.reduce((n, s) => n + s.notFound, 0), errors: all.reduce((n, s) => n + s.errors, 0) };
    },
    async close() {
      await front.close();
      for (const client of clients.values()) await client.close();
      for (const [, running] of servers) await running.close();
    },
  };
}

const STACKS: Record<string, Stack> = {
  petrichor: { kind: 'petrichor', codec: 'sexpr', signed: false },
  'petrichor+signed': { kind: 'petrichor', codec: 'tnetstring', signed: true },
  http: { kind: 'http' },
};
const running: Record<string, Running> = {};

beforeAll(async () => {
  for (const [name, stack] of Object.entries(STACKS)) running[name] = await start(stack);
});
afterAll(async () => {
  for (const mesh of Object.values(running)) await mesh.close();
});

/** Resolves once `ready()` is true; rejects after `ms` (polls every 10 ms). */
async function until(ready: () => boolean, ms = 5_000): Promise<void> {
  for (let waited = 0; !ready(); waited += 10) {
    if (waited >= ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a post page', () => {
  it('is the same text on both stacks, with the 404 rendered and the view delivered', async () => {
    for (let i = 0; i < 4; i++) {
      const before = running['petrichor']!.activities.length;
      const ours = await running['petrichor']!.front.fetchPage('post', pageParams(i));
      const theirs = await running['http']!.front.fetchPage('post', pageParams(i));
      expect(ours).toBe(theirs);
      expect(await running['petrichor+signed']!.front.fetchPage('post', pageParams(i))).toBe(theirs);
      expect(ours).toMatch(/^<!doctype html>/);
      // Every post mentions one sold listing: market answered 404 and the page says so.
      expect(ours).toContain('1 of the things mentioned here has been sold.');
      expect(Buffer.byteLength(ours)).toBeGreaterThan(6_000);
      await until(() => running['petrichor']!.activities.length > before);
    }
    const viewer = pageParams(3)['viewer'];
    for (const mesh of Object.values(running)) {
      await until(() => mesh.activities.some((a) => a.actor === viewer));
      expect(mesh.activities.find((a) => a.actor === viewer)).toEqual({ type: 'view', actor: viewer, object: `post/${pageParams(3)['id']}` });
    }
  });

  it('fans out into 21 inter-service calls, one of them a 404, on both stacks', async () => {
    for (const mesh of Object.values(running)) {
      const before = mesh.serviceCalls();
      await mesh.front.fetchPage('post', pageParams(5));
      const after = mesh.serviceCalls();
      expect(after.calls - before.calls).toBe(21);
      expect(after.notFound - before.notFound).toBeGreaterThanOrEqual(1);
      expect(after.errors).toBe(before.errors);
    }
  });
});

describe('HMAC', () => {
  it('refuses a wrong key with 401 on Petrichor, at the handshake', async () => {
    const { urls } = running['petrichor']!;
    const attempt = Client.connect(await connect(urls.market), { user: 'blog', codec: codecs.sexpr, auth: hmacClient({ key: 'blog', secret: 'not the secret' }) });
    await expect(attempt).rejects.toBeInstanceOf(HandshakeDeniedError);
    await expect(attempt).rejects.toMatchObject({ status: 401, reason: 'bad signature' });
    const stranger = Client.connect(await connect(urls.market), { user: 'eve', auth: hmacClient({ key: 'eve', secret: 'x' }) });
    await expect(stranger).rejects.toMatchObject({ status: 401, reason: 'unknown key' });
  });

  it('refuses a call signed with a wrong key with 401 on Petrichor with signed calls, and keeps the session', async () => {
    const { urls, keys } = running['petrichor+signed']!;
    const auth = hmacClient({ key: 'blog', secret: keys['blog']! });
    const client = await Client.connect(await connect(urls.market), { user: 'blog', auth });
    try {
      const forged = signedCalls(client, hmacClient({ key: 'blog', secret: 'not the secret' }));
      await expect(forged.call('GET', '/internal/data/listing', null, { header: { params: { id: 'l1' } } })).rejects.toMatchObject({ code: 401 });
      await expect(client.call('GET', '/internal/data/listing', null, { header: { params: { id: 'l1' } } })).rejects.toMatchObject({ code: 401 });
      const listing = await signedCalls(client, auth).call('GET', '/internal/data/listing', null, { header: { params: { id: 'l1' } } });
      expect(listing).toMatchObject({ id: 'l1' });
    } finally {
      await client.close();
    }
  });

  it('refuses a wrong key with 401 on HTTP, on every request, and a replayed request too', async () => {
    const { urls, keys } = running['http']!;
    const wrong = await dial(STACKS['http']!, 'blog', 'not the secret', { market: urls.market });
    await expect(wrong.fetchData('market', 'listing', { id: 'l1' })).rejects.toMatchObject({ status: 401, message: 'bad signature' });
    await wrong.close();

    // A captured request sent twice: the second is refused.
    const path = '/internal/data/listing?params=' + encodeURIComponent('{"id":"l1"}');
    const headers = signRequest('blog', keys['blog']!, 'GET', path, '');
    const send = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const { port } = new URL(urls.market);
        http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
    expect(await send()).toBe(200);
    expect(await send()).toBe(401);
  });
});

describe('the error model', () => {
  it('gives 404 for a path no service serves, on both stacks', async () => {
    const { urls, keys } = running['petrichor']!;
    const raw = await Client.connect(await connect(urls.relations), { user: 'blog', codec: codecs.sexpr, auth: hmacClient({ key: 'blog', secret: keys['blog']! }) });
    try {
      const error = await raw.call('GET', '/internal/nothing/here').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RpcError);
      expect(error).toMatchObject({ code: 404, kind: 'NOT_FOUND' });
    } finally {
      await raw.close();
    }
    const h = running['http']!;
    const client = await dial(STACKS['http']!, 'blog', h.keys['blog']!, { relations: h.urls.relations });
    await expect(client.fetchData('relations', 'no-such-query')).rejects.toMatchObject({ status: 404, message: 'no query no-such-query' });
    await client.close();
  });

  it('gives the same 404 for a sold listing and a deleted user on both stacks', async () => {
    for (const [name, mesh] of Object.entries(running)) {
      const blog = await dial(STACKS[name]!, 'blog', mesh.keys['blog']!, mesh.urls);
      await expect(blog.fetchData('market', 'listing', { id: 'l5' })).rejects.toEqual(new MeshError(404, 'listing l5 is sold'));
      await expect(blog.fetchData('relations', 'user', { id: 'u13' })).rejects.toMatchObject({ status: 404, message: 'user u13 was deleted' });
      expect(blog.stats).toEqual({ calls: 2, notFound: 2, errors: 0 });
      await blog.close();
    }
  });

  it('answers bad input with 400 and keeps serving', async () => {
    for (const [name, mesh] of Object.entries(running)) {
      const blog = await dial(STACKS[name]!, 'blog', mesh.keys['blog']!, mesh.urls);
      await expect(blog.fetchData('relations', 'friends', { id: 'u1', limit: 'lots' })).rejects.toMatchObject({ status: 400 });
      await expect(blog.callAction('market', 'quote', { ids: 'l1' })).rejects.toMatchObject({ status: 400 });
      await expect(blog.fetchData('relations', 'constructor')).rejects.toMatchObject({ status: 404 });
      expect(await blog.fetchData('relations', 'follows', { from: 'u1', to: 'u2' })).toBeTypeOf('boolean');
      await blog.close();
    }
  });

  it('answers params that are not a dict, or not JSON, with 400', async () => {
    const { urls, keys } = running['petrichor']!;
    const raw = await Client.connect(await connect(urls.relations), { user: 'blog', codec: codecs.sexpr, auth: hmacClient({ key: 'blog', secret: keys['blog']! }) });
    try {
      await expect(raw.call('GET', '/internal/data/user', null, { header: { params: 'u1' } })).rejects.toMatchObject({ code: 400, message: 'params: expected a dict' });
      await expect(raw.call('recommend', '/internal/', ['u1'])).rejects.toMatchObject({ code: 400, message: 'payload: expected a dict' });
      // An action relations does not have, on a path it serves: the error model's 405.
      await expect(raw.call('quote', '/internal/', {})).rejects.toMatchObject({ code: 405, kind: 'VERB_NOT_ALLOWED' });
    } finally {
      await raw.close();
    }
    const h = running['http']!;
    const path = '/internal/data/user?params=%7Bnot-json';
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: new URL(h.urls.relations).port, path, headers: signRequest('blog', h.keys['blog']!, 'GET', path, '') }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(400);
  });
});
