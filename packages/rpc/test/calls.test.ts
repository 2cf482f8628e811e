import { describe, expect, test, vi } from 'vitest';
import { Float, Sym, encodeMessage, sexpr, type Value } from '@petrichor/wire';
import type { Channel } from '@petrichor/mux';
import { CallEndedError, RpcError, RpcProtocolError, Server, type CallContext } from '@petrichor/rpc';
import { memoryPair, rawServer, tick, until } from './helpers/setup.js';

type Ctx = CallContext;

describe('spec/rpc.md §2 unary calls', () => {
  test('verb, path, params, body and the reply value', async () => {
    const server = new Server();
    server.route('GET', '/internal/data/:query', (ctx) => ({ query: ctx.params['query']!, id: (ctx.body as { id: number }).id }));
    server.route('relate', '/users/:a/follows/:b', (ctx) => [ctx.verb, ctx.params['a']!, ctx.params['b']!]);
    const { client, close } = await memoryPair(server);
    expect(await client.call('GET', '/internal/data/q', { id: 42 })).toEqual({ query: 'q', id: 42 });
    expect(await client.call('relate', '/users/ana/follows/bob')).toEqual(['relate', 'ana', 'bob']);
    await close();
  });

  test('a handler returning undefined answers null; async handlers are awaited', async () => {
    const server = new Server();
    server.route('deliver', '/void', () => undefined);
    server.route('GET', '/later', async () => {
      await tick(5);
      return 'done';
    });
    const { client, close } = await memoryPair(server);
    expect(await client.call('deliver', '/void')).toBeNull();
    expect(await client.call('GET', '/later')).toBe('done');
    await close();
  });

  test('the handler context: header, meta, iface, route, stream, oneway, timeout, peer, session', async () => {
    const server = new Server();
    let seen: Ctx | undefined;
    server.route('PUT', '/items/:id', (ctx) => {
      seen = ctx;
      return null;
    }, { description: 'store an item' });
    const { client, session, close } = await memoryPair(server, { user: 'ana' });
    await client.call('PUT', '/items/7', 'body', { meta: { trace: 'abc' }, timeout: 5000, header: { params: { id: 42 }, verb: 'X' } });
    expect(seen).toMatchObject({
      verb: 'PUT',
      path: '/items/7',
      body: 'body',
      params: { id: '7' },
      meta: { trace: 'abc' },
      iface: 'data',
      oneway: false,
      timeout: 5000,
      stream: undefined,
    });
    expect(seen!.header).toEqual({ verb: 'PUT', path: '/items/7', timeout: 5000, meta: { trace: 'abc' }, params: { id: 42 } });
    expect(seen!.route).toMatchObject({ verb: 'PUT', pattern: '/items/:id', description: 'store an item' });
    expect(seen!.peer.user).toBe('ana');
    expect(seen!.session).toBe(session);
    await close();
  });

  test('verb "*" takes every verb; a trailing "*" takes the rest of the path', async () => {
    const server = new Server();
    server.route('*', '/any', (ctx) => ctx.verb);
    server.route('GET', '/files/*', (ctx) => ctx.params['*']!);
    const { client, close } = await memoryPair(server);
    expect(await client.call('frobnicate', '/any')).toBe('frobnicate');
    expect(await client.call('GET', '/files/a/b/c.txt')).toBe('a/b/c.txt');
    expect(await client.call('GET', '/files/')).toBe('');
    await close();
  });

  test('200 calls at once, each on its own channel, all answered', async () => {
    const server = new Server();
    server.route('GET', '/double/:n', async (ctx) => {
      await tick(Number(ctx.params['n']) % 3);
      return Number(ctx.params['n']) * 2;
    });
    const { client, close } = await memoryPair(server);
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => client.call('GET', `/double/${i}`)));
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i * 2));
    expect(client.mux.channelCount).toBeLessThanOrEqual(64 + 8); // only the pool's spares stay open
    await close();
  });

  test('a large body (4 MiB) both ways, past the 1 MiB channel window', async () => {
    const server = new Server();
    server.route('PUT', '/blob', (ctx) => ctx.body);
    const { client, close } = await memoryPair(new Server({ decode: { text: false } }).route('PUT', '/blob', (ctx) => ctx.body), { decode: { text: false } });
    const blob = new Uint8Array(4 * 1024 * 1024).map((_, i) => i * 7);
    const back = (await client.call('PUT', '/blob', blob)) as Uint8Array;
    expect(back.length).toBe(blob.length);
    expect(Buffer.compare(back, blob)).toBe(0);
    await close();
  });
});

describe('spec/rpc.md §4.3 errors: every code reaches the caller as RpcError', () => {
  test('404 no route, 405 verb not allowed, with messages', async () => {
    const server = new Server();
    server.route('GET', '/items/:id', () => 1);
    server.route('GET', '/exact', () => 1);
    const { client, close } = await memoryPair(server);
    await expect(client.call('GET', '/nothing')).rejects.toMatchObject({ name: 'RpcError', code: 404, kind: 'NOT_FOUND', message: 'no route for GET /nothing' });
    await expect(client.call('DELETE', '/items/3')).rejects.toMatchObject({ code: 405, kind: 'VERB_NOT_ALLOWED' });
    await expect(client.call('PUT', '/exact')).rejects.toMatchObject({ code: 405 });
    await expect(client.call('GET', '/x', null, { iface: 'nope' })).rejects.toMatchObject({ code: 404, message: 'no interface "nope"' });
    await close();
  });

  test('a fallback answers what no route takes', async () => {
    const server = new Server();
    server.route('GET', '/a', () => 'a');
    server.fallback((ctx) => `fallback ${ctx.verb} ${ctx.path}`);
    const { client, close } = await memoryPair(server);
    expect(await client.call('GET', '/b')).toBe('fallback GET /b');
    expect(await client.call('PUT', '/a')).toBe('fallback PUT /a');
    await close();
  });

  test.each([400, 401, 403, 408, 409, 413, 429, 499, 502, 503, 504, 599])('a handler throwing RpcError %i: the caller gets it with data', async (code) => {
    const server = new Server();
    server.route('GET', '/fail', () => {
      throw new RpcError(code, `failed with ${code}`, { detail: [1, 'two'] });
    });
    const { client, close } = await memoryPair(server);
    const error = await client.call('GET', '/fail').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code, message: `failed with ${code}`, data: { detail: [1, 'two'] } });
    await close();
  });

  test('anything else thrown is 500 "internal error": no message, no stack on the wire; onError hears it', async () => {
    const onError = vi.fn();
    const server = new Server({ onError });
    server.route('GET', '/boom', () => {
      throw new TypeError('secret: db password is hunter2');
    });
    server.route('GET', '/reject', () => Promise.reject(new Error('also secret')));
    const { client, close } = await memoryPair(server);
    for (const path of ['/boom', '/reject']) {
      const error = (await client.call('GET', path).catch((e: unknown) => e)) as RpcError;
      expect(error).toBeInstanceOf(RpcError);
      expect(error.code).toBe(500);
      expect(error.message).toBe('internal error');
      expect(error.data).toBeUndefined();
    }
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onError.mock.calls[0]![0]).toBeInstanceOf(TypeError);
    await close();
  });

  test('a reply that cannot be encoded is a 500, reported', async () => {
    const onError = vi.fn();
    const server = new Server({ onError });
    server.route('GET', '/nan', () => Number.NaN);
    const { client, close } = await memoryPair(server);
    await expect(client.call('GET', '/nan')).rejects.toMatchObject({ code: 500 });
    expect(onError).toHaveBeenCalledOnce();
    await close();
  });

  test('400: a malformed request HEADER, named field by field', async () => {
    const server = new Server();
    server.route('*', '/*', () => 'ok');
    const { client, close } = await memoryPair(server);
    const cases: [Record<string, Value>, RegExp][] = [
      [{ path: '/x' }, /no verb/],
      [{ verb: '', path: '/x' }, /no verb/],
      [{ verb: 'GET' }, /path/],
      [{ verb: 'GET', path: 'x' }, /path/],
      [{ verb: 'GET', path: '/x', timeout: -1 }, /timeout/],
      [{ verb: 'GET', path: '/x', timeout: 'soon' }, /timeout/],
      [{ verb: 'GET', path: '/x', stream: 'out' }, /stream/],
      [{ verb: 'GET', path: '/x', oneway: 'yes' }, /oneway/],
      [{ verb: 'GET', path: '/x', iface: 3 }, /iface/],
      [{ verb: 'GET', path: '/x', meta: [1] }, /meta/],
    ];
    for (const [header, reason] of cases) {
      const channel: Channel = await client.mux.open();
      await channel.write(encodeMessage(header, null));
      await channel.closeWrite();
      const reply: number[] = [];
      for await (const chunk of channel) reply.push(...chunk);
      const text = new TextDecoder().decode(Uint8Array.from(reply));
      expect(text).toMatch(/^15:6:status,3:400#}/);
      expect(text).toMatch(reason);
    }
    await close();
  });

  test('400 for bytes that are not a message; 413 for a request over the limits', async () => {
    const server = new Server({ limits: { maxMessageBytes: 1024 } });
    server.route('PUT', '/x', () => 'ok');
    const { client, close } = await memoryPair(server);
    const read = async (channel: Channel): Promise<string> => {
      const reply: number[] = [];
      for await (const chunk of channel) reply.push(...chunk);
      return new TextDecoder().decode(Uint8Array.from(reply));
    };
    const garbage = await client.mux.open();
    await garbage.write(new TextEncoder().encode('this is not a tnetstring'));
    expect(await read(garbage)).toMatch(/^15:6:status,3:400#}/);
    await expect(client.call('PUT', '/x', 'x'.repeat(2000))).rejects.toMatchObject({ code: 413 });
    expect(await client.call('PUT', '/x', 'small')).toBe('ok');
    await close();
  });

  test('a malformed reply is an RpcProtocolError; the session goes on', async () => {
    const { client, mux } = await rawServer();
    const replies: (Uint8Array | null)[] = [
      encodeMessage({ nostatus: true }, null),
      encodeMessage({ status: 'ok' }, null),
      new TextEncoder().encode('garbage that is no message'),
      null, // EOF without any reply
      encodeMessage({ status: 200, stream: true }, null), // a stream, to call()
      encodeMessage({ status: 200 }, 'fine'),
    ];
    void (async () => {
      for await (const channel of mux) {
        void (async () => {
          const first = await channel.read();
          if (first === null) return;
          const reply = replies.shift();
          if (reply != null) await channel.write(reply);
          await channel.closeWrite();
          await channel.close();
        })().catch(() => {}); // idle channels fail when the session ends
      }
    })();
    for (let i = 0; i < 5; i++) {
      const error = await client.call('GET', '/x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RpcProtocolError);
      expect(error).toMatchObject({ code: 'RPC_PROTOCOL' });
    }
    expect(await client.call('GET', '/x')).toBe('fine');
    await client.close();
  });
});

describe('spec/rpc.md §5.3 middleware', () => {
  test('runs in order around the handler; can change the result, short-circuit or throw', async () => {
    const server = new Server();
    const log: string[] = [];
    server.use(async (ctx, next) => {
      log.push(`in1 ${ctx.path}`);
      const result = await next();
      log.push('out1');
      return result;
    });
    server.use(async (ctx, next) => {
      if (ctx.meta['token'] !== 'ok') throw RpcError.unauthenticated('token please');
      const result = await next();
      return { wrapped: result as Value };
    });
    server.route('GET', '/x', () => {
      log.push('handler');
      return 1;
    });
    const { client, close } = await memoryPair(server);
    expect(await client.call('GET', '/x', null, { meta: { token: 'ok' } })).toEqual({ wrapped: 1 });
    expect(log).toEqual(['in1 /x', 'handler', 'out1']);
    await expect(client.call('GET', '/x')).rejects.toMatchObject({ code: 401, message: 'token please' });
    await close();
  });

  test('middleware sees the route a call took (for metrics labels) and 404s too', async () => {
    const server = new Server();
    const seen: (string | undefined)[] = [];
    server.use(async (ctx, next) => {
      seen.push(ctx.route?.pattern);
      return next();
    });
    server.route('GET', '/items/:id', () => 1);
    server.fallback(() => {
      throw RpcError.notFound();
    });
    const { client, close } = await memoryPair(server);
    await client.call('GET', '/items/1');
    await expect(client.call('GET', '/other')).rejects.toMatchObject({ code: 404 });
    expect(seen).toEqual(['/items/:id', undefined]);
    await close();
  });

  test('calling next() twice is an error (500)', async () => {
    const server = new Server();
    server.use(async (_ctx, next) => {
      await next();
      return next();
    });
    server.route('GET', '/x', () => 1);
    const { client, close } = await memoryPair(server);
    await expect(client.call('GET', '/x')).rejects.toMatchObject({ code: 500 });
    await close();
  });
});

describe('spec/rpc.md §5.2 flood: in-flight calls per session', () => {
  test('beyond maxInFlight a call is refused at once with 429; it is not queued', async () => {
    const server = new Server({ maxInFlight: 3 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    server.route('GET', '/slow', async () => {
      running++;
      await gate;
      return 'slow';
    });
    server.route('GET', '/fast', () => 'fast');
    const { client, session, close } = await memoryPair(server);
    const slow = [1, 2, 3].map(() => client.call('GET', '/slow'));
    await until(() => running === 3);
    expect(session.inFlight).toBe(3);
    await expect(client.call('GET', '/fast')).rejects.toMatchObject({ code: 429, kind: 'TOO_MANY_CALLS' });
    release();
    expect(await Promise.all(slow)).toEqual(['slow', 'slow', 'slow']);
    expect(await client.call('GET', '/fast')).toBe('fast');
    expect(session.inFlight).toBe(0);
    await close();
  });

  test('idle pre-opened channels do not count as calls in flight', async () => {
    const server = new Server({ maxInFlight: 1 });
    server.route('GET', '/x', () => 'x');
    const { client, session, close } = await memoryPair(server, { poolSize: 8 });
    await until(() => session.mux.channelCount >= 8);
    expect(session.inFlight).toBe(0);
    expect(await client.call('GET', '/x')).toBe('x');
    await close();
  });
});

describe('spec/rpc.md §2.5 one-way calls (deliver)', () => {
  test('the handler runs, no reply is sent; errors stay on the server', async () => {
    const onError = vi.fn();
    const server = new Server({ onError });
    const got: Value[] = [];
    server.route('deliver', '/internal/activity', (ctx) => {
      got.push(ctx.body);
      expect(ctx.oneway).toBe(true);
      return 'ignored';
    });
    server.route('deliver', '/boom', () => {
      throw new Error('x');
    });
    const { client, close } = await memoryPair(server);
    await client.deliver('deliver', '/internal/activity', { type: 'like' }, { header: { to: 'feed' } });
    await client.deliver('deliver', '/boom', null);
    await client.deliver('deliver', '/nowhere', null);
    await until(() => got.length === 1 && onError.mock.calls.length === 1);
    expect(got).toEqual([{ type: 'like' }]);
    expect(await client.call('GET', '/nowhere').catch((e: RpcError) => e.code)).toBe(404); // the session is fine
    await close();
  });
});

describe('spec/rpc.md §3 codecs and decode shapes', () => {
  test.each(['tnetstring', 'sexpr', 'msgpack'] as const)('%s: values round-trip through a call', async (codec) => {
    const server = new Server();
    server.route('PUT', '/echo', (ctx) => ctx.body);
    const { client, close } = await memoryPair(server, { codec });
    const value = { text: 'héllo', n: -7, big: 2n ** 60n, f: 1.5, list: [true, false, null], nested: { a: { b: ['c'] } } };
    expect(await client.call('PUT', '/echo', value)).toEqual(value);
    await close();
  });

  test('sexpr: symbols and keywords travel; errors are (err :code …) lists on the wire', async () => {
    const server = new Server();
    server.route('PUT', '/echo', (ctx) => ctx.body);
    server.route('GET', '/missing', () => {
      throw RpcError.notFound('not found');
    });
    const { client, close } = await memoryPair(server, { codec: 'sexpr' });
    const form = sexpr.parse('(relate :a 1 :b "x")');
    expect(await client.call('PUT', '/echo', form)).toEqual(form);
    await expect(client.call('GET', '/missing')).rejects.toMatchObject({ code: 404, message: 'not found' });
    await close();
  });

  test('lossless decoding: dicts as Maps, bytes as bytes, integral floats as Float', async () => {
    const server = new Server({ decode: { text: false, objects: false } });
    let header: unknown;
    server.route('PUT', '/echo', (ctx) => {
      header = ctx.header;
      return ctx.body;
    });
    const { client, close } = await memoryPair(server, { decode: { text: false, objects: false } });
    const value = new Map<string, Value>([['f', new Float(1)], ['b', new Uint8Array([0, 255])]]);
    const back = await client.call('PUT', '/echo', value, { meta: { k: 'v' } });
    expect(back).toBeInstanceOf(Map);
    expect((back as Map<string, Value>).get('f')).toEqual(new Float(1));
    expect((back as Map<string, Value>).get('b')).toEqual(new Uint8Array([0, 255]));
    expect(header).toBeInstanceOf(Map);
    await close();
  });

  test('an error reply whose body has another shape still rejects with its status', async () => {
    const { errorFromReply } = await import('../src/envelope.js');
    expect(errorFromReply(418, 'teapot')).toMatchObject({ code: 418, message: 'error' });
    expect(errorFromReply(404, [new Sym('err'), 1])).toMatchObject({ code: 404, message: 'not found' });
    expect(errorFromReply(409, new Map([['err', new Map<string, Value>([['message', new TextEncoder().encode('raw')]])]]))).toMatchObject({
      code: 409,
      message: 'raw',
    });
  });
});

describe('spec/rpc.md §2.3 streamed requests after the call ended', () => {
  test('send() after the callee answered and closed: CallEndedError', async () => {
    const server = new Server();
    server.route('PUT', '/early', () => 'done before reading');
    const { client, close } = await memoryPair(server);
    const call = client.open('PUT', '/early', null, { stream: 'in' });
    expect(await call.result).toBe('done before reading');
    await expect(call.send('late')).rejects.toBeInstanceOf(CallEndedError);
    await close();
  });
});
