// CORE's scratch profiler (not committed): sequential unary calls over loopback TCP, one process.
import net from 'node:net';
import { socketStream } from '@petrichor/mux/node';
import { Client, Server } from '@petrichor/rpc';
import type { ByteStream } from '@petrichor/mux';

const writes = { c: 0, s: 0 };
function counted(stream: ByteStream, side: 'c' | 's'): ByteStream {
  const out: ByteStream = {
    start: (sink) => stream.start(sink),
    write: (chunk) => {
      writes[side]++;
      return stream.write(chunk);
    },
    close: () => stream.close(),
  };
  if (stream.writev) out.writev = (chunks) => (writes[side]++, stream.writev!(chunks));
  return out;
}

const codec = (process.env['CODEC'] ?? 'tnetstring') as 'tnetstring';
const N = Number(process.env['N'] ?? 20000);
const server = new Server({ decode: { text: false } });
server.route('echo', '/echo', (ctx) => ctx.body);
const listener = net.createServer({ noDelay: true }, (s) => void server.serve(counted(socketStream(s), 's')));
await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
const port = (listener.address() as net.AddressInfo).port;
const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
await new Promise((r) => socket.once('connect', r));
const client = await Client.connect(counted(socketStream(socket), 'c'), { codec, decode: { text: false } });
const body = new Uint8Array(64).fill(7);
for (let i = 0; i < 2000; i++) await client.call('echo', '/echo', body);
for (let round = 0; round < 3; round++) {
  writes.c = writes.s = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < N; i++) await client.call('echo', '/echo', body);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(codec, `${((ms * 1000) / N).toFixed(1)} µs/call wall, ${((cpu.user + cpu.system) / N).toFixed(1)} µs/call cpu (user ${(cpu.user / N).toFixed(1)}), writes/call c ${(writes.c / N).toFixed(2)} s ${(writes.s / N).toFixed(2)}`);
}
await client.close();
await server.close({ deadlineMs: 0 });
listener.close();
