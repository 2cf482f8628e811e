/**
 * spec/rpc.md §10.1–§10.4 with real HTTP requests: methods and verbs, paths and the query, every
 * body type both ways, Accept negotiation, the limits, and each error status.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RpcError, Server } from '@petrichor/rpc';
import { codecs, tnetstring } from '@petrichor/wire';
import { serveHttp, type HttpServerHandle } from '@petrichor/http';
import { ask } from './helpers.js';

const errors: unknown[] = [];
const seen: string[] = [];
let front: HttpServerHandle;
let small: HttpServerHandle;

beforeAll(async () => {
  const server = new Server({ onError: (error) => errors.push(error) });
  server.use(async (ctx, next) => {
    seen.push(`${ctx.verb} ${ctx.path}`);
    return next();
  });
  server.route('HEAD', '/ping', () => 'pong');
  server.route('GET', '/users/:id', (ctx) => {
    if (ctx.params['id'] !== '7' && ctx.params['id'] !== 'a b') throw RpcError.notFound(`no user ${ctx.params['id']}`);
    return { id: ctx.params['id']!, name: 'ana' };
  });
  server.route('relate', '/users/:id', (ctx) => `related ${ctx.params['id']} to ${String(ctx.body)}`);
  server.route('POST', '/echo', (ctx) => ctx.body);
  server.route('GET', '/search', (ctx) => ctx.header['params' as never] ?? null);
  server.route('GET', '/fail/:code', (ctx) => {
    throw new RpcError(Number(ctx.params['code']), `failed with ${ctx.params['code']}`);
  });
  server.route('GET', '/boom', () => {
    throw new Error('secret: the database password is hunter2');
  });
  server.route('GET', '/slow', (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))));
  server.route('GET', '/bytes', () => new Uint8Array([1, 2, 3]));
  front = await serveHttp(server);
  small = await serveHttp(server, { maxBodyBytes: 64 });
});

afterAll(async () => {
  await front.close();
  await small.close();
});

const tree = { name: 'ana', tags: ['a', 'b'], n: 7, ratio: 2.5, ok: true, none: null };

/** The tree as each client would write it, by hand (not through this package). */
const bodies: Record<string, string | Uint8Array> = {
  'application/json': '{"name":"ana","tags":["a","b"],"n":7,"ratio":2.5,"ok":true,"none":null}',
  'application/sexp': '{:name "ana" :tags ("a" "b") :n 7 :ratio 2.5 :ok true :none nil}',
  'application/x-tnetstring': tnetstring.encode(tree),
};

/** A reply body read by the codecs themselves. */
function parse(type: string, body: Buffer): unknown {
  if (type === 'application/json') return JSON.parse(body.toString('utf8'));
  if (type === 'application/sexp') return codecs.sexpr.decode(body, { objects: true });
  return codecs.tnetstring.decode(body, { text: true, objects: true });
}

describe('body types both ways (§10.3)', () => {
  for (const from of Object.keys(bodies)) {
    for (const to of Object.keys(bodies)) {
      test(`${from} in, ${to} out`, async () => {
        const answer = await ask(`${front.url}/echo`, { method: 'POST', headers: { 'content-type': from, accept: to }, body: bodies[from]! });
        expect(answer.status).toBe(200);
        expect(answer.headers['content-type']).toBe(to);
        expect(parse(to, answer.body)).toEqual(tree);
      });
    }
  }

  test('the reply texts are what a reader expects', async () => {
    const sexp = await ask(`${front.url}/users/7`, { headers: { accept: 'application/sexp' } });
    expect(sexp.text).toBe('{:id "7" :name "ana"}');
    const tnet = await ask(`${front.url}/users/7`, { headers: { accept: 'application/x-tnetstring' } });
    expect(tnet.text).toBe('22:2:id,1:7,4:name,3:ana,}');
    const json = await ask(`${front.url}/users/7`);
    expect(json.text).toBe('{"id":"7","name":"ana"}');
    expect(json.headers['content-length']).toBe(String(json.body.length));
  });

  test('an empty body is null; Content-Type parameters are ignored', async () => {
    expect((await ask(`${front.url}/echo`, { method: 'POST' })).text).toBe('null');
    const answer = await ask(`${front.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '[1]' });
    expect(answer.text).toBe('[1]');
  });

  test('bytes: base64 in JSON, refused by s-expressions (500, told to onError)', async () => {
    expect((await ask(`${front.url}/bytes`)).text).toBe('"AQID"');
    const before = errors.length;
    const sexp = await ask(`${front.url}/bytes`, { headers: { accept: 'application/sexp' } });
    expect([sexp.status, sexp.text]).toEqual([500, '(err :code 500 :message "internal error")']);
    expect(errors.length).toBe(before + 1);
  });
});

describe('Accept negotiation (§10.3)', () => {
  const cases: [string | undefined, string | undefined, string][] = [
    [undefined, undefined, 'application/json'],
    ['*/*', undefined, 'application/json'],
    ['*/*', 'application/sexp', 'application/sexp'],
    [undefined, 'application/x-tnetstring', 'application/x-tnetstring'],
    ['application/sexp;q=0.5, application/json;q=0.9', undefined, 'application/json'],
    ['application/*;q=0.2, application/x-tnetstring', undefined, 'application/x-tnetstring'],
    ['application/x-ndjson', 'application/sexp', 'application/json'],
    ['text/html, application/sexp;q=0.1', undefined, 'application/sexp'],
    ['*/*;q=0.1, application/json;q=0', 'application/json', 'application/sexp'],
  ];
  for (const [accept, contentType, expected] of cases) {
    test(`Accept ${accept ?? '(none)'} with Content-Type ${contentType ?? '(none)'} → ${expected}`, async () => {
      const headers: Record<string, string> = {};
      if (accept !== undefined) headers['accept'] = accept;
      if (contentType !== undefined) headers['content-type'] = contentType;
      const body = contentType === undefined ? undefined : contentType === 'application/sexp' ? '1' : contentType === 'application/json' ? '1' : '1:1#';
      const answer = await ask(`${front.url}/echo`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe(expected);
    });
  }

  test('406 when none fits, with the error in JSON', async () => {
    for (const accept of ['text/html', 'application/json;q=0, application/sexp;q=0, application/x-tnetstring;q=0', 'image/*']) {
      const answer = await ask(`${front.url}/users/7`, { headers: { accept } });
      expect(answer.status).toBe(406);
      expect(answer.headers['content-type']).toBe('application/json');
      expect(JSON.parse(answer.text)).toEqual({
        err: { code: 406, message: 'Accept takes none of application/json, application/sexp, application/x-tnetstring' },
      });
    }
  });

  test('415 for a body of another type, 400 for a body that does not read', async () => {
    const plain = await ask(`${front.url}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(plain.status).toBe(415);
    expect(JSON.parse(plain.text).err.message).toBe('Content-Type must be one of application/json, application/sexp, application/x-tnetstring');
    const untyped = await ask(`${front.url}/echo`, { method: 'POST', body: '{}' });
    expect(untyped.status).toBe(415);
    const json = await ask(`${front.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.text).err.message).toMatch(/^the body is not JSON/);
    const sexp = await ask(`${front.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/sexp', accept: 'application/sexp' }, body: '(a' });
    expect(sexp.status).toBe(400);
    expect(sexp.text).toMatch(/^\(err :code 400 :message "/);
    const tnet = await ask(`${front.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/x-tnetstring' }, body: '5:ab,' });
    expect(tnet.status).toBe(400);
  });
});

describe('methods, verbs, paths and the query (§10.1, §10.2)', () => {
  test('POST with Petrichor-Verb calls any verb; the query is params; paths are percent-decoded', async () => {
    const relate = await ask(`${front.url}/users/7`, {
      method: 'POST',
      headers: { 'petrichor-verb': 'relate', 'content-type': 'application/sexp', accept: 'application/sexp' },
      body: '"post/9"',
    });
    expect([relate.status, relate.text]).toEqual([200, '"related 7 to post/9"']);
    const search = await ask(`${front.url}/search?q=rain&tag=a&tag=b&empty=`);
    expect(JSON.parse(search.text)).toEqual({ q: 'rain', tag: ['a', 'b'], empty: '' });
    expect((await ask(`${front.url}/search`)).text).toBe('null');
    expect(JSON.parse((await ask(`${front.url}/users/a%20b`)).text)).toEqual({ id: 'a b', name: 'ana' });
  });

  test('HEAD is GET without the body, unless a route takes HEAD', async () => {
    const head = await ask(`${front.url}/users/7`, { method: 'HEAD' });
    expect([head.status, head.headers['content-type'], head.text]).toEqual([200, 'application/json', '']);
    expect(head.headers['content-length']).toBe(String('{"id":"7","name":"ana"}'.length));
    const own = await ask(`${front.url}/ping`, { method: 'HEAD' });
    expect(own.status).toBe(200);
    expect(seen.at(-1)).toBe('HEAD /ping');
    expect((await ask(`${front.url}/nowhere`, { method: 'HEAD' })).status).toBe(404);
  });

  test('the server middleware runs for HTTP calls as for socket calls', async () => {
    await ask(`${front.url}/users/7`);
    expect(seen.at(-1)).toBe('GET /users/7');
  });

  test('400 for a verb header on another method, a bad verb, an encoded "/", a bad timeout', async () => {
    const cases: [string, Record<string, string>, string, string][] = [
      ['/users/7', { 'petrichor-verb': 'relate' }, 'GET', 'Petrichor-Verb goes with POST only'],
      ['/users/7', { 'petrichor-verb': '(x)' }, 'POST', 'Petrichor-Verb must be a verb (a symbol name)'],
      ['/users/a%2Fb', {}, 'GET', 'the path may not hold an encoded "/"'],
      ['/users/%ff', {}, 'GET', 'the path is not valid percent-encoded UTF-8'],
      ['/users/7', { 'petrichor-timeout': 'soon' }, 'GET', 'Petrichor-Timeout must be a number of milliseconds'],
    ];
    for (const [path, headers, method, message] of cases) {
      const answer = await ask(`${front.url}${path}`, { method, headers });
      expect([answer.status, JSON.parse(answer.text)]).toEqual([400, { err: { code: 400, message } }]);
    }
  });
});

describe('errors as statuses (§10.4)', () => {
  test('404 and 405 with Allow', async () => {
    const missing = await ask(`${front.url}/nowhere`, { headers: { accept: 'application/sexp' } });
    expect([missing.status, missing.text]).toEqual([404, '(err :code 404 :message "no route for GET /nowhere")']);
    const wrong = await ask(`${front.url}/users/7`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers['allow']).toBe('GET, relate');
    expect(JSON.parse(wrong.text)).toEqual({ err: { code: 405, message: 'DELETE is not allowed on /users/7' } });
  });

  test('a thrown RpcError is its status, the error model the body', async () => {
    for (const code of [400, 401, 403, 404, 409, 418, 429, 503, 504]) {
      const answer = await ask(`${front.url}/fail/${code}`, { headers: { accept: 'application/sexp' } });
      expect(answer.status).toBe(code);
      expect(answer.text).toBe(`(err :code ${code} :message "failed with ${code}")`);
      if (code === 401) expect(answer.headers['www-authenticate']).toBe('Bearer realm="petrichor"');
    }
    // A code that is no HTTP error status still answers, as 500, with the code in the body.
    const odd = await ask(`${front.url}/fail/299`);
    expect([odd.status, JSON.parse(odd.text)]).toEqual([500, { err: { code: 299, message: 'failed with 299' } }]);
  });

  test('a handler that throws: 500 "internal error", no message, no stack; onError gets the original', async () => {
    const before = errors.length;
    const answer = await ask(`${front.url}/boom`);
    expect(answer.status).toBe(500);
    expect(answer.text).toBe('{"err":{"code":500,"message":"internal error"}}');
    expect(answer.text).not.toMatch(/secret|hunter2|at /);
    expect((errors[before] as Error).message).toBe('secret: the database password is hunter2');
  });

  test('Petrichor-Timeout: past the deadline the handler is stopped and the answer is 408', async () => {
    const answer = await ask(`${front.url}/slow`, { headers: { 'petrichor-timeout': '20', accept: 'application/x-tnetstring' } });
    expect(answer.status).toBe(408);
    expect(codecs.tnetstring.decode(answer.body, { text: true, objects: true })).toEqual({ err: { code: 408, message: 'deadline exceeded' } });
  });

  test('413 past maxBodyBytes, by Content-Length or while reading a chunked body; the connection is closed', async () => {
    const declared = await ask(`${small.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify('x'.repeat(100)) });
    expect(declared.status).toBe(413);
    expect(declared.headers['connection']).toBe('close');
    expect(JSON.parse(declared.text)).toEqual({ err: { code: 413, message: 'the body is larger than 64 bytes' } });
    const chunked = await ask(`${small.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      chunks: ['"', 'x'.repeat(40), 'x'.repeat(40), '"'],
    });
    expect(chunked.status).toBe(413);
    const fits = await ask(`${small.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, chunks: ['"', 'x'.repeat(30), '"'] });
    expect([fits.status, fits.text]).toEqual([200, `"${'x'.repeat(30)}"`]);
  });
});
