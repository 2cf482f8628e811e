/** Benchmarks for this package; see bench/harness.ts. */
export async function run(): Promise<void> {}
