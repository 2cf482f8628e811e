/**
 * Per-call HMAC cost: sign (hmacClient) then verify (hmacServer) one request, as signed calls do,
 * over a header and body shaped like the mesh example's. Prints µs per sign+verify for the default
 * (WebCrypto) and for node:crypto through the `hmac` option (`@petrichor/rpc/node`), sequential and
 * 64 in flight (wall time, and the process's CPU time, which moves less on a shared machine), plus
 * their ratio. A script to read, not a test:
 *
 *   node --import tsx --conditions=@petrichor/source packages/rpc/bench/auth.ts [calls]
 */
import { Keyword, type Value } from '@petrichor/wire';
import { hmacClient, hmacServer, type ClientAuth, type HmacSha256, type ServerAuth } from '../src/index.js';
import { nodeHmac } from '../src/node.js';

const CALLS = Number(process.argv[2] ?? 20_000);
const IN_FLIGHT = 64;
const secret = 'a mesh secret of at least thirty-two bytes';
const header: Readonly<Record<string, Value>> = { verb: 'GET', path: '/internal/fragments/listing-card', params: new Map<string, Value>([['id', 'l1'], ['currency', 'GBP']]) };
const body: Value = new Map<string, Value>([['type', 'view'], ['actor', 'u3'], ['object', 'post/p7'], ['tags', [new Keyword('a'), 'b', 3]]]);

async function once(client: ClientAuth, server: ServerAuth): Promise<void> {
  const auth = await client.credentials(header, body);
  await server.authenticate(auth, header, body);
}

async function run(label: string, hmac: HmacSha256 | undefined): Promise<[number, number]> {
  const extra = hmac === undefined ? {} : { hmac };
  const client = hmacClient({ key: 'k', secret, ...extra });
  const server = hmacServer({ keys: { k: secret }, maxNonces: 4 * CALLS, ...extra });
  for (let i = 0; i < 2000; i++) await once(client, server); // warm-up
  const [seq, seqCpu] = await measure(async () => {
    for (let i = 0; i < CALLS; i++) await once(client, server);
  });
  const [par, parCpu] = await measure(async () => {
    for (let done = 0; done < CALLS; done += IN_FLIGHT) await Promise.all(Array.from({ length: IN_FLIGHT }, () => once(client, server)));
  });
  const us = (n: number) => n.toFixed(1).padStart(6);
  console.log(`${label.padEnd(12)} µs per sign+verify: sequential ${us(seq)} (cpu ${us(seqCpu)})   ${IN_FLIGHT} in flight ${us(par)} (cpu ${us(parCpu)})`);
  return [seqCpu, parCpu];
}

/** Wall and CPU µs per call of `work` (CALLS calls). */
async function measure(work: () => Promise<void>): Promise<[number, number]> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const wall = ((performance.now() - start) * 1000) / CALLS;
  const used = process.cpuUsage(cpu);
  return [wall, (used.user + used.system) / CALLS];
}

const [webSeq, webPar] = await run('webcrypto', undefined);
const [nodeSeq, nodePar] = await run('node:crypto', nodeHmac);
console.log(`node:crypto / webcrypto CPU time: sequential ${(nodeSeq / webSeq).toFixed(2)}×, in flight ${(nodePar / webPar).toFixed(2)}×`);
