/** A pending promise's two ends, kept in queues until the event it waits for happens. */
export interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** A promise that is already fulfilled, shared so fast paths allocate nothing. */
export const RESOLVED: Promise<void> = Promise.resolve();

/** Creates a promise together with its waiter (Promise.withResolvers is not in Node 20). */
export function deferred<T>(): { promise: Promise<T>; waiter: Waiter<T> } {
  let waiter!: Waiter<T>;
  const promise = new Promise<T>((resolve, reject) => {
    waiter = { resolve, reject };
  });
  return { promise, waiter };
}
