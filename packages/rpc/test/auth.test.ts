import { createHmac } from 'node:crypto';
import { Float, keyword, sym, tnetstring, UnencodableError, type Value } from '@petrichor/wire';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { RpcError, type Principal, type ServerAuth } from '../src/index.js';
import { authSchemes, bearerClient, bearerServer } from '../src/auth/bearer.js';
import { canonical } from '../src/auth/canonical.js';
import { hmacClient, hmacServer, signedBytes, type HmacSecret } from '../src/auth/hmac.js';
import { NonceCache } from '../src/auth/nonce-cache.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
type Header = Readonly<Record<string, Value>>;

/** The worked example of spec/rpc.md §6.2. */
const EXAMPLE = {
  key: 'blog-2025',
  secret: 'shared secret of at least 32 bytes!',
  ts: 1767225600000,
  nonce: '000102030405060708090a0b0c0d0e0f',
  header: { petrichor: 1, user: 'blog', ident: '9b2c4f0e6d8a4b1c8e3f5a7d9c1b2e4f', version: '1.4.2', codec: 'sexpr' } as Header,
  signed:
    '220:4:auth,100:3:key,9:blog-2025,5:nonce,32:000102030405060708090a0b0c0d0e0f,6:scheme,4:hmac,2:ts,13:1767225600000#}' +
    '5:codec,5:sexpr,5:ident,32:9b2c4f0e6d8a4b1c8e3f5a7d9c1b2e4f,9:petrichor,1:1#4:user,4:blog,7:version,5:1.4.2,}0:~',
  sig: '1ea36a508f42622395e24da0eb4614f940f47ee0a06b0cca5757324be3618590',
};

/** A clock the test moves by hand. */
function clock(start = EXAMPLE.ts): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

let counter = 0;
const nextNonce = (): string => (counter++).toString(16).padStart(32, '0');

function client(time = clock(), secret: HmacSecret = EXAMPLE.secret, key = EXAMPLE.key) {
  return hmacClient({ key, secret, now: time.now, nonce: nextNonce });
}

/** Signs `header`/`body` and returns the header as it travels, with `auth` in it. */
async function signed(header: Header, body: Value, time = clock(), secret: HmacSecret = EXAMPLE.secret): Promise<Record<string, Value>> {
  const auth = await client(time, secret).credentials(header, body);
  return { ...header, auth };
}

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

function check(server: ServerAuth, header: Header, body: Value): Promise<Principal> {
  return server.authenticate(header['auth'], header, body);
}

describe('spec/rpc.md §6.2 the canonical form', () => {
  test('dict keys sorted bytewise at every depth, whatever the insertion order', () => {
    const a = canonical({ z: 1, a: [true, { y: null, b: 'x' }], é: 2, B: 3 });
    const b = canonical(new Map<string, Value>([['B', 3], ['é', 2], ['a', [true, new Map<string, Value>([['b', 'x'], ['y', null]])]], ['z', 1]]));
    expect(text(a)).toBe('59:1:B,1:3#1:a,26:4:true!15:1:b,1:x,1:y,0:~}]1:z,1:1#2:é,1:2#}');
    expect(b).toEqual(a);
  });

  test('a proper prefix sorts first; bytes and text are one kind; integers and floats are not', () => {
    expect(text(canonical({ ab: 1, a: 2 }))).toBe('17:1:a,1:2#2:ab,1:1#}');
    expect(canonical(new TextEncoder().encode('hé'))).toEqual(canonical('hé'));
    expect(text(canonical([1, new Float(1), 1.5, -0]))).toBe('23:1:1#3:1.0^3:1.5^4:-0.0^]');
  });

  test("symbols are LEN:name' and keywords LEN:name:, distinct from text", () => {
    expect(text(canonical([sym('GET'), keyword('GET'), 'GET']))).toBe("18:3:GET'3:GET:3:GET,]");
  });

  test('refuses what has no form, and two keys of the same bytes', () => {
    expect(() => canonical(Number.NaN)).toThrow(UnencodableError);
    const twins = new Map<string | Uint8Array, Value>([['a', 1], [new TextEncoder().encode('a'), 2]]);
    expect(() => canonical(twins)).toThrow(UnencodableError);
  });

  test('the worked example: signed bytes and signature, checked against node:crypto', async () => {
    const time = clock();
    const auth = await hmacClient({ key: EXAMPLE.key, secret: EXAMPLE.secret, now: time.now, nonce: () => EXAMPLE.nonce }).credentials(EXAMPLE.header, null);
    const bytes = signedBytes(EXAMPLE.header, auth, null);
    expect(text(bytes)).toBe(EXAMPLE.signed);
    const independent = createHmac('sha256', EXAMPLE.secret).update(bytes).digest('hex');
    expect(independent).toBe(EXAMPLE.sig);
    expect(auth).toEqual(new Map<string, Value>([['scheme', 'hmac'], ['key', EXAMPLE.key], ['ts', EXAMPLE.ts], ['nonce', EXAMPLE.nonce], ['sig', EXAMPLE.sig]]));
    const server = hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret }, now: time.now });
    await expect(check(server, { ...EXAMPLE.header, auth }, null)).resolves.toEqual({ scheme: 'hmac', id: EXAMPLE.key });
  });
});

describe('spec/rpc.md §6.3 HMAC verification', () => {
  const header: Header = { petrichor: 1, user: 'search', ident: 'abc', version: '2.0.0', codec: 'tnetstring' };
  const body: Value = { hello: ['world', 42] };

  test('a good signature authenticates as the key id', async () => {
    const time = clock();
    const server = hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret, other: 'another secret' }, now: time.now });
    await expect(check(server, await signed(header, body, time), body)).resolves.toEqual({ scheme: 'hmac', id: EXAMPLE.key });
  });

  test('a lookup function and byte secrets work too', async () => {
    const time = clock();
    const secret = new Uint8Array(32).fill(7);
    const server = hmacServer({ keys: async (key) => (key === EXAMPLE.key ? secret : undefined), now: time.now });
    await expect(check(server, await signed(header, body, time, secret), body)).resolves.toMatchObject({ id: EXAMPLE.key });
  });

  test('the header as a lossless decoder hands it over (a Map of byte strings) verifies the same', async () => {
    const time = clock();
    const server = hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret }, now: time.now });
    const wire = tnetstring.encode(await signed(header, body, time));
    const lossless = tnetstring.decode(wire) as ReadonlyMap<string, Value>;
    expect(lossless.get('user')).toBeInstanceOf(Uint8Array);
    const principal = await server.authenticate(lossless.get('auth'), lossless as unknown as Header, tnetstring.decode(tnetstring.encode(body)));
    expect(principal.id).toBe(EXAMPLE.key);
  });

  test('the wrong secret, an unknown key id', async () => {
    const time = clock();
    const server = hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret }, now: time.now });
    expect((await rejection(check(server, await signed(header, body, time, 'not the secret'), body))).message).toBe('bad signature');
    const stranger = { ...header, auth: await client(time, EXAMPLE.secret, 'stranger').credentials(header, body) };
    const error = await rejection(check(server, stranger, body));
    expect([error.code, error.message]).toEqual([401, 'unknown key']);
  });

  test('a tampered header, a tampered body, a tampered auth field', async () => {
    const time = clock();
    const server = hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret }, now: time.now });
    const good = await signed(header, body, time);
    const tampered = [
      check(server, { ...good, user: 'admin' }, body),
      check(server, { ...good, extra: true }, body),
      check(server, good, { hello: ['world', 43] }),
      check(server, good, null),
      check(server, { ...good, auth: new Map([...(good['auth'] as Map<string, Value>), ['ts', EXAMPLE.ts + 1]]) }, body),
    ];
    for (const error of await Promise.all(tampered.map(rejection))) expect([error.code, error.message]).toEqual([401, 'bad signature']);
  });

  test('timestamps: inside the window both ways, expired, in the future', async () => {
    const time = clock();
    const server = hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret }, replayWindowMs: 1000, now: time.now });
    const at = (offset: number) => clock(EXAMPLE.ts + offset);
    await expect(check(server, await signed(header, body, at(-1000)), body)).resolves.toBeDefined();
    await expect(check(server, await signed(header, body, at(1000)), body)).resolves.toBeDefined();
    const expired = await rejection(check(server, await signed(header, body, at(-1001)), body));
    expect([expired.code, expired.message]).toEqual([401, 'timestamp expired']);
    const future = await rejection(check(server, await signed(header, body, at(1001)), body));
    expect([future.code, future.message]).toEqual([401, 'timestamp in the future']);
  });

  test('a replay inside the window is refused; after it, the timestamp refuses it', async () => {
    const time = clock();
    const server = hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret }, replayWindowMs: 1000, now: time.now });
    const message = await signed(header, body, time);
    await expect(check(server, message, body)).resolves.toBeDefined();
    time.advance(999);
    expect((await rejection(check(server, message, body))).message).toBe('replayed nonce');
    time.advance(2);
    expect((await rejection(check(server, message, body))).message).toBe('timestamp expired');
  });

  test('missing and malformed credentials have their own messages', async () => {
    const server = hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret }, now: clock().now });
    const good = (await signed(header, body)).auth as Map<string, Value>;
    const cases: [Value | undefined, string][] = [
      [undefined, 'missing credentials'],
      [null, 'missing credentials'],
      ['hmac', 'expected hmac credentials'],
      [{ scheme: 'bearer', token: 'x' }, 'expected hmac credentials'],
      [new Map([...good, ['key', '']]), 'malformed hmac credentials: key'],
      [new Map([...good, ['ts', 1.5]]), 'malformed hmac credentials: ts'],
      [new Map([...good, ['nonce', 'short']]), 'malformed hmac credentials: nonce'],
      [new Map([...good, ['sig', 'AB'.repeat(32)]]), 'malformed hmac credentials: sig'],
    ];
    for (const [auth, message] of cases) {
      const error = await rejection(server.authenticate(auth, header, body));
      expect([error.code, error.message]).toEqual([401, message]);
    }
  });

  test('the nonce cache is bounded: full refuses with 503 until nonces expire', async () => {
    const time = clock();
    const server = hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret }, replayWindowMs: 1000, maxNonces: 3, now: time.now });
    for (let i = 0; i < 3; i++) await check(server, await signed(header, body, time), body);
    const full = await rejection(check(server, await signed(header, body, time), body));
    expect([full.code, full.message]).toEqual([503, 'too many recent nonces: try again']);
    time.advance(1001); // the three leave the window, and the cache
    await expect(check(server, await signed(header, body, time), body)).resolves.toBeDefined();
  });

  test('options are checked', () => {
    expect(() => hmacServer({ keys: {}, replayWindowMs: 0 })).toThrow(RangeError);
    expect(() => hmacServer({ keys: {}, maxNonces: 0 })).toThrow(RangeError);
    expect(() => hmacServer({ keys: { k: '' } })).toThrow(RangeError);
    expect(() => hmacClient({ key: '', secret: 's' })).toThrow(RangeError);
  });
});

describe('spec/rpc.md §6.4 the nonce cache', () => {
  test('expires by age, in expiry order, whatever the insertion order', () => {
    const cache = new NonceCache(3);
    expect(cache.admit('c', 300, 0)).toBe('fresh');
    expect(cache.admit('a', 100, 0)).toBe('fresh');
    expect(cache.admit('b', 200, 0)).toBe('fresh');
    expect(cache.admit('a', 100, 50)).toBe('replayed');
    expect(cache.admit('d', 400, 100)).toBe('full'); // 'a' expires after 100, not at it
    expect(cache.admit('d', 400, 101)).toBe('fresh'); // 'a' gone
    expect(cache.admit('a', 500, 101)).toBe('full');
    expect(cache.admit('a', 500, 201)).toBe('fresh'); // 'b' gone
    expect(cache.admit('c', 500, 250)).toBe('replayed');
    expect(cache.size).toBe(3);
  });

  test('property: against a model, never forgets an unexpired nonce and never holds more than the bound', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ nonce: fc.integer({ min: 0, max: 20 }), life: fc.integer({ min: 0, max: 50 }), step: fc.integer({ min: 0, max: 10 }) }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        (ops, max) => {
          const cache = new NonceCache(max);
          const model = new Map<string, number>();
          let now = 0;
          for (const { nonce, life, step } of ops) {
            now += step;
            for (const [k, at] of model) if (at < now) model.delete(k);
            const key = String(nonce);
            const expected = model.has(key) ? 'replayed' : model.size >= max ? 'full' : 'fresh';
            if (expected === 'fresh') model.set(key, now + life);
            expect(cache.admit(key, now + life, now)).toBe(expected);
            expect(cache.size).toBeLessThanOrEqual(max);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('spec/rpc.md §6.3 properties', () => {
  const key = fc.string({ maxLength: 6 });
  const scalar = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isSafeInteger(x) || Object.is(x, -0)),
    fc.integer({ min: -1000, max: 1000 }).map((x) => new Float(x)),
    fc.string({ maxLength: 12 }),
  );
  const value: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  test('sign, send as a tnetstring, decode either way (lossless or text+objects): verifies', async () => {
    const time = clock();
    const server = hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret }, now: time.now });
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 5 }), value, async (header, body) => {
        const sent = await signed(header, body, time);
        const wire = tnetstring.encode([sent, body]);
        const [h1, b1] = tnetstring.decode(wire) as [Header, Value];
        const [h2, b2] = tnetstring.decode(wire, { text: true, objects: true }) as [Header, Value];
        const lossless = (h1 as unknown as Map<string, Value>).get('auth');
        await expect(server.authenticate(lossless, h1, b1)).resolves.toBeDefined();
        // The same message again is a replay: the nonce was remembered.
        expect((await rejection(server.authenticate(h2['auth'], h2, b2))).message).toBe('replayed nonce');
      }),
      { numRuns: 100 },
    );
  });

  test('any single-byte change to the signed message fails verification (or decoding)', async () => {
    const time = clock();
    const server = hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret }, now: time.now });
    const header: Header = { petrichor: 1, user: 'blog', ident: 'x1', version: '1.0.0', codec: 'tnetstring', meta: { trace: [1, 2.5] } };
    const body: Value = { post: 'hello', tags: ['a', 'b'], n: -12 };
    const wire = tnetstring.encode([await signed(header, body, time), body]);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: wire.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, delta) => {
        const changed = wire.slice();
        changed[at] = (changed[at]! + delta) & 0xff;
        let decoded: [Header, Value];
        try {
          decoded = tnetstring.decode(changed, { text: true, objects: true }) as [Header, Value];
        } catch {
          return; // does not decode: refused before auth
        }
        if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] === null || typeof decoded[0] !== 'object') return;
        const [h, b] = decoded;
        await expect(server.authenticate(h['auth'], h, b)).rejects.toBeInstanceOf(RpcError);
      }),
      { numRuns: 400 },
    );
  });
});

describe('spec/rpc.md §6.5 bearer tokens', () => {
  const header: Header = { user: 'reader' };
  const verify = async (token: string): Promise<Principal> => {
    if (token === 'good') return { scheme: 'none', id: 'alice', claims: { role: 'reader' } };
    if (token === 'banned') throw new RpcError(403, 'account suspended');
    throw new Error('unknown token');
  };

  test('a good token authenticates; its principal is a bearer one', async () => {
    const auth = await bearerClient('good').credentials(header, null);
    expect(auth).toEqual(new Map([['scheme', 'bearer'], ['token', 'good']]));
    await expect(bearerServer(verify).authenticate(auth, header, null)).resolves.toEqual({ scheme: 'bearer', id: 'alice', claims: { role: 'reader' } });
  });

  test('a token function is asked on every handshake (refresh)', async () => {
    let n = 0;
    const auth = bearerClient(async () => `t${++n}`);
    expect(await auth.credentials(header, null)).toEqual(new Map([['scheme', 'bearer'], ['token', 't1']]));
    expect(await auth.credentials(header, null)).toEqual(new Map([['scheme', 'bearer'], ['token', 't2']]));
  });

  test('denied: unknown token 401, RpcError from verify passes through, missing and malformed 401', async () => {
    const server = bearerServer(verify);
    const cases: [Value | undefined, number, string][] = [
      [new Map([['scheme', 'bearer'], ['token', 'bad']]), 401, 'bearer token rejected'],
      [{ scheme: 'bearer', token: 'banned' }, 403, 'account suspended'],
      [undefined, 401, 'missing credentials'],
      [{ scheme: 'bearer' }, 401, 'malformed bearer credentials: token'],
      [{ scheme: 'hmac', key: 'k' }, 401, 'expected bearer credentials'],
    ];
    for (const [auth, code, message] of cases) {
      const error = await rejection(server.authenticate(auth, header, null));
      expect([error.code, error.message]).toEqual([code, message]);
    }
    await expect(bearerClient('').credentials(header, null)).rejects.toThrow(RangeError);
  });

  test('authSchemes picks the checker by scheme', async () => {
    const time = clock();
    const server = authSchemes({ hmac: hmacServer({ keys: { [EXAMPLE.key]: EXAMPLE.secret }, now: time.now }), bearer: bearerServer(verify) });
    const hmacHeader = await signed(header, null, time);
    await expect(check(server, hmacHeader, null)).resolves.toMatchObject({ scheme: 'hmac' });
    await expect(server.authenticate({ scheme: 'bearer', token: 'good' }, header, null)).resolves.toMatchObject({ scheme: 'bearer' });
    expect((await rejection(server.authenticate({ scheme: 'basic' }, header, null))).message).toBe('unsupported auth scheme');
    expect((await rejection(server.authenticate(undefined, header, null))).message).toBe('missing credentials');
  });
});
