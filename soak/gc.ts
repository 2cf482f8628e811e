/** Heap readings after a full collection, with or without `--expose-gc` on the command line. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { HeapSample } from './stats.js';

let gc: (() => void) | undefined;

/** V8's full collection: `global.gc` when exposed, else exposed now (the flag can be set at run time). */
function collector(): () => void {
  if (gc !== undefined) return gc;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return (gc = exposed);
  setFlagsFromString('--expose-gc');
  return (gc = runInNewContext('gc') as () => void);
}

/** This process's heap after a full collection, at `calls` completed calls. */
export function sampleHeap(calls: number): HeapSample {
  const collect = collector();
  // Twice: the first pass may leave garbage that only finalisation of the first makes collectable.
  collect();
  collect();
  const { heapUsed, external, rss } = process.memoryUsage();
  return { calls, heap: heapUsed + external, rss };
}
