/**
 * `pnpm bench [name…]`: runs every package's benchmarks (or the named ones) in one sitting.
 * Each package exports `run()` from `packages/NAME/bench/index.ts`. BENCH_QUICK=1 shortens every suite.
 */
import { quick } from './harness.js';

const suites: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  wire: () => import('../packages/wire/bench/index.js'),
  mux: () => import('../packages/mux/bench/index.js'),
  rpc: () => import('../packages/rpc/bench/index.js'),
  transport: () => import('../packages/transport/bench/index.js'),
  http: () => import('../packages/http/bench/index.js'),
};

const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
for (const name of wanted) {
  if (!(name in suites)) {
    console.error(`unknown bench suite "${name}"; known: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
}
console.log(`# Petrichor benchmarks — node ${process.version}, ${quick ? 'quick' : 'full'} run. Ratios > 1× mean faster.`);
for (const [name, load] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const suite = await load();
  await suite.run();
}
