/** A pending promise's two ends, kept in queues until the event it waits for happens. */
export interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/** A promise that is already fulfilled, shared so fast paths allocate nothing. */
export const RESOLVED: Promise<void> = Promise.resolve();
