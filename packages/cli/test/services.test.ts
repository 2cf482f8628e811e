import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float, sexpr, sym, keyword } from '@petrichor/wire';
import { RpcError, Server, authSchemes, bearerServer, hmacServer, type Peer } from '@petrichor/rpc';
import { listen, type Listener } from '@petrichor/transport/node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { killAll, run, start, waitForLine } from './run.js';

vi.setConfig({ testTimeout: 60_000 });
afterEach(killAll);

/** What the handlers saw, for the tests to check. */
const seen: { peers: Peer[]; slow: number; cancelled: unknown[] } = { peers: [], slow: 0, cancelled: [] };
/** Lets the streaming handler go on once the test has seen its first item printed. */
let releaseStream: () => void = () => {};

function service(options: ConstructorParameters<typeof Server>[0] = {}): Server {
  const server = new Server({ name: 'shop', version: '1.2.3', authorize: (peer) => void seen.peers.push(peer), ...options });
  server.route('GET', '/items/:id', (ctx) => ({ id: ctx.params.id!, name: 'tea', tags: ['green', 'loose'], price: new Float(2) }), {
    description: 'one item',
  });
  server.route('PUT', '/items', (ctx) => ctx.body, {
    description: 'add an item',
    body: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, price: { type: 'number' } } },
  });
  server.route('GET', '/missing', () => {
    throw RpcError.notFound('no such item', { id: 7 });
  });
  server.route('GET', '/boom', () => {
    throw new Error('a secret the caller must not see');
  });
  server.route('GET', '/count', async function* () {
    yield 1;
    await new Promise<void>((resolve) => (releaseStream = resolve));
    yield 2;
    yield 3;
  });
  server.route('GET', '/fails-midway', async function* () {
    yield 'one';
    yield 'two';
    throw new RpcError(409, 'changed while streaming');
  });
  server.route('PUT', '/sum', async (ctx) => {
    let sum = Number(ctx.body ?? 0);
    for await (const n of ctx.messages) sum += Number(n);
    return sum;
  });
  server.route('GET', '/whoami', (ctx) => ({ user: ctx.peer.user, scheme: ctx.peer.principal.scheme, meta: ctx.meta }));
  server.route('GET', '/slow', (ctx) => {
    seen.slow++;
    return new Promise((_, reject) => {
      ctx.signal.addEventListener('abort', () => {
        seen.cancelled.push(ctx.signal.reason);
        reject(ctx.signal.reason as Error);
      });
    });
  });
  server.route('GET', '/sexpr', () => [sym('like'), keyword('actor'), 'ana']);
  server.interface('events', { purpose: 'what happens to items', direction: 'send' });
  return server;
}

let dir = '';
let open: { server: Server; listener: Listener };
let guarded: { server: Server; listener: Listener };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'petrichor-cli-'));
  const plain = service();
  open = { server: plain, listener: await listen('tcp://127.0.0.1:0', (stream) => void plain.serve(stream)) };
  const auth = authSchemes({
    hmac: hmacServer({ keys: { ci: 'sekret' } }),
    bearer: bearerServer((token) => {
      if (token !== 'tok') throw RpcError.unauthenticated('bearer token rejected');
      return { scheme: 'bearer', id: 'tok-holder' };
    }),
  });
  const locked = service({ auth });
  guarded = { server: locked, listener: await listen(`unix://${join(dir, 'shop.sock')}`, (stream) => void locked.serve(stream)) };
});

afterAll(async () => {
  await Promise.all([open.server.close({ deadlineMs: 100 }), guarded.server.close({ deadlineMs: 100 })]);
  await Promise.all([open.listener.close({ graceMs: 0 }), guarded.listener.close({ graceMs: 0 })]);
  await rm(dir, { recursive: true, force: true });
});

describe('call: replies (spec/rpc.md §2, §3)', () => {
  it('prints a reply as canonical s-expression text, in every codec; --json as JSON', async () => {
    const url = open.listener.url;
    const expected = sexpr.stringify(new Map<string, unknown>([['id', '7'], ['name', 'tea'], ['tags', ['green', 'loose']], ['price', new Float(2)]]) as never);
    const [tnet, sexp, pack, json] = await Promise.all([
      run(['call', url, 'GET', '/items/7']),
      run(['call', url, 'GET', '/items/7', '--codec', 'sexpr']),
      run(['call', url, 'GET', '/items/7', '-c', 'msgpack']),
      run(['call', url, 'GET', '/items/7', '--json']),
    ]);
    expect(expected).toBe('{:id "7" :name "tea" :tags ("green" "loose") :price 2.0}');
    expect(tnet).toMatchObject({ code: 0, stdout: expected + '\n', stderr: '' });
    expect(sexp).toMatchObject({ code: 0, stdout: expected + '\n', stderr: '' });
    // msgpack cannot keep an integral float a float (spec/wire.md §4.4).
    expect(pack).toMatchObject({ code: 0, stdout: '{:id "7" :name "tea" :tags ("green" "loose") :price 2}\n' });
    expect(json).toMatchObject({ code: 0, stdout: '{"id":"7","name":"tea","tags":["green","loose"],"price":2.0}\n' });
  });

  it('sends BODY as an s-expression or JSON (or from stdin with -), --meta in the request', async () => {
    const url = open.listener.url;
    const [text, json, stdin, meta] = await Promise.all([
      run(['call', url, 'PUT', '/items', '{:name "tea" :price 2.5 :tags ("a")}']),
      run(['call', url, 'PUT', '/items', '{"name": "tea", "n": [1, null, true]}', '--json']),
      run(['call', url, 'PUT', '/items', '-'], { stdin: '{:name\n  "from stdin"}' }),
      run(['call', url, 'GET', '/whoami', '--meta', 'trace=abc', '-m', 'lang=en', '--user', 'ana']),
    ]);
    expect(text).toMatchObject({ code: 0, stdout: '{:name "tea" :price 2.5 :tags ("a")}\n' });
    expect(json).toMatchObject({ code: 0, stdout: '{"name":"tea","n":[1,null,true]}\n' });
    expect(stdin).toMatchObject({ code: 0, stdout: '{:name "from stdin"}\n' });
    expect(meta).toMatchObject({ code: 0, stdout: '{:user "ana" :scheme "none" :meta {:trace "abc" :lang "en"}}\n' });
  });

  it('symbols and keywords travel with --codec sexpr; in other codecs they are bad input (exit 4)', async () => {
    const url = open.listener.url;
    const [reply, refused] = await Promise.all([
      run(['call', url, 'GET', '/sexpr', '--codec', 'sexpr']),
      run(['call', url, 'PUT', '/items', '(like :actor "ana")']),
    ]);
    expect(reply).toMatchObject({ code: 0, stdout: '(like :actor "ana")\n' });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^petrichor: WIRE_UNENCODABLE: BODY: cannot encode \$\[0\]: symbols and keywords exist only in s-expressions\n/);
  });

  it('§3 an error reply exits 1 with its code, name and message on stderr (and its data)', async () => {
    const url = open.listener.url;
    const [missing, boom] = await Promise.all([run(['call', url, 'GET', '/missing']), run(['call', url, 'GET', '/boom', '--codec', 'sexpr'])]);
    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: 'petrichor: 404 NOT_FOUND: no such item\ndata: {:id 7}\n' });
    expect(boom).toMatchObject({ code: 1, stdout: '', stderr: 'petrichor: 500 INTERNAL: internal error\n' });
  });

  it('§2 a streaming reply prints item by item as the items arrive', async () => {
    const child = start(['call', open.listener.url, 'GET', '/count']);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    // The handler waits after its first item: the first line must come out before the rest exists.
    await waitForLine(child.stdout, /^1$/);
    expect(stdout).toBe('1\n');
    releaseStream();
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toBe('1\n2\n3\n');
  });

  it('§2 an error after some items: the items, then the error, exit 1', async () => {
    const { code, stdout, stderr } = await run(['call', open.listener.url, 'GET', '/fails-midway', '--json']);
    expect(code).toBe(1);
    expect(stdout).toBe('"one"\n"two"\n');
    expect(stderr).toBe('petrichor: 409 CONFLICT: changed while streaming\n');
  });

  it('--stdin streams lines up as the call\'s messages; a bad line is exit 4 and cancels the call', async () => {
    const url = open.listener.url;
    const [sum, json, bad] = await Promise.all([
      run(['call', url, 'PUT', '/sum', '10', '--stdin'], { stdin: '1\n2\n\n3\n' }),
      run(['call', url, 'PUT', '/sum', '--stdin', '--json'], { stdin: '1.5\r\n2.5\r\n' }),
      run(['call', url, 'PUT', '/sum', '--stdin'], { stdin: '1\n(2\n3\n' }),
    ]);
    expect(sum).toMatchObject({ code: 0, stdout: '16\n' });
    expect(json).toMatchObject({ code: 0, stdout: '4\n' });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/^petrichor: WIRE_MALFORMED: stdin line 2 is not an s-expression: .* at line 1, column 1\n/);
  });

  it('--timeout: no reply in time is 408 (exit 1); the server sees the deadline', async () => {
    const { code, stderr } = await run(['call', open.listener.url, 'GET', '/slow', '--timeout', '300']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^petrichor: 408 DEADLINE_EXCEEDED: /);
  });

  it('SIGINT cancels the call in flight: exit 130, the server sees 499', async () => {
    seen.cancelled.length = 0;
    const before = seen.slow;
    const child = start(['call', open.listener.url, 'GET', '/slow']);
    // Once the handler runs, the call is in flight (and the command's signal handlers are in place).
    await vi.waitFor(() => expect(seen.slow).toBe(before + 1), { timeout: 20_000, interval: 50 });
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    await vi.waitFor(() => expect(seen.cancelled).toEqual([expect.objectContaining({ code: 499 })]), { timeout: 5_000 });
  });
});

describe('call: connections, auth, usage (spec/rpc.md §1, §6)', () => {
  it('auth from flags or environment: bearer and HMAC reach the handler as who we are', async () => {
    const url = guarded.listener.url;
    const [bearer, hmac, envBearer] = await Promise.all([
      run(['call', url, 'GET', '/whoami', '--bearer', 'tok', '--user', 'ana']),
      run(['call', url, 'GET', '/whoami'], { env: { PETRICHOR_HMAC_KEY: 'ci', PETRICHOR_HMAC_SECRET: 'sekret', PETRICHOR_USER: 'ci-bot' } }),
      run(['call', url, 'GET', '/whoami', '--codec', 'msgpack'], { env: { PETRICHOR_BEARER: 'tok' } }),
    ]);
    expect(bearer).toMatchObject({ code: 0, stdout: '{:user "ana" :scheme "bearer" :meta {}}\n' });
    expect(hmac).toMatchObject({ code: 0, stdout: '{:user "ci-bot" :scheme "hmac" :meta {}}\n' });
    expect(envBearer).toMatchObject({ code: 0, stdout: '{:user "cli" :scheme "bearer" :meta {}}\n' });
  });

  it('a denied handshake, a refused connection: exit 3 with the stable code', async () => {
    const closed = await listen('tcp://127.0.0.1:0', () => {});
    const refusedUrl = closed.url;
    await closed.close();
    const url = guarded.listener.url;
    const [none, wrong, refused] = await Promise.all([
      run(['call', url, 'GET', '/whoami']),
      run(['call', url, 'GET', '/whoami', '--hmac-key', 'ci', '--hmac-secret', 'not-it']),
      run(['call', refusedUrl, 'GET', '/x']),
    ]);
    expect(none).toMatchObject({ code: 3, stdout: '', stderr: 'petrichor: RPC_HANDSHAKE_DENIED: handshake denied (401): missing credentials\n' });
    expect(wrong).toMatchObject({ code: 3, stderr: 'petrichor: RPC_HANDSHAKE_DENIED: handshake denied (401): bad signature\n' });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^petrichor: TRANSPORT_REFUSED: /);
  });

  it('usage and input errors come before any connection: exit 2 or 4', async () => {
    const url = open.listener.url;
    const cases = await Promise.all([
      run(['call', url, 'GET']),
      run(['call', url, 'GET', 'items']),
      run(['call', 'http://example.com', 'GET', '/']),
      run(['call', url, 'GET', '/', '--hmac-key', 'ci']),
      run(['call', url, 'GET', '/', '--bearer', 't', '--hmac-key', 'k', '--hmac-secret', 's']),
      run(['call', url, 'GET', '/', '--timeout', 'soon']),
      run(['call', url, 'GET', '/', '(a']),
      run(['call', url, 'GET', '/', '{"a":', '--json']),
    ]);
    expect(cases.map(({ code }) => code)).toEqual([2, 2, 2, 2, 2, 2, 4, 4]);
    expect(cases[0]!.stderr).toMatch(/^petrichor: call needs URL, VERB and PATH\nusage: petrichor call /);
    expect(cases[1]!.stderr).toMatch(/^petrichor: PATH must start with "\/", got "items"\n/);
    expect(cases[2]!.stderr).toMatch(/^petrichor: .*http:/);
    expect(cases[3]!.stderr).toMatch(/^petrichor: --hmac-key needs --hmac-secret\n/);
    expect(cases[4]!.stderr).toMatch(/^petrichor: give HMAC credentials or a bearer token, not both\n/);
    expect(cases[5]!.stderr).toMatch(/^petrichor: --timeout must be an integer from 1 to 2147483647, got "soon"\n/);
    expect(cases[6]!.stderr).toMatch(/^petrichor: WIRE_MALFORMED: BODY is not an s-expression: .* at line 1, column 1\n/);
    expect(cases[7]!.stderr).toMatch(/^petrichor: BODY is not JSON: /);
  });
});

describe('manifest (spec/rpc.md §7)', () => {
  it('connects the control interface only and prints interfaces, directions, routes, descriptions, schemas', async () => {
    seen.peers.length = 0;
    const { code, stdout, stderr } = await run(['manifest', open.listener.url]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'shop 1.2.3',
        '',
        'interface data (send+recv)',
        '  GET  /items/:id     one item',
        '  PUT  /items         add an item',
        '       body:',
        '         {',
        '           "type": "object",',
        '           "required": [',
        '             "name"',
        '           ],',
        '           "properties": {',
        '             "name": {',
        '               "type": "string"',
        '             },',
        '             "price": {',
        '               "type": "number"',
        '             }',
        '           }',
        '         }',
        '  GET  /missing',
        '  GET  /boom',
        '  GET  /count',
        '  GET  /fails-midway',
        '  PUT  /sum',
        '  GET  /whoami',
        '  GET  /slow',
        '  GET  /sexpr',
        '',
        'interface control (send+recv): describes this server',
        '  GET  /manifest  this manifest',
        '',
        'interface events (send): what happens to items',
        '  (no routes)',
        '',
      ].join('\n'),
    );
    expect(seen.peers.map((peer) => peer.interface)).toEqual(['control']);
  });

  it('--json prints the manifest as JSON; auth works as for call', async () => {
    const [open_, locked, denied] = await Promise.all([
      run(['manifest', open.listener.url, '--json']),
      run(['manifest', guarded.listener.url, '--json', '--bearer', 'tok', '--codec', 'sexpr']),
      run(['manifest', guarded.listener.url]),
    ]);
    expect(open_.code).toBe(0);
    const manifest = JSON.parse(open_.stdout) as { name: string; version: string; interfaces: { name: string; direction: string; routes: { verb: string; path: string; body?: unknown }[] }[] };
    expect(manifest.name).toBe('shop');
    expect(manifest.interfaces.map((iface) => [iface.name, iface.direction])).toEqual([['data', 'send+recv'], ['control', 'send+recv'], ['events', 'send']]);
    expect(manifest.interfaces[0]!.routes[1]).toEqual({
      verb: 'PUT',
      path: '/items',
      description: 'add an item',
      body: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, price: { type: 'number' } } },
    });
    expect(JSON.parse(locked.stdout)).toEqual(manifest);
    expect(denied.code).toBe(3);
  });
});

describe('serve --echo', () => {
  it('listens, prints its URL, echoes calls and streams, serves its manifest, stops on SIGTERM', async () => {
    const server = start(['serve', '--echo', 'tcp://127.0.0.1:0']);
    const line = await waitForLine(server.stdout, /^listening on /);
    const url = line.slice('listening on '.length);
    expect(url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    let log = '';
    server.stderr.setEncoding('utf8').on('data', (text: string) => (log += text));
    const [unary, streamed, gathered, manifest] = await Promise.all([
      run(['call', url, 'relate', '/any/path', '{:as "like" :n 1.0}']),
      run(['call', url, 'PUT', '/s', '"first"', '--stdin', '--codec', 'sexpr'], { stdin: '(a b)\n:k\n' }),
      run(['call', url, 'GET', '/j', '{"x": [1, 2]}', '--json', '--codec', 'msgpack']),
      run(['manifest', url]),
    ]);
    expect(unary).toMatchObject({ code: 0, stdout: '{:as "like" :n 1.0}\n' });
    expect(streamed).toMatchObject({ code: 0, stdout: '"first"\n(a b)\n:k\n' });
    expect(gathered).toMatchObject({ code: 0, stdout: '{"x":[1,2]}\n' });
    expect(manifest.stdout).toMatch(/^petrichor-echo \d+\.\d+\.\d+\n\ninterface data \(send\+recv\): echoes every call/);
    expect(log).toContain('relate /any/path {:as "like" :n 1.0} (cli, tnetstring)\n');
    server.kill('SIGTERM');
    const code = await new Promise((resolve) => server.on('close', resolve));
    expect(code).toBe(0);
    expect(log).toContain('petrichor: stopping (SIGTERM)\n');
  });

  it('on a unix socket, requiring a bearer token; SIGINT stops it', async () => {
    const socket = join(dir, 'echo.sock');
    const server = start(['serve', '--echo', `unix://${socket}`, '--bearer', 's3cret', '--quiet']);
    const url = (await waitForLine(server.stdout, /^listening on /)).slice('listening on '.length);
    expect(url).toBe(`unix://${socket}`);
    const [denied, allowed] = await Promise.all([run(['call', url, 'GET', '/', '42']), run(['call', url, 'GET', '/', '42', '--bearer', 's3cret'])]);
    expect(denied.code).toBe(3);
    expect(allowed).toMatchObject({ code: 0, stdout: '42\n' });
    server.kill('SIGINT');
    expect(await new Promise((resolve) => server.on('close', resolve))).toBe(0);
  });

  it('needs --echo and one URL (exit 2); an address in use is exit 3', async () => {
    const [noEcho, noUrl, busy] = await Promise.all([
      run(['serve', 'tcp://127.0.0.1:0']),
      run(['serve', '--echo']),
      run(['serve', '--echo', open.listener.url]),
    ]);
    expect(noEcho.code).toBe(2);
    expect(noEcho.stderr).toMatch(/^petrichor: serve needs a service to run: --echo\n/);
    expect(noUrl.code).toBe(2);
    expect(busy.code).toBe(3);
    expect(busy.stderr).toMatch(/^petrichor: TRANSPORT_ADDRESS_IN_USE: /);
  });
});
