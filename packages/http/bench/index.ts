/**
 * @petrichor/http benchmarks: the same echo route called over a Petrichor socket (TCP,
 * tnetstrings) and over HTTP/1.1 with keep-alive (JSON, s-expressions), (i) one call at a time and
 * (ii) 32 callers at once, printed as ratios to the socket; and the floor, a bare `node:http`
 * server that parses and writes the JSON itself (what this package adds is the gap from it to
 * `http json`). Client and servers run in this one
 * process, the same for every candidate. `pnpm exec tsx --conditions=@petrichor/source
 * packages/http/bench/index.ts` runs it alone.
 */
import { Agent, createServer, request } from 'node:http';
import net from 'node:net';
import { socketStream } from '@petrichor/mux/node';
import { Client, Server } from '@petrichor/rpc';
import { serveHttp, type HttpServerHandle } from '@petrichor/http';
import { quick, scenario, type ScenarioCandidate } from '../../../bench/harness.js';

const SEQ_CALLS = quick ? 500 : 3_000;
const CALLERS = 32;
const CALLS_PER_CALLER = quick ? 20 : 100;
const payload = { id: 7, name: 'ana', tags: ['a', 'b', 'c'], text: 'x'.repeat(32) };

type Call = () => Promise<unknown>;

/** One HTTP POST on a keep-alive agent, the body already encoded. */
function httpCall(front: HttpServerHandle, agent: Agent, type: string, body: string): Call {
  return () =>
    new Promise((resolve, reject) => {
      const req = request(`${front.url}/echo`, { method: 'POST', agent, headers: { 'content-type': type, 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
}

export async function run(): Promise<void> {
  const server = new Server();
  server.route('POST', '/echo', (ctx) => ctx.body);
  const front = await serveHttp(server);
  const listener = net.createServer((socket) => void server.serve(socketStream(socket)));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const client = await Client.connect(socketStream(net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1')));
  const bare = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.stringify(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const floor = { url: `http://127.0.0.1:${(bare.address() as net.AddressInfo).port}` } as HttpServerHandle;
  const agent = new Agent({ keepAlive: true, maxSockets: CALLERS });
  const calls: [string, Call][] = [
    ['socket tnetstring', () => client.call('POST', '/echo', payload)],
    ['http json', httpCall(front, agent, 'application/json', JSON.stringify(payload))],
    ['http floor (bare node:http)', httpCall(floor, agent, 'application/json', JSON.stringify(payload))],
    ['http sexp', httpCall(front, agent, 'application/sexp', '{:id 7 :name "ana" :tags ("a" "b" "c") :text "' + 'x'.repeat(32) + '"}')],
  ];
  const callsPerSecond = { label: 'calls/s', from: (n: number, ms: number) => (n * 1000) / ms, higherIsBetter: true };
  try {
    const sequential: ScenarioCandidate<number>[] = calls.map(([name, call]) => ({
      name,
      run: async () => {
        for (let i = 0; i < SEQ_CALLS; i++) await call();
        return SEQ_CALLS;
      },
    }));
    await scenario(`http (i) ${SEQ_CALLS} sequential calls of ~80 B`, sequential, { metric: callsPerSecond });
    const concurrent: ScenarioCandidate<number>[] = calls.map(([name, call]) => ({
      name,
      run: async () => {
        await Promise.all(
          Array.from({ length: CALLERS }, async () => {
            for (let i = 0; i < CALLS_PER_CALLER; i++) await call();
          }),
        );
        return CALLERS * CALLS_PER_CALLER;
      },
    }));
    await scenario(`http (ii) ${CALLERS} callers × ${CALLS_PER_CALLER} calls`, concurrent, { metric: callsPerSecond });
  } finally {
    agent.destroy();
    await client.close();
    await front.close({ deadlineMs: 100 });
    await server.close({ deadlineMs: 10 });
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    bare.closeAllConnections();
    await new Promise<void>((resolve) => bare.close(() => resolve()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
