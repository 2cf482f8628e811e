/** Limits and odd request targets (spec/rpc.md §10.2, §10.4): bad input is a status, never a crash. */
import net from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Server } from '@petrichor/rpc';
import { httpHandler, serveHttp, type HttpServerHandle } from '@petrichor/http';
import { ask } from './helpers.js';

let front: HttpServerHandle;
const server = new Server();
server.route('GET', '/search', (ctx) => ctx.path);

beforeAll(async () => {
  front = await serveHttp(server, { requestTimeoutMs: 200 });
});
afterAll(() => front.close());

/** Sends raw bytes and reads until the server closes the connection. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(front.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.write(bytes);
  });
}

test('a client that sends its request too slowly gets 408 and the connection closed', async () => {
  const answer = await raw('POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n[1');
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
});

test('a target starting with // is a path, not a host; a target that is no URL is 400', async () => {
  const doubled = await ask(`${front.url}//search`);
  expect([doubled.status, JSON.parse(doubled.text)]).toEqual([404, { err: { code: 404, message: 'no route for GET //search' } }]);
  const star = await raw('OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  expect(star).toMatch(/^HTTP\/1\.1 400 /);
  expect(star).toContain('{"err":{"code":400,"message":"the request target is not a path or a URL"}}');
});

test('every reply says it varies by Accept', async () => {
  expect((await ask(`${front.url}/search`)).headers['vary']).toBe('Accept');
  expect((await ask(`${front.url}/nowhere`)).headers['vary']).toBe('Accept');
});

test('bad options are RangeErrors where they are given', async () => {
  expect(() => httpHandler(server, { maxBodyBytes: -1 })).toThrow(RangeError);
  expect(() => httpHandler(server, { timeoutMs: 0 })).toThrow(RangeError);
  expect(() => httpHandler(server, { manifestPath: 'manifest' })).toThrow(RangeError);
  await expect(serveHttp(server, { requestTimeoutMs: 0 })).rejects.toThrow(RangeError);
});
