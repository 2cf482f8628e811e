// CORE scratch: the qmux floor of our design: one channel per call (pre-opened), DATA+EOF, reply DATA+EOF+CLOSE.
import { Session, memoryPipe, type Channel } from '@petrichor/mux';
import { CoalescingStream } from '../src/coalesce.js';
const N = Number(process.env['N'] ?? 50000);
const coalesce = process.env['COALESCE'] === '1';
const [a, b] = memoryPipe();
const client = new Session(coalesce ? new CoalescingStream(a) : a);
const server = new Session(coalesce ? new CoalescingStream(b) : b);
void (async () => {
  for await (const ch of server) {
    void (async () => {
      const chunk = await ch.read();
      if (chunk === null) return;
      void ch.write(chunk);
      void ch.closeWrite();
      void ch.close();
    })();
  }
})();
const pool: Channel[] = [];
let opening = 0;
function refill() { while (pool.length + opening < 4) { opening++; void client.open().then((c) => { opening--; pool.push(c); }); } }
refill();
await new Promise((r) => setTimeout(r, 20));
const body = new Uint8Array(80).fill(7);
async function call() {
  const ch = pool.pop()!; refill();
  void ch.write(body); void ch.closeWrite();
  const r = await ch.read();
  void ch.close();
  return r;
}
for (let i = 0; i < 5000; i++) await call();
for (let round = 0; round < 3; round++) {
  const t0 = performance.now(); const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await call();
  const ms = performance.now() - t0; const cpu = process.cpuUsage(cpu0);
  console.log(`mux-only coalesce=${coalesce} ${((ms * 1000) / N).toFixed(1)} µs/call wall, ${((cpu.user + cpu.system) / N).toFixed(1)} µs/call cpu`);
}
client.close();
