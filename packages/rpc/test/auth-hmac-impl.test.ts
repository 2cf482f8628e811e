/**
 * The pluggable HMAC (`hmac` option, `@petrichor/rpc/node`) and the pooled nonces: the same
 * signatures as WebCrypto, the same refusals, and nonces that stay unique across pool refills.
 */
import { createHmac } from 'node:crypto';
import type { Value } from '@petrichor/wire';
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import { Client, RpcError, Server, callPrincipal, hmacClient, hmacServer, signedCalls, verifyCalls, type ClientAuth, type HmacSha256 } from '../src/index.js';
import { nodeHmac } from '@petrichor/rpc/node'; // the package's Node-only entry, as users import it
import { canonical } from '../src/auth/canonical.js';
import { randomNonce, signedBytes } from '../src/auth/hmac.js';
import { memoryPipe } from '@petrichor/mux';
import { memoryClient } from './edge-helpers.js';

type Header = Readonly<Record<string, Value>>;

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).reverse().map((thing) => thing.close()));
});

const SECRET = 'per-call secret, at least 32 bytes';
const TS = 1767225600000;

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 12, unit: 'binary' }), fc.uint8Array({ maxLength: 8 }));
const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6, unit: 'binary' }), tie('value'), { maxKeys: 4 })),
})).value;
const secret = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 80 }), fc.string({ minLength: 1, maxLength: 80, unit: 'binary' }));
const header = fc.dictionary(fc.string({ maxLength: 6, unit: 'binary' }).filter((k) => k !== 'auth'), value, { maxKeys: 5 });

describe('the hmac option', () => {
  test('node:crypto gives the signatures WebCrypto gives, over any secret, header and body; each verifies the other', async () => {
    await fc.assert(
      fc.asyncProperty(secret, header, value, async (key, head: Header, body) => {
        const fixed = { key: 'k', secret: key, now: () => TS, nonce: () => '00112233445566778899aabbccddeeff' };
        const web = (await hmacClient(fixed).credentials(head, body)) as Map<string, Value>;
        const node = (await hmacClient({ ...fixed, hmac: nodeHmac }).credentials(head, body)) as Map<string, Value>;
        expect(node.get('sig')).toBe(web.get('sig'));
        // And both are the HMAC of the signed bytes, by an independent computation.
        const bytes = typeof key === 'string' ? new TextEncoder().encode(key) : key;
        expect(web.get('sig')).toBe(createHmac('sha256', bytes).update(signedBytes(head, web, body)).digest('hex'));
        // Signed by one, checked by the other (fresh servers: the nonce is the same every run).
        const now = () => TS;
        await expect(hmacServer({ keys: { k: key }, now, hmac: nodeHmac }).authenticate(web, head, body)).resolves.toEqual({ scheme: 'hmac', id: 'k' });
        await expect(hmacServer({ keys: { k: key }, now }).authenticate(node, head, body)).resolves.toEqual({ scheme: 'hmac', id: 'k' });
      }),
      { numRuns: 150 },
    );
  });

  test('an async implementation works too, and a key lookup function gets it', async () => {
    const slow: HmacSha256 = async (key, data) => nodeHmac(key, data);
    const client = hmacClient({ key: 'k', secret: SECRET, hmac: slow });
    const server = hmacServer({ keys: async (id) => (id === 'k' ? SECRET : undefined), hmac: slow });
    const auth = await client.credentials({ verb: 'GET' }, 1);
    await expect(server.authenticate(auth, { verb: 'GET' }, 1)).resolves.toEqual({ scheme: 'hmac', id: 'k' });
    expect((await rejection(server.authenticate(auth, { verb: 'GET' }, 2))).message).toBe('bad signature');
  });

  test('the key is prepared once: the implementation gets the same bytes object every message', async () => {
    const seen = new Set<Uint8Array>();
    const spy: HmacSha256 = (key, data) => {
      seen.add(key);
      return nodeHmac(key, data);
    };
    const client = hmacClient({ key: 'k', secret: SECRET, hmac: spy });
    const server = hmacServer({ keys: { k: SECRET }, hmac: spy });
    for (let i = 0; i < 5; i++) await server.authenticate(await client.credentials({}, i), {}, i);
    expect(seen.size).toBe(2); // the client's copy and the server's
  });

  test('an implementation that does not give 32 bytes is refused, not trusted', async () => {
    const short: HmacSha256 = (key, data) => nodeHmac(key, data).subarray(0, 31);
    await expect(hmacClient({ key: 'k', secret: SECRET, hmac: short }).credentials({}, null)).rejects.toThrow(TypeError);
    const auth = await hmacClient({ key: 'k', secret: SECRET }).credentials({}, null);
    await expect(hmacServer({ keys: { k: SECRET }, hmac: short }).authenticate(auth, {}, null)).rejects.toThrow(TypeError);
  });

  test('signed calls with node:crypto: signed ones pass, a wrong key is 401, a replay is 401', async () => {
    const server = new Server({ name: 'ledger' });
    server.use(verifyCalls(hmacServer({ keys: { billing: SECRET }, hmac: nodeHmac })));
    server.route('POST', '/charge', (ctx) => ({ by: callPrincipal(ctx)?.id ?? null, amount: ctx.body }));
    open.push(server);
    const client = await memoryClient(server);
    open.push(client);
    const real = hmacClient({ key: 'billing', secret: SECRET, hmac: nodeHmac });
    expect(await signedCalls(client, real).call('POST', '/charge', 7)).toEqual({ by: 'billing', amount: 7 });
    const forged = await rejection(signedCalls(client, hmacClient({ key: 'billing', secret: 'not the secret', hmac: nodeHmac })).call('POST', '/charge', 7));
    expect([forged.code, forged.message]).toEqual([401, 'bad signature']);
    let kept: Value | undefined;
    const replaying: ClientAuth = { credentials: async (h, b) => (kept ??= await real.credentials(h, b)) };
    const again = signedCalls(client, replaying);
    expect(await again.call('POST', '/charge', 5)).toEqual({ by: 'billing', amount: 5 });
    const replay = await rejection(again.call('POST', '/charge', 5));
    expect([replay.code, replay.message]).toEqual([401, 'replayed nonce']);
  });
});

describe('nonces', () => {
  test('32 lowercase hex digits, unique across many refills of the 4 KiB pool', () => {
    const seen = new Set<string>();
    const count = 256 * 5 + 7; // 256 nonces per pool
    for (let i = 0; i < count; i++) {
      const nonce = randomNonce();
      expect(nonce).toMatch(/^[0-9a-f]{32}$/);
      seen.add(nonce);
    }
    expect(seen.size).toBe(count);
  });

  test("each of a client's messages has its own nonce, across refills", async () => {
    const client = hmacClient({ key: 'k', secret: SECRET, hmac: nodeHmac });
    const nonces = new Set<Value | undefined>();
    for (let i = 0; i < 600; i++) nonces.add(((await client.credentials({}, null)) as Map<string, Value>).get('nonce'));
    expect(nonces.size).toBe(600);
  });
});

describe('canonical form of text', () => {
  test('any key and name, ASCII or not, short or long, is its UTF-8 bytes', () => {
    const utf8 = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ maxLength: 70, unit: 'binary' }), (key) => {
        const k = utf8.encode(key);
        const inner = [...utf8.encode(`${k.length}:`), ...k, ...utf8.encode(',1:1#')];
        expect([...canonical(new Map([[key, 1]]))]).toEqual([...utf8.encode(`${inner.length}:`), ...inner, 0x7d]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('README: faster HMAC on Node', () => {
  test('the example signs and checks every call with node:crypto', async () => {
    const [a, b] = memoryPipe();
    const process = { env: { BILLING_SECRET: SECRET } as Record<string, string | undefined> };
    // As in the README:
    const keys = { billing: process.env.BILLING_SECRET! };
    const server = new Server({ name: 'ledger' });
    server.use(verifyCalls(hmacServer({ keys, hmac: nodeHmac })));
    // (the route and the client are the test's)
    server.route('POST', '/charge', (ctx) => ctx.body);
    open.push(server);
    void server.serve(b);
    const client = await Client.connect(a, { user: 'billing' });
    open.push(client);
    const signed = signedCalls(client, hmacClient({ key: 'billing', secret: keys.billing, hmac: nodeHmac }));
    expect(await signed.call('POST', '/charge', 12)).toBe(12);
    expect((await rejection(client.call('POST', '/charge', 12))).message).toBe('missing credentials');
  });
});
