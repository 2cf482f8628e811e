import { dial, serve } from './serve.js';
import { body } from './workload.js';
const N = Number(process.env['N'] ?? 10000);
for (const spec of [{ kind: 'floor' }, { kind: 'ours', codec: 'tnetstring' }] as const) {
  const s = await serve(spec.kind);
  const c = await dial(spec as never, s.port);
  const b = body(64);
  for (let i = 0; i < 2000; i++) await c.echo(b);
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < N; i++) await c.echo(b);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    console.log(spec.kind, `${((ms * 1000) / N).toFixed(1)} µs/call wall, ${((cpu.user + cpu.system) / N).toFixed(1)} µs/call cpu (user ${(cpu.user / N).toFixed(1)})`);
  }
  await c.close();
  await s.close();
}
