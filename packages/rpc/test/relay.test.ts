import { afterEach, describe, expect, test } from 'vitest';
import type { Value } from '@petrichor/wire';
import { Client, RpcError, Server, relay, type CallContext, type RelayOptions, type RpcSession, type SessionOptions } from '../src/all.js';
import { gate, memoryClient, tcpBackend, until } from './edge-helpers.js';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).reverse().map((thing) => thing.close()));
});

function track<T extends { close(): Promise<unknown> }>(thing: T): T {
  open.push(thing);
  return thing;
}

interface Parties {
  caller: Client;
  front: Server;
  backend: Server;
  backendClient: Client;
}

/**
 * Three parties over memory pipes: `caller` → `front` (which relays `* /api/*` to the backend as
 * `/internal/*`) → `backend`.
 */
async function parties(setup: (backend: Server) => void, options: RelayOptions = {}, session: SessionOptions = {}): Promise<Parties> {
  const backend = track(new Server({ name: 'backend', ...session }));
  setup(backend);
  const backendClient = track(await memoryClient(backend, { user: 'front', ...session }));
  const front = track(new Server({ name: 'front', ...session }));
  front.route('*', '/api/*', (ctx) =>
    relay(ctx, backendClient, { rewrite: (request) => ({ ...request, path: `/internal/${ctx.params['*']!}` }), ...options }),
  );
  const caller = track(await memoryClient(front, { user: 'browser', ...session }));
  return { caller, front, backend, backendClient };
}

/** A request HEADER field (the tests' sessions decode HEADERs as plain objects). */
function field(ctx: CallContext, name: string): Value {
  return (ctx.header as Readonly<Record<string, Value>>)[name] ?? null;
}

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

describe('spec/rpc.md §8.1 relay: unary calls', () => {
  test('forwards verb, path (rewritten), body, extra HEADER fields and meta; rewrites the request and the reply', async () => {
    const { caller } = await parties(
      (backend) => {
        backend.route('*', '/internal/*', (ctx) => ({ verb: ctx.verb, path: ctx.path, params: field(ctx, 'params'), conn: field(ctx, 'conn'), meta: ctx.meta, body: ctx.body }));
      },
      {
        rewrite: (request) => ({ ...request, path: request.path.replace('/api/', '/internal/'), header: { ...request.header, conn: 7 } }),
        rewriteReply: (value) => ({ ...(value as Record<string, Value>), via: 'front' }),
      },
    );
    const reply = await caller.call('relate', '/api/posts/9', { actor: 'ana' }, { meta: { trace: 'ab' }, header: { params: { id: 9 } } });
    expect(reply).toEqual({ verb: 'relate', path: '/internal/posts/9', params: { id: 9 }, conn: 7, meta: { trace: 'ab' }, body: { actor: 'ana' }, via: 'front' });
  });

  test('errors: backend 5xx → 503 "try again"; 4xx pass through; a backend that is gone → 503', async () => {
    const { caller, backendClient } = await parties((backend) => {
      backend.route('GET', '/internal/boom', () => {
        throw new Error('secret detail');
      });
      backend.route('GET', '/internal/busy', () => {
        throw new RpcError(504, 'db timeout');
      });
      backend.route('GET', '/internal/nope', () => {
        throw new RpcError(409, 'version conflict', { expected: 3 });
      });
    });
    for (const path of ['/api/boom', '/api/busy']) {
      const error = await rejection(caller.call('GET', path));
      expect([error.code, error.message, error.data]).toEqual([503, 'try again', undefined]);
    }
    const conflict = await rejection(caller.call('GET', '/api/nope'));
    expect([conflict.code, conflict.message, conflict.data]).toEqual([409, 'version conflict', { expected: 3 }]);
    const missing = await rejection(caller.call('GET', '/api/none'));
    expect([missing.code, missing.message]).toEqual([404, 'no route for GET /internal/none']);
    await backendClient.close();
    const gone = await rejection(caller.call('GET', '/api/nope'));
    expect([gone.code, gone.message]).toEqual([503, 'try again']);
  });

  test('a custom mapError sees every backend failure as an RpcError', async () => {
    const seen: number[] = [];
    const { caller } = await parties(
      (backend) => {
        backend.route('GET', '/internal/old', () => {
          throw RpcError.notFound();
        });
      },
      {
        mapError: (error) => {
          seen.push(error.code);
          return error.code === 404 ? new RpcError(410, 'gone', { see: '/api/new' }) : error;
        },
      },
    );
    const error = await rejection(caller.call('GET', '/api/old'));
    expect([error.code, error.message, error.data]).toEqual([410, 'gone', { see: '/api/new' }]);
    expect(seen).toEqual([404]);
  });

  test('one-way calls are delivered', async () => {
    const delivered = gate<Value>();
    const { caller } = await parties((backend) => {
      backend.route('deliver', '/internal/activity', (ctx) => delivered.open([ctx.body, ctx.oneway, field(ctx, 'to')]));
    });
    await caller.deliver('deliver', '/api/activity', { type: 'like' }, { header: { to: 'blog' } });
    expect(await delivered.promise).toEqual([{ type: 'like' }, true, 'blog']);
  });

  test("the caller's cancel and deadline reach the backend handler", async () => {
    const aborted: string[] = [];
    const started = gate();
    const { caller } = await parties((backend) => {
      backend.route('GET', '/internal/slow', async (ctx) => {
        started.open();
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted.push((ctx.signal.reason as RpcError).message);
        return null;
      });
    });
    const controller = new AbortController();
    const call = caller.call('GET', '/api/slow', null, { signal: controller.signal });
    await started.promise;
    controller.abort();
    expect((await rejection(call)).code).toBe(499);
    await until(() => aborted.length === 1);
    const timed = await rejection(caller.call('GET', '/api/slow', null, { timeout: 50 }));
    expect(timed.code).toBe(408);
    await until(() => aborted.length === 2);
  });
});

describe('spec/rpc.md §8.1 relay: the deadline', () => {
  test('the backend gets what is left of the caller\'s deadline, not all of it', async () => {
    const seen: (number | undefined)[] = [];
    const { caller } = await parties(
      (backend) => backend.route('GET', '/internal/when', (ctx) => void seen.push(ctx.timeout)),
      {
        // The front spends at least 100 ms before it forwards the call.
        rewrite: async (request) => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return { ...request, path: '/internal/when' };
        },
      },
    );
    await caller.call('GET', '/api/when', null, { timeout: 5000 });
    await caller.call('GET', '/api/when');
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[0]).toBeLessThanOrEqual(4900);
    expect(seen[1]).toBeUndefined();
  });
});

describe('spec/rpc.md §8.1 relay: streams', () => {
  test('a streamed reply passes through item by item; a slow caller stalls the backend (bounded memory)', async () => {
    const ITEM = 16 * 1024;
    const TOTAL = 200;
    let produced = 0;
    const mux = { windowSize: 64 * 1024, maxPacketSize: 16 * 1024 + 64 };
    const { caller } = await parties(
      (backend) => {
        backend.route('GET', '/internal/feed', async function* () {
          for (let i = 0; i < TOTAL; i++) {
            produced++;
            yield { i, pad: 'x'.repeat(ITEM) };
          }
        });
      },
      {},
      { mux },
    );
    const call = caller.stream('GET', '/api/feed');
    const iterator = call[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect((first.value as { i: number }).i).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let everything that can flow, flow
    const stalledAt = produced;
    // Two hops of 64 KiB windows hold about 8 items; a few more sit in generators and awaits.
    expect(stalledAt).toBeLessThan(24);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(produced).toBe(stalledAt);
    let next = 1;
    for (;;) {
      const step = await iterator.next();
      if (step.done === true) break;
      expect((step.value as { i: number }).i).toBe(next++);
    }
    expect(next).toBe(TOTAL);
  });

  test('a streamed request passes through under backpressure: a backend that does not read stalls the caller', async () => {
    const ITEM = 16 * 1024;
    const TOTAL = 100;
    const release = gate();
    const mux = { windowSize: 64 * 1024, maxPacketSize: 16 * 1024 + 64 };
    const { caller } = await parties(
      (backend) => {
        backend.route('PUT', '/internal/sink', async (ctx) => {
          await release.promise;
          let n = 0;
          for await (const _ of ctx.messages) n++;
          return n;
        });
      },
      {},
      { mux },
    );
    const upload = caller.open('PUT', '/api/sink', null, { stream: 'in' });
    let sent = 0;
    const sending = (async () => {
      for (let i = 0; i < TOTAL; i++) {
        await upload.send('x'.repeat(ITEM));
        sent++;
      }
      await upload.end();
    })();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const stalledAt = sent;
    // Two hops of 64 KiB windows hold about 8 messages; the relay holds at most one more.
    expect(stalledAt).toBeLessThan(24);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent).toBe(stalledAt);
    release.open();
    await sending;
    expect(await upload.result).toBe(TOTAL);
  });

  test('a backend error mid-stream reaches the caller after the items, mapped', async () => {
    const { caller } = await parties((backend) => {
      backend.route('GET', '/internal/flaky', async function* () {
        yield 1;
        yield 2;
        throw new RpcError(500, 'disk on fire');
      });
    });
    const got: Value[] = [];
    const error: unknown = await (async () => {
      for await (const item of caller.stream('GET', '/api/flaky')) got.push(item);
    })().catch((e: unknown) => e);
    expect(got).toEqual([1, 2]);
    expect([(error as RpcError).code, (error as RpcError).message]).toEqual([503, 'try again']);
  });

  test('a caller that leaves a stream early cancels the backend stream', async () => {
    const stopped = gate<string>();
    const { caller } = await parties((backend) => {
      backend.route('GET', '/internal/forever', async function* (ctx) {
        ctx.signal.addEventListener('abort', () => stopped.open('aborted'), { once: true });
        for (let i = 0; ; i++) yield i;
      });
    });
    for await (const item of caller.stream('GET', '/api/forever')) if (item === 3) break;
    expect(await stopped.promise).toBe('aborted');
  });

  test('client streaming (in) and bidirectional (both) pass through, with rewritten paths', async () => {
    const { caller } = await parties((backend) => {
      backend.route('PUT', '/internal/sum', async (ctx) => {
        let sum = ctx.body as number;
        for await (const n of ctx.messages) sum += n as number;
        return sum;
      });
      backend.route('GET', '/internal/echo', async function* (ctx) {
        for await (const message of ctx.messages) yield [ctx.path, message];
      });
    });
    const upload = caller.open('PUT', '/api/sum', 1, { stream: 'in' });
    for (let i = 2; i <= 100; i++) await upload.send(i);
    await upload.end();
    expect(await upload.result).toBe(5050);

    const chat = caller.open('GET', '/api/echo');
    const replies: Value[] = [];
    const reading = (async () => {
      for await (const reply of chat) replies.push(reply);
    })();
    for (const word of ['a', 'b', 'c']) await chat.send(word);
    await chat.end();
    await reading;
    expect(replies).toEqual([['/internal/echo', 'a'], ['/internal/echo', 'b'], ['/internal/echo', 'c']]);
  });

  test("a server relays one client's call to another client (push through ctx.session)", async () => {
    const hub = track(new Server({ name: 'hub' }));
    const phones = new Map<string, RpcSession>();
    hub.route('PUT', '/register/:name', (ctx) => void phones.set(ctx.params['name']!, ctx.session));
    hub.route('*', '/to/:name/*', (ctx) => {
      const target = phones.get(ctx.params['name']!);
      if (target === undefined) throw RpcError.notFound('no such phone');
      return relay(ctx, target, { rewrite: (r) => ({ ...r, path: `/${ctx.params['*']!}` }) });
    });
    const bob = track(await memoryClient(hub, { user: 'bob' }));
    bob.route('ring', '/bell', (ctx) => `bob hears ${String(ctx.body)}`);
    await bob.call('PUT', '/register/bob');
    const ana = track(await memoryClient(hub, { user: 'ana' }));
    expect(await ana.call('ring', '/to/bob/bell', 'ana')).toBe('bob hears ana');
    expect((await rejection(ana.call('ring', '/to/carol/bell'))).code).toBe(404);
  });

  test('three parties over loopback TCP, in sexpr between front and backend', async () => {
    const backend = track(new Server({ name: 'backend' }));
    backend.route('GET', '/internal/data/:query', (ctx) => ({ query: ctx.params['query']!, params: field(ctx, 'params') }));
    backend.route('GET', '/internal/count', async function* () {
      for (let i = 0; i < 5; i++) yield i;
    });
    const backendTcp = await tcpBackend(backend);
    track({ close: () => backendTcp.kill() });
    const backendClient = track(await Client.connect(backendTcp.connect(), { user: 'front', codec: 'sexpr' }));
    const front = track(new Server({ name: 'front' }));
    front.route('*', '/api/*', (ctx) => relay(ctx, backendClient, { rewrite: (r) => ({ ...r, path: `/internal/${ctx.params['*']!}` }) }));
    const frontTcp = await tcpBackend(front);
    track({ close: () => frontTcp.kill() });
    const caller = track(await Client.connect(frontTcp.connect(), { user: 'browser', codec: 'msgpack' }));
    expect(await caller.call('GET', '/api/data/q', null, { header: { params: { id: 42 } } })).toEqual({ query: 'q', params: { id: 42 } });
    const items: Value[] = [];
    for await (const item of caller.stream('GET', '/api/count')) items.push(item);
    expect(items).toEqual([0, 1, 2, 3, 4]);
  });
});
