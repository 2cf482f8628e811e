/** spec/rpc.md §10.3 streamed replies over real HTTP: framing, item by item, backpressure, endings. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RpcError, Server } from '@petrichor/rpc';
import { codecs, tnetstring } from '@petrichor/wire';
import { serveHttp, type HttpServerHandle } from '@petrichor/http';
import { open, read } from './helpers.js';
import type { IncomingMessage } from 'node:http';

let front: HttpServerHandle;
let release: () => void = () => {};
let produced = 0;
let stopped = false;
const errors: unknown[] = [];
const ITEM = 'x'.repeat(32 * 1024);
const MANY = 2000;

beforeAll(async () => {
  const server = new Server({ onError: (error) => errors.push(error) });
  server.route('GET', '/two', async function* () {
    yield { n: 1, text: 'one' };
    await new Promise<void>((resolve) => (release = resolve));
    yield { n: 2, text: 'two\nlines' };
  });
  server.route('GET', '/many', async function* () {
    for (produced = 0; produced < MANY; produced++) yield ITEM;
  });
  server.route('GET', '/endless', async function* () {
    stopped = false;
    try {
      for (let i = 0; i < 1_000_000; i++) yield i;
    } finally {
      stopped = true;
    }
  });
  server.route('GET', '/fails/:how', async function* (ctx) {
    yield 1;
    yield 2;
    if (ctx.params['how'] === 'rpc') throw RpcError.conflict('the list changed');
    throw new Error('secret detail');
  });
  server.route('GET', '/hangs', async function* (ctx) {
    yield 1;
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
  });
  server.route('GET', '/none', async function* () {});
  front = await serveHttp(server);
});

afterAll(() => front.close());

/** The next chunk of a response body (null at its end). */
function nextChunk(res: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunk = res.read() as Buffer | null;
    if (chunk !== null) return resolve(chunk);
    const done = (): void => {
      res.off('readable', done);
      res.off('end', done);
      resolve((res.read() as Buffer | null) ?? null);
    };
    res.on('readable', done);
    res.on('end', done);
  });
}

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe('streamed replies (§10.3)', () => {
  const framings: [string, string, (body: Buffer) => unknown[]][] = [
    ['application/json', 'application/x-ndjson', (body) => body.toString('utf8').split('\n').slice(0, -1).map((line) => JSON.parse(line) as unknown)],
    ['application/sexp', 'application/sexp', (body) => body.toString('utf8').split('\n').slice(0, -1).map((line) => codecs.sexpr.decode(Buffer.from(line), { objects: true }))],
    ['application/x-tnetstring', 'application/x-tnetstring', (body) => tnetstring.decodeAll(body, { text: true, objects: true })],
  ];
  for (const [accept, type, split] of framings) {
    test(`${accept}: each item can be read as it comes (${type}), the trailer says 200`, async () => {
      const res = await open(`${front.url}/two`, { headers: { accept } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['transfer-encoding']).toBe('chunked');
      expect(res.headers['petrichor-stream']).toBe('true');
      // The handler holds its second item until the first has been read here.
      let first = Buffer.alloc(0);
      while (split(first).length === 0) {
        const chunk = await nextChunk(res);
        if (chunk === null) throw new Error('the stream ended before its first item');
        first = Buffer.concat([first, chunk]);
      }
      expect(split(first)).toEqual([{ n: 1, text: 'one' }]);
      release();
      const rest = await read(res);
      expect(split(Buffer.concat([first, rest.body]))).toEqual([
        { n: 1, text: 'one' },
        { n: 2, text: 'two\nlines' },
      ]);
      expect(rest.trailers['petrichor-status']).toBe('200');
    });
  }

  test('backpressure: a client that does not read stops the handler; reading on gets every item', async () => {
    const res = await open(`${front.url}/many`, { headers: { accept: 'application/x-tnetstring' } });
    res.pause();
    // Wait until production stalls: the socket buffers are full and res.write said false.
    let last = -1;
    let still = 0;
    for (let i = 0; i < 300 && still < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      still = produced === last ? still + 1 : 0;
      last = produced;
    }
    expect(still).toBe(5);
    expect(produced).toBeLessThan(MANY / 2);
    const answer = await read(res);
    expect(answer.body.length).toBe(MANY * tnetstring.encode(ITEM).length);
    expect(produced).toBe(MANY);
    expect(answer.trailers['petrichor-status']).toBe('200');
  });

  test('a client that goes away stops the handler', async () => {
    const res = await open(`${front.url}/endless`);
    expect(await nextChunk(res)).not.toBeNull();
    res.destroy();
    await until(() => stopped);
  });

  test('an error after items: a last item with the error model, the trailer its code', async () => {
    const conflict = await read(await open(`${front.url}/fails/rpc`));
    expect(conflict.status).toBe(200);
    expect(conflict.text).toBe('1\n2\n{"err":{"code":409,"message":"the list changed"}}\n');
    expect(conflict.trailers['petrichor-status']).toBe('409');
    const before = errors.length;
    const thrown = await read(await open(`${front.url}/fails/plain`, { headers: { accept: 'application/sexp' } }));
    expect(thrown.text).toBe('1\n2\n(err :code 500 :message "internal error")\n');
    expect(thrown.trailers['petrichor-status']).toBe('500');
    expect((errors[before] as Error).message).toBe('secret detail');
  });

  test('the deadline covers the whole stream: 408 in the trailer', async () => {
    const answer = await read(await open(`${front.url}/hangs`, { headers: { 'petrichor-timeout': '30' } }));
    expect(answer.text).toBe('1\n{"err":{"code":408,"message":"deadline exceeded"}}\n');
    expect(answer.trailers['petrichor-status']).toBe('408');
  });

  test('an empty stream is an empty body with status 200', async () => {
    const answer = await read(await open(`${front.url}/none`));
    expect([answer.status, answer.text, answer.trailers['petrichor-status']]).toEqual([200, '', '200']);
  });
});
