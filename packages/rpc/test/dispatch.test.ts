/** dispatch(): a call through a server's routes, middleware and handler without a session. */
import { describe, expect, test } from 'vitest';
import { RpcError, Server, allowedVerbs, dispatch, type Peer } from '@petrichor/rpc';

const peer: Peer = {
  user: 'ana',
  ident: 'i1',
  version: '1',
  codec: 'tnetstring',
  interface: 'data',
  principal: { scheme: 'none', id: 'ana' },
  hello: {},
  body: null,
  remoteAddress: undefined,
};

function demo(): { server: Server; seen: string[] } {
  const seen: string[] = [];
  const server = new Server({ name: 'demo', version: '1.2' });
  server.use(async (ctx, next) => {
    seen.push(`${ctx.verb} ${ctx.path}`);
    return next();
  });
  server.route('GET', '/users/:id', (ctx) => ({ id: ctx.params['id']!, params: ctx.header['params' as never] ?? null }));
  server.route('PUT', '/users/:id', (ctx) => ctx.body);
  server.route('relate', '/users/:id', () => 'related');
  server.route('GET', '/count/:n', async function* (ctx) {
    for (let i = 0; i < Number(ctx.params['n']); i++) yield i;
  });
  server.route('GET', '/boom', () => {
    throw new Error('secret detail');
  });
  server.route('GET', '/slow', (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))));
  server.route('GET', '/session', (ctx) => ctx.session.peer.user);
  return { server, seen };
}

describe('dispatch (spec/rpc.md §5 without a session)', () => {
  test('routes, params, extra header fields and middleware as a session does', async () => {
    const { server, seen } = demo();
    const got = await dispatch(server.service, { verb: 'GET', path: '/users/7', header: { params: { q: 'x' } }, peer });
    expect(got).toEqual({ stream: false, value: { id: '7', params: { q: 'x' } } });
    expect(await dispatch(server.service, { verb: 'PUT', path: '/users/7', body: [1, 'two'], peer })).toEqual({ stream: false, value: [1, 'two'] });
    expect(seen).toEqual(['GET /users/7', 'PUT /users/7']);
  });

  test('a streamed reply is read item by item', async () => {
    const { server } = demo();
    const got = await dispatch(server.service, { verb: 'GET', path: '/count/3', peer });
    expect(got.stream).toBe(true);
    const items: unknown[] = [];
    if (got.stream) for await (const item of got.items) items.push(item);
    expect(items).toEqual([0, 1, 2]);
  });

  test('404, 405 with the allowed verbs, the control interface, 403 for a control peer', async () => {
    const { server } = demo();
    const fail = (verb: string, path: string, extra: object = {}) =>
      dispatch(server.service, { verb, path, peer, ...extra }).then(
        () => null,
        (e: RpcError) => [e.code, e.message],
      );
    expect(await fail('GET', '/nowhere')).toEqual([404, 'no route for GET /nowhere']);
    expect(await fail('DELETE', '/users/7')).toEqual([405, 'DELETE is not allowed on /users/7']);
    expect(allowedVerbs(server.service, '/users/7')).toEqual(['GET', 'PUT', 'relate']);
    expect(allowedVerbs(server.service, '/nowhere')).toEqual([]);
    expect(await fail('GET', '/x', { iface: 'nope' })).toEqual([404, 'no interface "nope"']);
    const manifest = await dispatch(server.service, { verb: 'GET', path: '/manifest', iface: 'control', peer });
    expect(manifest.stream === false && manifest.value).toMatchObject({ name: 'demo', version: '1.2' });
    expect(await fail('GET', '/users/7', { peer: { ...peer, interface: 'control' } })).toEqual([403, 'this session may call only the control interface']);
  });

  test('a handler that throws is a bare 500, its error told to onError; ctx.session is 501', async () => {
    const { server } = demo();
    const errors: unknown[] = [];
    const error = await dispatch(server.service, { verb: 'GET', path: '/boom', peer, onError: (e) => errors.push(e) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: 500, message: 'internal error' });
    expect((errors[0] as Error).message).toBe('secret detail');
    await expect(dispatch(server.service, { verb: 'GET', path: '/session', peer })).rejects.toMatchObject({ code: 501 });
  });

  test('the deadline ends the call with 408, the caller going away with 499; the handler sees its signal', async () => {
    const { server } = demo();
    await expect(dispatch(server.service, { verb: 'GET', path: '/slow', timeout: 5, peer })).rejects.toMatchObject({ code: 408 });
    const controller = new AbortController();
    const pending = dispatch(server.service, { verb: 'GET', path: '/slow', signal: controller.signal, peer });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 499 });
  });

  test('leaving a stream early stops the handler', async () => {
    const { server } = demo();
    let stopped = false;
    server.route('GET', '/forever', async function* () {
      try {
        for (let i = 0; i < 1_000_000; i++) yield i;
      } finally {
        stopped = true;
      }
    });
    const got = await dispatch(server.service, { verb: 'GET', path: '/forever', peer });
    if (!got.stream) throw new Error('expected a stream');
    for await (const item of got.items) if (item === 2) break;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(stopped).toBe(true);
  });
});
