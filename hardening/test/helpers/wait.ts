/** Bounded waiting: every wait in these tests ends by itself, with a message naming what it waited for. */

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `promise`, or a rejection naming `what` after `ms`: a hang becomes a failure with a reason. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `condition` every `everyMs` until it holds; rejects naming `what` after `ms`. */
export async function until(condition: () => boolean, ms: number, what: string, everyMs = 10): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(everyMs);
  }
}

/**
 * Polls `read` until its value has not changed for `quietMs` (a producer that has stopped), or
 * `ms` passed; returns the last value.
 */
export async function steady(read: () => number, quietMs: number, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let last = read();
  let since = performance.now();
  while (performance.now() < deadline) {
    await sleep(25);
    const now = read();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) {
      return now;
    }
  }
  return last;
}
