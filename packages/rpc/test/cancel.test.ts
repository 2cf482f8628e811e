import { describe, expect, test } from 'vitest';
import { RpcError, Server, type CallContext } from '@petrichor/rpc';
import { encodeMessage } from '@petrichor/wire';
import { memoryPair, tick, until } from './helpers/setup.js';

/** A route that waits until its signal fires, recording why. */
function waiter(server: Server): { reasons: unknown[]; started: () => number } {
  const reasons: unknown[] = [];
  let started = 0;
  server.route('GET', '/wait', (ctx: CallContext) => {
    started++;
    return new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => {
        reasons.push(ctx.signal.reason);
        reject(ctx.signal.reason as Error);
      });
    });
  });
  return { reasons, started: () => started };
}

describe('spec/rpc.md §3.3 cancellation', () => {
  test('aborting the signal: the call rejects with 499, the handler signal fires, the channel closes', async () => {
    const server = new Server();
    const { reasons, started } = waiter(server);
    const { client, session, close } = await memoryPair(server);
    const controller = new AbortController();
    const call = client.call('GET', '/wait', null, { signal: controller.signal });
    await until(() => started() === 1);
    const before = session.mux.channelCount;
    controller.abort(new Error('user left'));
    const error = (await call.catch((e: unknown) => e)) as RpcError;
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(499);
    expect((error.cause as Error).message).toBe('user left');
    await until(() => reasons.length === 1);
    expect(reasons[0]).toMatchObject({ code: 499 });
    await until(() => session.inFlight === 0 && session.mux.channelCount < before);
    await close();
  });

  test('an already aborted signal rejects at once and sends nothing', async () => {
    const server = new Server();
    const { started } = waiter(server);
    const { client, close } = await memoryPair(server);
    await expect(client.call('GET', '/wait', null, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 499 });
    await expect(client.stream('GET', '/wait', null, { signal: AbortSignal.abort() }).result).rejects.toMatchObject({ code: 499 });
    await tick(10);
    expect(started()).toBe(0);
    await close();
  });

  test('Call.cancel() ends a streaming call: iteration rejects with 499', async () => {
    const server = new Server();
    let reason: unknown;
    server.route('GET', '/ticks', async function* (ctx) {
      ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason));
      for (let i = 0; ; i++) {
        yield i;
        await tick(2);
      }
    });
    const { client, close } = await memoryPair(server);
    const call = client.stream('GET', '/ticks');
    const items = call[Symbol.asyncIterator]();
    await items.next();
    call.cancel();
    await expect(items.next()).rejects.toMatchObject({ code: 499 });
    await expect(call.result).rejects.toMatchObject({ code: 499 });
    await until(() => reason !== undefined);
    expect(reason).toMatchObject({ code: 499 });
    await close();
  });

  test('a handler that never looks at its signal still has its reply dropped after a cancel', async () => {
    const server = new Server();
    let finished = false;
    server.route('GET', '/slow', async () => {
      await tick(30);
      finished = true;
      return 'late';
    });
    const { client, session, close } = await memoryPair(server);
    const controller = new AbortController();
    const call = client.call('GET', '/slow', null, { signal: controller.signal });
    await tick(5);
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 499 });
    await until(() => finished && session.inFlight === 0);
    expect(await client.call('GET', '/slow')).toBe('late'); // the session is unharmed
    await close();
  });
});

describe('spec/rpc.md §3.3 deadlines', () => {
  test('timeout: the caller rejects with 408 and the handler signal fires with 408', async () => {
    const server = new Server();
    const { reasons } = waiter(server);
    const { client, session, close } = await memoryPair(server);
    const started = Date.now();
    await expect(client.call('GET', '/wait', null, { timeout: 40 })).rejects.toMatchObject({ code: 408, kind: 'DEADLINE_EXCEEDED' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    await until(() => reasons.length === 1);
    expect(reasons[0]).toMatchObject({ code: 408 });
    await until(() => session.inFlight === 0);
    await close();
  });

  test('the server enforces the deadline in the HEADER by itself: it answers 408', async () => {
    const server = new Server();
    const { reasons } = waiter(server);
    const { client, close } = await memoryPair(server);
    // A caller that sends a deadline but keeps no timer of its own: a raw request.
    const channel = await client.mux.open();
    await channel.write(encodeMessage({ verb: 'GET', path: '/wait', timeout: 30 }, null));
    await channel.closeWrite();
    const reply: number[] = [];
    for await (const chunk of channel) reply.push(...chunk);
    expect(new TextDecoder().decode(Uint8Array.from(reply))).toMatch(/^15:6:status,3:408#}.*deadline exceeded/);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({ code: 408 });
    await close();
  });

  test('a deadline mid-stream ends the stream with 408', async () => {
    const server = new Server();
    server.route('GET', '/ticks', async function* (ctx) {
      for (let i = 0; !ctx.signal.aborted; i++) {
        yield i;
        await tick(5);
      }
    });
    const { client, close } = await memoryPair(server);
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const item of client.stream('GET', '/ticks', null, { timeout: 60 })) seen.push(item);
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 408 });
    expect(seen.length).toBeGreaterThan(0);
    await close();
  });

  test('a call that finishes in time is unaffected and leaves no timer behind', async () => {
    const server = new Server();
    server.route('GET', '/fast', (ctx) => ctx.timeout ?? null);
    const { client, close } = await memoryPair(server);
    expect(await client.call('GET', '/fast', null, { timeout: 1000, signal: new AbortController().signal })).toBe(1000);
    await close();
  });
});
