// CORE's scratch profiler (not committed): sequential unary calls over a memory pipe.
import { memoryPipe } from '@petrichor/mux';
import { Client, Server } from '@petrichor/rpc';
const N = Number(process.env['N'] ?? 50000);
const muxo = process.env['OT0'] === '1' ? { mux: { openTimeoutMs: 0 } } : {};
const server = new Server({ decode: { text: false }, ...muxo });
server.route('echo', '/echo', (ctx) => ctx.body);
const [a, b] = memoryPipe();
void server.serve(b);
const client = await Client.connect(a, { decode: { text: false }, ...muxo });
const body = new Uint8Array(64).fill(7);
for (let i = 0; i < 5000; i++) await client.call('echo', '/echo', body);
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await client.call('echo', '/echo', body);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(`mem ${((ms * 1000) / N).toFixed(1)} µs/call wall, ${((cpu.user + cpu.system) / N).toFixed(1)} µs/call cpu`);
}
await client.close();
