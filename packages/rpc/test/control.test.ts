import { tnetstring, type CodecName, type Value } from '@petrichor/wire';
import { afterEach, describe, expect, test } from 'vitest';
import {
  Client,
  RpcError,
  RpcProtocolError,
  Server,
  describeService,
  fetchManifest,
  parseManifest,
  type Manifest,
  type RpcSession,
} from '../src/all.js';
import { memoryClient, tcpBackend, type TcpBackend } from './edge-helpers.js';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((thing) => thing.close()));
});

const POST_SCHEMA: Value = { type: 'object', required: ['title'], properties: { title: { type: 'string' }, tags: { type: 'array' } } };

/** A blog service: data routes with descriptions and a schema, an events interface, a fallback. */
function blogServer(): Server {
  const server = new Server({ name: 'blog', version: '2.3.0' });
  server.route('GET', '/posts/:id', (ctx) => ({ id: ctx.params['id']! }), { description: 'one post' });
  server.route('POST', '/posts', (ctx) => ctx.body, { description: 'publish a post', body: POST_SCHEMA });
  server.route('relate', '/internal/', () => null);
  server.interface('events', { purpose: 'activity for followers', direction: 'send' }).route('deliver', '/activity', () => null, { description: 'one activity' });
  server.interface('events').fallback(() => null);
  open.push(server);
  return server;
}

const EXPECTED: Manifest = {
  name: 'blog',
  version: '2.3.0',
  interfaces: [
    {
      name: 'data',
      purpose: '',
      direction: 'send+recv',
      fallback: false,
      routes: [
        { verb: 'GET', path: '/posts/:id', description: 'one post' },
        { verb: 'POST', path: '/posts', description: 'publish a post', body: POST_SCHEMA },
        { verb: 'relate', path: '/internal/', description: '' },
      ],
    },
    {
      name: 'control',
      purpose: 'describes this server',
      direction: 'send+recv',
      fallback: false,
      routes: [{ verb: 'GET', path: '/manifest', description: 'this manifest' }],
    },
    {
      name: 'events',
      purpose: 'activity for followers',
      direction: 'send',
      fallback: true,
      routes: [{ verb: 'deliver', path: '/activity', description: 'one activity' }],
    },
  ],
};

async function client(server: Server, options: Parameters<typeof memoryClient>[1] = {}): Promise<Client> {
  const c = await memoryClient(server, options);
  open.push(c);
  return c;
}

describe('spec/rpc.md §7.2 the manifest', () => {
  for (const codec of ['tnetstring', 'sexpr', 'msgpack'] as CodecName[]) {
    test(`client.manifest() reads every interface, route, description and schema (${codec})`, async () => {
      const c = await client(blogServer(), { codec });
      expect(await c.manifest()).toEqual(EXPECTED);
    });
  }

  test('a lossless session (Maps and byte strings) reads the same manifest', async () => {
    const c = await client(blogServer(), { decode: { text: false, objects: false } });
    const raw = await c.call('GET', '/manifest', null, { iface: 'control' });
    expect(raw).toBeInstanceOf(Map);
    const manifest = await c.manifest();
    expect(manifest.interfaces.map((i) => i.name)).toEqual(['data', 'control', 'events']);
    expect(manifest.interfaces[0]!.routes[1]!.body).toEqual(tnetstring.decode(tnetstring.encode(POST_SCHEMA)));
  });

  test('it describes the service as it stands: routes added later appear in the next manifest', async () => {
    const server = blogServer();
    const c = await client(server);
    server.route('DELETE', '/posts/:id', () => null, { description: 'remove a post' });
    const routes = (await c.manifest()).interfaces[0]!.routes;
    expect(routes.at(-1)).toEqual({ verb: 'DELETE', path: '/posts/:id', description: 'remove a post' });
    expect(describeService(server.service, { name: 'blog', version: '2.3.0' }).interfaces[0]!.routes).toHaveLength(4);
  });

  test('a peer without a control interface answers 404', async () => {
    const server = new Server();
    open.push(server);
    let session: RpcSession | undefined;
    server.route('GET', '/whoami', (ctx) => {
      session = ctx.session;
      return null;
    });
    const c = await client(server);
    await c.call('GET', '/whoami');
    // The server asks its client, which serves no control interface.
    const error: unknown = await fetchManifest(session!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(404);
  });

  test('parseManifest names the first bad field', () => {
    const good = JSON.parse(JSON.stringify(EXPECTED)) as Record<string, Value>;
    expect(parseManifest(good)).toEqual(EXPECTED);
    const cases: [Value, string][] = [
      [null, 'manifest: $ must be a dict'],
      [{ name: 'x' }, 'manifest: $.interfaces must be a list'],
      [{ interfaces: [{ name: 'data', direction: 'sideways', routes: [] }] }, 'manifest: $.interfaces[0].direction must be send, recv or send+recv'],
      [{ interfaces: [{ name: 'data', direction: 'send', routes: [{ verb: 'GET', path: 7 }] }] }, 'manifest: $.interfaces[0].routes[0].path must be text'],
      [{ interfaces: [{ direction: 'send', routes: [] }] }, 'manifest: $.interfaces[0].name must be text'],
      [{ interfaces: [{ name: 'd', direction: 'send', fallback: 'no', routes: [] }] }, 'manifest: $.interfaces[0].fallback must be a boolean'],
    ];
    for (const [value, message] of cases) {
      expect(() => parseManifest(value)).toThrow(RpcProtocolError);
      expect(() => parseManifest(value)).toThrow(message);
    }
  });
});

describe('spec/rpc.md §7.1 the control interface on its own', () => {
  test('a control-only session reads the manifest; any other interface is 403', async () => {
    const server = blogServer();
    let handled = 0;
    server.route('GET', '/count', () => ++handled);
    const c = await client(server, { interface: 'control' });
    const manifest = await c.manifest();
    expect(manifest.interfaces.slice(1)).toEqual(EXPECTED.interfaces.slice(1));
    expect(manifest.interfaces[0]!.routes.at(-1)).toEqual({ verb: 'GET', path: '/count', description: '' });
    for (const call of [c.call('GET', '/count'), c.call('GET', '/count', null, { iface: 'data' }), c.call('deliver', '/activity', null, { iface: 'events' })]) {
      const error = (await call.catch((e: unknown) => e)) as RpcError;
      expect(error).toBeInstanceOf(RpcError);
      expect([error.code, error.message]).toEqual([403, 'this session may call only the control interface']);
    }
    expect(handled).toBe(0);
  });

  test('a data session reaches both the data and the control interface', async () => {
    const server = blogServer();
    const c = await client(server);
    expect(await c.call('GET', '/posts/7')).toEqual({ id: '7' });
    expect((await c.manifest()).name).toBe('blog');
  });

  test('over loopback TCP: a control-only connection beside a data connection', async () => {
    const server = blogServer();
    const backend: TcpBackend = await tcpBackend(server);
    open.push({ close: () => backend.kill() });
    const control = await Client.connect(backend.connect(), { user: 'ops', interface: 'control' });
    const data = await Client.connect(backend.connect(), { user: 'reader', codec: 'sexpr' });
    open.push(control, data);
    expect(await control.manifest()).toEqual(EXPECTED);
    expect(await data.call('GET', '/posts/1')).toEqual({ id: '1' });
    await expect(control.call('GET', '/posts/1')).rejects.toMatchObject({ code: 403 });
    // The control connection can go away on its own; the data connection carries on.
    await control.close();
    expect(await data.call('GET', '/posts/2')).toEqual({ id: '2' });
  });
});
