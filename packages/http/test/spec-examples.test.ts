/**
 * The examples of spec/rpc.md §10.7 are real exchanges: this test sends each request's exact
 * bytes over TCP to a real server, renders the request and the response as the spec shows them
 * (CRLF as line breaks, the Date header left out), and checks that the spec holds exactly that
 * text. (`SPEC_VECTORS=print` prints the rendered blocks.)
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RpcError, Server, bearerServer, type ServerAuth } from '@petrichor/rpc';
import { serveHttp, type HttpServerHandle } from '@petrichor/http';

const spec = readFileSync(new URL('../../../spec/rpc.md', import.meta.url), 'utf8');

// Bearer tokens are optional here: without one the caller is anonymous, /me asks for one.
const bearer = bearerServer((token) => {
  if (token === 'tok-ana') return { scheme: 'bearer', id: 'ana' };
  throw new Error('unknown token');
});
const optionalBearer: ServerAuth = {
  authenticate: (auth, header, body) => (auth === undefined ? Promise.resolve({ scheme: 'none', id: '' }) : bearer.authenticate(auth, header, body)),
};

const server = new Server({ name: 'people', version: '1.0', auth: optionalBearer });
server.route('GET', '/users/:id', (ctx) => {
  if (ctx.params['id'] !== '7') throw RpcError.notFound(`no user ${ctx.params['id']}`);
  return { id: 7, name: 'ana' };
});
server.route('PUT', '/users/:id', (ctx) => ({ id: Number(ctx.params['id']), ...(ctx.body as object) }));
server.route('relate', '/users/:id', (ctx) => [ctx.params['id']!, ctx.body]);
server.route('GET', '/search', (ctx) => ctx.header['params' as never] ?? null);
server.route('GET', '/count/:n', async function* (ctx) {
  for (let i = 1; i <= Number(ctx.params['n']); i++) yield { n: i };
});
server.route('GET', '/me', (ctx) => {
  if (ctx.peer.principal.scheme !== 'bearer') throw RpcError.unauthenticated('sign in first');
  return ctx.peer.principal.id;
});

let front: HttpServerHandle;
beforeAll(async () => {
  front = await serveHttp(server);
});
afterAll(() => front.close());

/** Sends `request` (lines joined by CRLF) on a fresh connection and reads until the server closes. */
function exchange(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(front.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.end(request.split('\n').join('\r\n'));
  });
}

function render(request: string, response: string): string {
  const shown = response
    .split('\r\n')
    .filter((line) => !line.startsWith('Date: '))
    .join('\n')
    .replace(/\n+$/, '');
  return `\`\`\`http\n${request.replace(/\n+$/, '')}\n\`\`\`\n\n\`\`\`http\n${shown}\n\`\`\``;
}

const examples: string[] = [
  'GET /search?q=rain&tag=a&tag=b HTTP/1.1\nHost: api.example\nAccept: application/sexp\nConnection: close\n\n',
  'PUT /users/7 HTTP/1.1\nHost: api.example\nContent-Type: application/json\nAccept: application/x-tnetstring\nContent-Length: 14\nConnection: close\n\n{"name":"ana"}',
  'POST /users/7 HTTP/1.1\nHost: api.example\nPetrichor-Verb: relate\nContent-Type: application/sexp\nContent-Length: 28\nConnection: close\n\n(like :object "post/9" :n 1)',
  'GET /users/9 HTTP/1.1\nHost: api.example\nAccept: application/sexp\nConnection: close\n\n',
  'DELETE /users/7 HTTP/1.1\nHost: api.example\nConnection: close\n\n',
  'GET /me HTTP/1.1\nHost: api.example\nAuthorization: Bearer tok-bob\nConnection: close\n\n',
  'GET /me HTTP/1.1\nHost: api.example\nAuthorization: Bearer tok-ana\nConnection: close\n\n',
  'GET /count/3 HTTP/1.1\nHost: api.example\nConnection: close\n\n',
];

test('spec/rpc.md §10.7: every example is what a real server answers', async () => {
  const printed: string[] = [];
  for (const request of examples) {
    const block = render(request, await exchange(request));
    if (process.env['SPEC_VECTORS'] === 'print') printed.push(block);
    else expect(spec).toContain(block);
  }
  if (printed.length > 0) console.log(printed.join('\n\n'));
});
