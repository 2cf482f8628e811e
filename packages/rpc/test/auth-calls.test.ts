import type { Value } from '@petrichor/wire';
import { afterEach, describe, expect, test } from 'vitest';
import { RpcError, Server, callPrincipal, hmacClient, hmacServer, signedCalls, verifyCalls, type ClientAuth } from '../src/index.js';
import { memoryClient } from './edge-helpers.js';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).reverse().map((thing) => thing.close()));
});

const SECRET = 'per-call secret, at least 32 bytes';

function server(): Server {
  const s = new Server({ name: 'ledger' });
  s.use(verifyCalls(hmacServer({ keys: { billing: SECRET } })));
  s.route('POST', '/charge', (ctx) => ({ by: callPrincipal(ctx)?.id ?? null, amount: ctx.body }));
  s.route('PUT', '/batch', async (ctx) => {
    let n = 0;
    for await (const _ of ctx.messages) n++;
    return n;
  });
  s.route('GET', '/feed', async function* () {
    yield 1;
    yield 2;
  });
  open.push(s);
  return s;
}

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

describe('spec/rpc.md §6.7 signed calls', () => {
  for (const codec of ['tnetstring', 'sexpr', 'msgpack'] as const) {
    test(`each request carries its own signature; the handler sees the signer (${codec})`, async () => {
      const client = await memoryClient(server(), { codec });
      open.push(client);
      const signed = signedCalls(client, hmacClient({ key: 'billing', secret: SECRET }));
      expect(await signed.call('POST', '/charge', 1250, { meta: { trace: 't1' }, header: { currency: 'EUR' } })).toEqual({ by: 'billing', amount: 1250 });
      const batch = await signed.open('PUT', '/batch', null, { stream: 'in' });
      for (let i = 0; i < 3; i++) await batch.send(i);
      await batch.end();
      expect(await batch.result).toBe(3);
      const items: Value[] = [];
      for await (const item of await signed.stream('GET', '/feed')) items.push(item);
      expect(items).toEqual([1, 2]);
    });
  }

  test('unsigned, wrongly signed and replayed calls are refused with 401 before the handler; the manifest needs no signature', async () => {
    const client = await memoryClient(server());
    open.push(client);
    expect((await rejection(client.call('POST', '/charge', 1))).message).toBe('missing credentials');
    const forged = signedCalls(client, hmacClient({ key: 'billing', secret: 'not the secret' }));
    expect((await rejection(forged.call('POST', '/charge', 1))).message).toBe('bad signature');
    // The same credentials twice: the second is a replay; on another body, a bad signature.
    const real = hmacClient({ key: 'billing', secret: SECRET });
    let kept: Value | undefined;
    const replaying: ClientAuth = { credentials: async (header, body) => (kept ??= await real.credentials(header, body)) };
    const again = signedCalls(client, replaying);
    expect(await again.call('POST', '/charge', 5)).toEqual({ by: 'billing', amount: 5 });
    expect((await rejection(again.call('POST', '/charge', 5))).message).toBe('replayed nonce');
    expect((await rejection(again.call('POST', '/charge', 500))).message).toBe('bad signature');
    expect((await client.manifest()).name).toBe('ledger');
  });
});
