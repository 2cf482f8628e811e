import { describe, expect, test, vi } from 'vitest';
import { memoryPipe } from '@petrichor/mux';
import { MessageDecoder, encodeMessage, msgpackCodec, sexprCodec, tnetstringCodec, type Value } from '@petrichor/wire';
import { Client as CodecClient } from '../src/index.js';
import {
  Client,
  HandshakeDeniedError,
  HandshakeError,
  HandshakeTimeoutError,
  RpcError,
  Server,
  type ClientAuth,
  type Principal,
  type ServerAuth,
} from '@petrichor/rpc/all';
import { PreambleStream } from '../src/handshake/preamble.js';
import { memoryPair, scriptedStream, tick, until } from './helpers/setup.js';
import { recordingStream } from './helpers/recording.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Runs `server.serve` on a scripted stream fed `bytes`; returns the decoded answer. */
async function answerTo(server: Server, bytes: Uint8Array): Promise<{ header: Record<string, Value>; body: Value; closed: boolean }> {
  const script = scriptedStream();
  const served = server.serve(script.stream);
  script.push(bytes);
  const session = await served;
  expect(session).toBeNull();
  const decoder = new MessageDecoder({ text: true, objects: true });
  const messages = script.sent.flatMap((chunk) => [...decoder.push(chunk)]);
  expect(messages).toHaveLength(1);
  return { header: messages[0]!.header as Record<string, Value>, body: messages[0]!.body, closed: script.closed() };
}

function hello(fields: Record<string, Value>, body: Value = null): Uint8Array {
  return encodeMessage({ petrichor: 1, user: 'ana', ident: 'abc123', version: '1.0', codec: 'tnetstring', ...fields }, body);
}

describe('spec/rpc.md §1 the handshake: allowed', () => {
  test('the client learns the server, the server learns the client', async () => {
    const server = new Server({ version: '2.5', ident: 'srv1', welcome: (peer) => `WELCOME ${peer.user}` });
    const { client, session, close } = await memoryPair(server, { user: 'ana', version: '1.0', hello: { lang: 'en' } });
    expect(client.server).toMatchObject({ ident: 'srv1', version: '2.5', codec: 'tnetstring' });
    expect(client.welcome).toBe('WELCOME ana');
    expect(session.peer).toMatchObject({
      user: 'ana',
      version: '1.0',
      codec: 'tnetstring',
      interface: 'data',
      principal: { scheme: 'none', id: 'ana' },
      body: { lang: 'en' },
    });
    expect(session.peer.ident).toMatch(/^[0-9a-f]{32}$/);
    expect(client.codec).toBe('tnetstring');
    await close();
  });

  test.each(['tnetstring', 'sexpr', 'msgpack'] as const)('the codec asked for (%s) is the session codec', async (codec) => {
    const server = new Server();
    server.route('GET', '/echo', (ctx) => ctx.body);
    const { client, session, close } = await memoryPair(server, { codec });
    expect(session.codec).toBe(codec);
    expect(await client.call('GET', '/echo', { a: [1, 'two'] })).toEqual({ a: [1, 'two'] });
    await close();
  });

  test('@petrichor/rpc takes the codec object; with wire\'s plain sexprCodec requests still go in the call form (§9)', async () => {
    const server = new Server();
    server.route('GET', '/echo', (ctx) => ctx.body);
    for (const codec of [tnetstringCodec, sexprCodec, msgpackCodec]) {
      const [a, b] = memoryPipe();
      const sent: Uint8Array[] = [];
      const served = server.serve(b);
      const client = await CodecClient.connect(recordingStream(a, sent), { user: 'ana', codec });
      expect((await served)?.codec).toBe(codec.name);
      expect(await client.call('GET', '/echo', { a: [1, 'two'] })).toEqual({ a: [1, 'two'] });
      const wire = new TextDecoder().decode(Buffer.concat(sent));
      expect(wire.includes('(GET "/echo"')).toBe(codec === sexprCodec);
      await client.close();
    }
    await server.close({ deadlineMs: 0 });
  });

  test('@petrichor/rpc refuses a codec that is not a codec object (a name, an unknown codec, a number): RangeError', async () => {
    for (const codec of ['sexpr', { name: 'yaml' }, 5]) {
      const [a] = memoryPipe();
      await expect(CodecClient.connect(a, { codec: codec as never })).rejects.toThrow(RangeError);
    }
  });

  test('the answer bytes are exactly one tnetstring message', async () => {
    const server = new Server({ ident: 'srv1', version: '2.5', welcome: 'hi' });
    const script = scriptedStream();
    const served = server.serve(script.stream);
    script.push(hello({}));
    expect(await served).not.toBeNull();
    expect(new TextDecoder().decode(script.sent[0])).toBe(
      '86:9:petrichor,1:1#7:allowed,4:true!5:ident,4:srv1,7:version,3:2.5,5:codec,10:tnetstring,}2:hi,',
    );
  });
});

describe('spec/rpc.md §1.3 the handshake: denied', () => {
  test('authorize denies a user with a reason: HandshakeDeniedError on the client, the stream closed', async () => {
    const banned = new Set(['mallory']);
    const server = new Server({
      authorize: (peer) => {
        if (banned.has(peer.user)) throw RpcError.forbidden(`${peer.user} is banned`);
      },
    });
    const [a, b] = memoryPipe();
    const served = server.serve(b);
    const error = await Client.connect(a, { user: 'mallory' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeDeniedError);
    expect(error).toMatchObject({ code: 'RPC_HANDSHAKE_DENIED', status: 403, reason: 'mallory is banned' });
    expect(await served).toBeNull();
    expect(server.sessions.size).toBe(0);
  });

  test('the denial is one message: { petrichor, allowed: false, code, ident } and the reason', async () => {
    const server = new Server({ ident: 'srv1', authorize: () => Promise.reject(RpcError.forbidden('no')) });
    const { header, body, closed } = await answerTo(server, hello({}));
    expect(header).toEqual({ petrichor: 1, allowed: false, code: 403, ident: 'srv1' });
    expect(body).toBe('no');
    expect(closed).toBe(true);
  });

  test('authorize throwing something else denies with 500 and no detail; onError hears it', async () => {
    const onError = vi.fn();
    const server = new Server({ onError, authorize: () => { throw new Error('db down: secret detail'); } });
    const { header, body } = await answerTo(server, hello({}));
    expect(header['code']).toBe(500);
    expect(body).toBe('internal error');
    expect(onError).toHaveBeenCalledOnce();
  });

  test.each<[string, Uint8Array, RegExp]>([
    ['another protocol version', hello({ petrichor: 2 }), /version/],
    ['no petrichor field', encodeMessage({ user: 'a', ident: 'b', version: '1', codec: 'tnetstring' }, null), /version/],
    ['no ident', hello({ ident: '' }), /ident/],
    ['a user that is not text', hello({ user: 7 }), /user/],
    ['no version', hello({ version: null }), /version/],
    ['an unknown codec', hello({ codec: 'json' }), /codec/],
    ['an unknown interface scope', hello({ interface: 'admin' }), /interface/],
    ['a HEADER that is not a dict', text('4:1:a,]0:~'), /dict/],
    ['malformed tnetstring', text('5:abc#}0:~'), /malformed/],
    ['a length with a leading zero', text('01:a,'), /malformed/],
  ])('%s: denied with 400 and a reason', async (_name, bytes, reason) => {
    const { header, body, closed } = await answerTo(new Server(), bytes);
    expect(header).toMatchObject({ petrichor: 1, allowed: false, code: 400 });
    expect(body).toMatch(reason);
    expect(closed).toBe(true);
  });

  test('a codec the server does not offer is denied', async () => {
    const { header } = await answerTo(new Server({ codecs: ['msgpack'] }), hello({ codec: 'tnetstring' }));
    expect(header['code']).toBe(400);
  });

  test('an oversized hello is refused from its length prefix, before it is buffered', async () => {
    const server = new Server({ maxHandshakeBytes: 1024 });
    const { header, body } = await answerTo(server, text('999999999:'));
    expect(header['code']).toBe(400);
    expect(body).toMatch(/maxHeaderBytes|1024/);
  });

  test('a hello whose BODY overflows the limit is refused', async () => {
    const server = new Server({ maxHandshakeBytes: 200 });
    const { header } = await answerTo(server, hello({}, 'x'.repeat(300)));
    expect(header['code']).toBe(400);
  });

  test('a server shutting down denies new clients with 503', async () => {
    const server = new Server();
    await server.close();
    const { header } = await answerTo(server, hello({}));
    expect(header['code']).toBe(503);
  });
});

describe('spec/rpc.md §1.2 limits and timeouts', () => {
  test('a client that never says hello is denied with 408 after the timeout', async () => {
    const server = new Server({ handshakeTimeoutMs: 30 });
    const script = scriptedStream();
    const served = server.serve(script.stream);
    script.push(text('50:')); // a hello that never finishes
    expect(await served).toBeNull();
    const decoder = new MessageDecoder({ text: true, objects: true });
    const [answer] = script.sent.flatMap((chunk) => [...decoder.push(chunk)]);
    expect(answer?.header).toMatchObject({ allowed: false, code: 408 });
    expect(script.closed()).toBe(true);
  });

  test('a server that never answers: HandshakeTimeoutError, the stream closed', async () => {
    const script = scriptedStream();
    const error = await Client.connect(script.stream, { handshakeTimeoutMs: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeTimeoutError);
    expect(script.closed()).toBe(true);
  });

  test('a stream that ends during the hello: serve resolves null without an answer', async () => {
    const script = scriptedStream();
    const served = new Server().serve(script.stream);
    script.push(text('50:4:'));
    script.end();
    expect(await served).toBeNull();
    expect(script.sent).toHaveLength(0);
  });

  test('a stream that ends before the answer: HandshakeError on the client', async () => {
    const script = scriptedStream();
    const connecting = Client.connect(script.stream);
    await tick();
    script.end(new Error('ECONNRESET'));
    const error = await connecting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeError);
    expect((error as HandshakeError).message).toMatch(/ECONNRESET/);
  });

  test.each<[string, Uint8Array]>([
    ['no allowed field', encodeMessage({ petrichor: 1, ident: 's' }, null)],
    ['another version', encodeMessage({ petrichor: 3, allowed: true }, null)],
    ['another codec than asked', encodeMessage({ petrichor: 1, allowed: true, ident: 's', version: '1', codec: 'msgpack' }, null)],
    ['bytes that are not a message', text('x:garbage')],
  ])('an answer with %s: HandshakeError', async (_name, answer) => {
    const script = scriptedStream();
    const connecting = Client.connect(script.stream);
    await tick();
    script.push(answer);
    const error = await connecting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HandshakeError);
    expect(script.closed()).toBe(true);
  });

  test('the hello the client writes: one tnetstring message with its identity', async () => {
    const script = scriptedStream();
    void Client.connect(script.stream, { user: 'ana', ident: 'id1', version: '1.0', codec: 'msgpack', interface: 'control', handshakeTimeoutMs: 20 }).catch(() => {});
    await until(() => script.sent.length > 0);
    expect(new TextDecoder().decode(script.sent[0])).toBe(
      '99:9:petrichor,1:1#4:user,3:ana,5:ident,3:id1,7:version,3:1.0,5:codec,7:msgpack,9:interface,7:control,}0:~',
    );
  });
});

describe('spec/rpc.md §1.4 the session starts at the next byte', () => {
  test('bytes after the handshake message, in any chunking, reach the session first and in order', async () => {
    const message = hello({});
    const tail = text('qmux bytes that follow the hello');
    const all = new Uint8Array([...message, ...tail]);
    for (let cut = 1; cut < all.length; cut += 7) {
      const script = scriptedStream();
      const preamble = new PreambleStream(script.stream, 4096);
      script.push(all.subarray(0, cut));
      script.push(all.subarray(cut));
      const { header } = await preamble.read();
      expect(header).toMatchObject({ petrichor: 1, user: 'ana' });
      const received: number[] = [];
      let ended = false;
      preamble.start({ data: (chunk) => received.push(...chunk), end: () => (ended = true) });
      script.push(text('!'));
      script.end();
      expect(new TextDecoder().decode(Uint8Array.from(received))).toBe('qmux bytes that follow the hello!');
      expect(ended).toBe(true);
    }
  });

  test('the server may call the client the moment the session starts', async () => {
    const server = new Server();
    const [a, b] = memoryPipe();
    const served = server.serve(b);
    const connecting = Client.connect(a);
    const session = (await served)!;
    const push = session.call('GET', '/ping'); // its OPEN may land in the same chunk as the answer
    const client = await connecting;
    client.route('GET', '/ping', () => 'pong');
    expect(await push).toBe('pong');
    await client.close();
  });
});

describe('spec/rpc.md §1.1 auth hooks (spec/rpc.md §6)', () => {
  const clientAuth = (token: string): ClientAuth => ({
    credentials: (header, body) => Promise.resolve({ scheme: 'test', token, user: header['user'] ?? null, body }),
  });
  const serverAuth: ServerAuth = {
    authenticate: (auth, header) => {
      const fields = auth as Record<string, Value> | undefined;
      if (fields === undefined) return Promise.reject(RpcError.unauthenticated('credentials required'));
      if (fields['token'] !== 'good') return Promise.reject(RpcError.unauthenticated('bad token'));
      const principal: Principal = { scheme: 'bearer', id: `user:${String(header['user'])}`, claims: { role: 'admin' } };
      return Promise.resolve(principal);
    },
  };

  test('good credentials: the principal reaches the session and the handlers', async () => {
    const server = new Server({ auth: serverAuth });
    server.route('GET', '/whoami', (ctx) => ctx.peer.principal.id);
    const { client, session, close } = await memoryPair(server, { user: 'ana', auth: clientAuth('good'), hello: 7 });
    expect(session.peer.principal).toEqual({ scheme: 'bearer', id: 'user:ana', claims: { role: 'admin' } });
    expect(session.peer.hello['auth']).toEqual({ scheme: 'test', token: 'good', user: 'ana', body: 7 });
    expect(await client.call('GET', '/whoami')).toBe('user:ana');
    await close();
  });

  test.each([
    ['no credentials', undefined, 'credentials required'],
    ['bad credentials', clientAuth('bad'), 'bad token'],
  ])('%s: denied with 401', async (_name, auth, reason) => {
    const server = new Server({ auth: serverAuth });
    const [a, b] = memoryPipe();
    void server.serve(b);
    const error = await Client.connect(a, auth === undefined ? {} : { auth }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RPC_HANDSHAKE_DENIED', status: 401, reason });
  });

  test('an auth hook failing with a plain error denies with 401 and no detail', async () => {
    const onError = vi.fn();
    const server = new Server({ onError, auth: { authenticate: () => Promise.reject(new Error('key store offline')) } });
    const { header, body } = await answerTo(server, hello({}));
    expect(header['code']).toBe(401);
    expect(body).toBe('unauthenticated');
    expect(onError).toHaveBeenCalledOnce();
  });

  test('authorize runs after auth and sees the principal', async () => {
    const server = new Server({
      auth: serverAuth,
      authorize: (peer) => {
        if (peer.principal.claims?.['role'] !== 'root') throw RpcError.forbidden('admins only');
      },
    });
    const [a, b] = memoryPipe();
    void server.serve(b);
    const error = await Client.connect(a, { auth: clientAuth('good') }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 403, reason: 'admins only' });
  });
});

describe('spec/rpc.md §1.1 interface: control', () => {
  test('a control-only session may call the control interface and nothing else (403)', async () => {
    const server = new Server();
    server.route('GET', '/data', () => 'data');
    server.interface('control', { purpose: 'describe' }).route('GET', '/ping', () => 'pong');
    const { client, close } = await memoryPair(server, { interface: 'control' });
    expect(await client.call('GET', '/ping', null, { iface: 'control' })).toBe('pong');
    await expect(client.call('GET', '/data')).rejects.toMatchObject({ code: 403 });
    await close();
  });
});
