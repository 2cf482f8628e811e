/**
 * Property: any JSON-able tree, sent over HTTP in each body type and read back in each, is the
 * value a socket call with the same tree gets (spec/rpc.md §10.3). And any bytes at all are an
 * answer, never a failure.
 */
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { socketStream } from '@petrichor/mux/node';
import { Client, Server } from '@petrichor/rpc';
import { codecs, sexpr, tnetstring, type Value } from '@petrichor/wire';
import { serveHttp, type HttpServerHandle } from '@petrichor/http';
import { ask } from './helpers.js';

let front: HttpServerHandle;
let listener: net.Server;
let client: Client;
const server = new Server();
server.route('POST', '/echo', (ctx) => ctx.body);

beforeAll(async () => {
  front = await serveHttp(server);
  listener = net.createServer((socket) => void server.serve(socketStream(socket)));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  client = await Client.connect(socketStream(net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1')));
});

afterAll(async () => {
  await client.close();
  await front.close();
  await server.close({ deadlineMs: 10 });
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

/** How a client writes and reads each body type, with the codecs themselves. */
const types: Record<string, { write: (value: Value) => string | Uint8Array; read: (body: Buffer) => unknown }> = {
  'application/json': { write: (value) => JSON.stringify(value), read: (body) => JSON.parse(body.toString('utf8')) },
  'application/sexp': { write: (value) => sexpr.stringify(value), read: (body) => codecs.sexpr.decode(body, { objects: true }) },
  'application/x-tnetstring': { write: (value) => tnetstring.encode(value), read: (body) => tnetstring.decode(body, { text: true, objects: true }) },
};

test('a JSON-able tree round-trips through each body type to what the socket call gets', async () => {
  const names = Object.keys(types);
  await fc.assert(
    fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(...names), fc.constantFrom(...names), async (tree, from, to) => {
      // JSON has one zero: a -0 in the tree is 0 to every JSON reader, so the tree is its JSON reading.
      const value = JSON.parse(JSON.stringify(tree)) as Value;
      const overSocket = await client.call('POST', '/echo', value);
      const answer = await ask(`${front.url}/echo`, { method: 'POST', headers: { 'content-type': from, accept: to }, body: types[from]!.write(value) });
      expect(answer.status).toBe(200);
      expect(types[to]!.read(answer.body)).toEqual(overSocket);
      expect(overSocket).toEqual(value);
    }),
    { numRuns: 150 },
  );
});

test('any bytes as a body of each type: 200 or 400, never a 500, and the server goes on', async () => {
  const names = Object.keys(types);
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...names), async (bytes, type) => {
      const answer = await ask(`${front.url}/echo`, { method: 'POST', headers: { 'content-type': type, accept: 'application/json' }, body: bytes });
      expect([200, 400]).toContain(answer.status);
      if (answer.status === 400) expect(JSON.parse(answer.text)).toMatchObject({ err: { code: 400 } });
    }),
    { numRuns: 150 },
  );
  expect((await ask(`${front.url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1]' })).text).toBe('[1]');
});
