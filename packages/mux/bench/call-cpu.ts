/**
 * CPU time per open / 64-byte echo / close, the way an rpc call uses a channel (request + EOF,
 * reply + EOF, CLOSE both ways), with both sessions in one process over a memory pipe: no sockets,
 * so what is measured is the mux's own work (plus the pipe's microtasks). For A/B runs of mux
 * changes, where wall-clock runs on a shared machine lie:
 *
 *     npx tsx packages/mux/bench/call-cpu.ts [src-dir …]
 *
 * runs the sessions of each source directory (default: this package's src) in a child process of
 * its own, rounds interleaved, and prints µs of CPU (user + system) per call: the median over the
 * rounds, each round the best of 3 runs. A copy of the sources elsewhere needs a package.json with
 * `"type": "module"` above it, or tsx compiles it as CommonJS, which is slower and not what ships.
 * Environment: CALL_CPU_ROUNDS (default 5), CALL_CPU_CALLS per run (default 20000).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Channel } from '../src/channel.js';
import type { ByteStream } from '../src/stream.js';

const CALLS = Number(process.env['CALL_CPU_CALLS'] ?? 20_000);
const ROUNDS = Number(process.env['CALL_CPU_ROUNDS'] ?? 5);
const BODY = new Uint8Array(64).fill(7);

interface SessionLike {
  open(): Promise<Channel>;
  accept(): Promise<Channel>;
  close(): void;
}
interface Sources {
  Session: new (stream: ByteStream) => SessionLike;
  memoryPipe: () => [ByteStream, ByteStream];
}

/** µs of CPU per call over `calls` sequential calls on a fresh pair of sessions. */
async function measure(lib: Sources, calls: number): Promise<number> {
  const [a, b] = lib.memoryPipe();
  const client = new lib.Session(a);
  const server = new lib.Session(b);
  const serving = (async () => {
    for (let i = 0; i < calls; i++) {
      const channel = await server.accept();
      const request = await channel.read();
      if (request === null || (await channel.read()) !== null) throw new Error('expected one request, then EOF');
      void channel.write(request);
      void channel.closeWrite();
      void channel.close();
    }
  })();
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const channel = await client.open();
    void channel.write(BODY);
    void channel.closeWrite();
    const reply = await channel.read();
    if (reply?.length !== BODY.length || (await channel.read()) !== null) throw new Error('expected the echo, then EOF');
    await channel.close();
  }
  await serving;
  const used = process.cpuUsage(start);
  client.close();
  server.close();
  return (used.user + used.system) / calls;
}

/** In a child: warms up, then prints the best of 3 runs of the sources in `dir`. */
async function child(dir: string): Promise<void> {
  const { Session } = (await import(`${dir}/session.ts`)) as Pick<Sources, 'Session'>;
  const { memoryPipe } = (await import(`${dir}/memory-pipe.ts`)) as Pick<Sources, 'memoryPipe'>;
  const lib = { Session, memoryPipe };
  await measure(lib, 3000);
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) runs.push(await measure(lib, CALLS));
  console.log(Math.min(...runs));
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;

if (process.argv[2] === '--child') {
  await child(process.argv[3]!);
} else {
  const dirs = process.argv.length > 2 ? process.argv.slice(2) : [fileURLToPath(new URL('../src', import.meta.url))];
  const self = fileURLToPath(import.meta.url);
  const results = dirs.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order each round, so neither side always runs first.
    const order = dirs.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', dirs[i]!], { encoding: 'utf8' });
      results[i]!.push(Number(out.trim()));
    }
  }
  const first = median(results[0]!);
  dirs.forEach((dir, i) => {
    const mid = median(results[i]!);
    const rounds = results[i]!.map((x) => x.toFixed(2)).join(' ');
    console.log(`${mid.toFixed(2)} µs/call  ×${(mid / first).toFixed(3)}  ${dir}  (rounds: ${rounds})`);
  });
}
