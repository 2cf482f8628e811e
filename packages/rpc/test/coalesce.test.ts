import { describe, expect, test } from 'vitest';
import type { ByteStream } from '@petrichor/mux';
import { CoalescingStream } from '../src/coalesce.js';

/** An inner stream recording its writes; `full` makes write return a pending promise. */
function inner(options: { writev?: boolean } = {}) {
  const writes: Uint8Array[][] = [];
  let release: (() => void) | null = null;
  let fail: ((error: Error) => void) | null = null;
  let full = false;
  let closed = false;
  const answer = (): void | Promise<void> => {
    if (!full) return;
    return new Promise<void>((resolve, reject) => {
      release = resolve;
      fail = reject;
    });
  };
  const stream: ByteStream = {
    start: () => {},
    write: (chunk) => {
      writes.push([chunk.slice()]);
      return answer();
    },
    close: () => {
      closed = true;
    },
  };
  if (options.writev === true) {
    stream.writev = (chunks) => {
      writes.push(chunks.map((c) => c.slice()));
      return answer();
    };
  }
  return {
    stream,
    writes,
    setFull: (value: boolean) => (full = value),
    release: () => release?.(),
    fail: (error: Error) => fail?.(error),
    closed: () => closed,
  };
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('spec/rpc.md §2.4 one write per turn', () => {
  test('the writes of one turn reach the transport as one write, in order', async () => {
    const t = inner();
    const out = new CoalescingStream(t.stream);
    out.write(bytes(1, 2));
    await Promise.resolve();
    out.write(bytes(3));
    expect(t.writes).toHaveLength(0);
    await turn();
    expect(t.writes).toEqual([[bytes(1, 2, 3)]]);
    out.write(bytes(4));
    await turn();
    expect(t.writes).toEqual([[bytes(1, 2, 3)], [bytes(4)]]); // one chunk: written as it is
  });

  test('chunks that lie back to back in one buffer go out as one view of it, not a copy', () => {
    const seen: Uint8Array[] = [];
    const out = new CoalescingStream({ start: () => {}, write: (chunk) => void seen.push(chunk), close: () => {} });
    const slab = bytes(1, 2, 3, 4, 5, 6);
    out.write(slab.subarray(0, 2));
    out.write(slab.subarray(2, 5));
    out.urgent();
    out.write(slab.subarray(5));
    out.write(bytes(7)); // not adjacent: copied
    out.urgent();
    out.write(slab.subarray(0, 1));
    expect(seen).toEqual([bytes(1, 2, 3, 4, 5, 6), bytes(7, 1)]);
    expect(seen[0]!.buffer).toBe(slab.buffer);
    expect(seen[1]!.buffer).not.toBe(slab.buffer);
  });

  test('urgent(): the next write goes out at once, with what is held', async () => {
    const t = inner();
    const out = new CoalescingStream(t.stream);
    out.write(bytes(1));
    out.urgent();
    out.write(bytes(2));
    expect(t.writes).toEqual([[bytes(1, 2)]]);
    await turn();
    expect(t.writes).toHaveLength(1); // the scheduled flush finds nothing
  });

  test('past 256 KiB held, the bytes go out at once; large turns use writev when there is one', async () => {
    const t = inner({ writev: true });
    const out = new CoalescingStream(t.stream);
    const big = new Uint8Array(160 * 1024);
    out.write(big);
    expect(t.writes).toHaveLength(0);
    out.write(big);
    expect(t.writes).toHaveLength(1);
    expect(t.writes[0]!.map((c) => c.length)).toEqual([big.length, big.length]);
  });

  test('a full transport: writes return its promise until it drains; then go on', async () => {
    const t = inner();
    const out = new CoalescingStream(t.stream);
    t.setFull(true);
    out.urgent();
    const first = out.write(bytes(1)); // handed over at once; the transport says it is full
    expect(first).toBeInstanceOf(Promise);
    const waiting = out.write(bytes(2));
    expect(waiting).toBe(first);
    t.setFull(false);
    t.release();
    await waiting;
    expect(out.write(bytes(3))).toBeUndefined();
    await turn();
    expect(t.writes.flat()).toEqual([bytes(1), bytes(2, 3)]);
  });

  test('a failed transport write is thrown to the next write (the session then ends)', async () => {
    const t = inner();
    const out = new CoalescingStream(t.stream);
    t.setFull(true);
    out.urgent();
    out.write(bytes(1));
    t.fail(new Error('EPIPE'));
    await turn();
    expect(() => out.write(bytes(2))).toThrow('EPIPE');
  });

  test('close() writes what is held, then closes the transport', () => {
    const t = inner();
    const out = new CoalescingStream(t.stream);
    out.write(bytes(9));
    out.close();
    expect(t.writes).toEqual([[bytes(9)]]);
    expect(t.closed()).toBe(true);
  });
});
