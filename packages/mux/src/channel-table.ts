/**
 * Channel ids (spec/qmux.md §5): one table per session shared by the channels we open and the ones
 * we accept, each new channel taking the lowest free index, as qtalk-go does. Free ids wait in a
 * binary min-heap, so allocation is O(log n) instead of Go's linear scan.
 */
export class ChannelTable<T extends { id: number }> {
  readonly #slots: (T | undefined)[] = [];
  /** Ids below this have been handed out since the table was last empty: the next new id. */
  #next = 0;
  /** Min-heap of free ids below `#next`. */
  readonly #free: number[] = [];
  #size = 0;

  /** Live entries. */
  get size(): number {
    return this.#size;
  }

  /** Stores `item` under the lowest free id, which it sets as the item's `id`; returns the item. */
  add(item: T): T {
    const id = this.#free.length > 0 ? this.#popFree() : this.#next++;
    item.id = id;
    this.#slots[id] = item;
    this.#size++;
    return item;
  }

  get(id: number): T | undefined {
    return this.#slots[id];
  }

  /** Frees `id` for reuse. A no-op when it is not live. */
  remove(id: number): void {
    if (this.#slots[id] === undefined) return;
    this.#slots[id] = undefined;
    if (--this.#size > 0) return this.#pushFree(id);
    // Empty: ids start from 0 again. The slots are kept (all empty), not reallocated: a table
    // often goes 1 → 0 → 1, once per call.
    this.#next = 0;
    if (this.#free.length > 0) this.#free.length = 0;
  }

  /** Empties the table and returns what it held. */
  clear(): T[] {
    const items = this.#slots.filter((item): item is T => item !== undefined);
    this.#slots.length = 0;
    this.#free.length = 0;
    this.#size = this.#next = 0;
    return items;
  }

  #pushFree(id: number): void {
    const heap = this.#free;
    let i = heap.length;
    heap.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= id) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = id;
  }

  #popFree(): number {
    const heap = this.#free;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]! < heap[left]! ? right : left;
        if (heap[child]! >= last) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
