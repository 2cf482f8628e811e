/**
 * A FIFO queue with O(1) push and shift (an array plus head and tail indexes, compacted now and
 * then): `Array.prototype.shift` is O(n) once V8 gives up on its fast path.
 */
export class Deque<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  #tail = 0;

  get length(): number {
    return this.#tail - this.#head;
  }

  push(item: T): void {
    this.#items[this.#tail++] = item;
  }

  /** The oldest item, or undefined when empty. */
  peek(): T | undefined {
    return this.#head === this.#tail ? undefined : this.#items[this.#head];
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#head === this.#tail) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#tail) {
      // Emptied: start again at 0. A small array is kept (most queues go 0 → 1 → 0 over and
      // over, and a fresh one costs an allocation each time); one grown by a burst is let go.
      this.#head = this.#tail = 0;
      if (this.#items.length > SMALL) this.#items = [];
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#tail) {
      this.#items = this.#items.slice(this.#head, this.#tail);
      this.#tail -= this.#head;
      this.#head = 0;
    }
    return item;
  }

  /** Removes every item and returns them oldest first. */
  drain(): T[] {
    const items = this.#items.slice(this.#head, this.#tail) as T[];
    this.#items = [];
    this.#head = this.#tail = 0;
    return items;
  }
}

/** Slots an emptied queue keeps for reuse. */
const SMALL = 64;
