/** Heap in use after a full garbage collection, for the idle-channel memory figure. */
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  // Not started with --expose-gc: switch the flag on now and fetch gc() from a fresh context.
  v8.setFlagsFromString('--expose-gc');
  gc = vm.runInNewContext('gc') as (() => void) | undefined;
}

/** Bytes of JS heap in use after collecting garbage (undefined when gc cannot be forced). */
export async function heapUsed(): Promise<number | undefined> {
  if (gc === undefined) return undefined;
  for (let i = 0; i < 3; i++) {
    gc();
    // Let finalizers and pending callbacks run between collections.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}
