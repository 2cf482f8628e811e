/** Small helpers the session is built from: options, the channel id table, the FIFO queue. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DEFAULTS } from '@petrichor/mux';
import { ChannelTable } from '../src/channel-table.js';
import { Deque } from '../src/deque.js';
import { Outbox } from '../src/outbox.js';
import type { ByteStream } from '../src/stream.js';
import { resolveOptions } from '../src/options.js';

describe('spec/qmux.md §7 options', () => {
  test('defaults fill in, the window threshold defaults to half the window', () => {
    const resolved = resolveOptions(undefined);
    expect(resolved).toMatchObject(DEFAULTS);
    expect(resolved.windowUpdateThreshold).toBe(DEFAULTS.windowSize / 2);
    expect(resolveOptions({ windowSize: 100 }).windowUpdateThreshold).toBe(50);
    expect(resolveOptions({ windowSize: 1 }).windowUpdateThreshold).toBe(1);
  });

  test('values outside their range are refused with RangeError', () => {
    for (const bad of [
      { maxPacketSize: 8 },
      { maxPacketSize: 2 ** 31 + 1 },
      { windowSize: 0 },
      { windowSize: 2 ** 32 },
      { windowSize: 1.5 },
      { maxChannels: 0 },
      { acceptBacklog: -1 },
      { openTimeoutMs: Number.NaN },
      { windowSize: 100, windowUpdateThreshold: 101 },
      { windowUpdateThreshold: 0 },
    ]) {
      expect(() => resolveOptions(bad), JSON.stringify(bad)).toThrow(RangeError);
    }
    expect(resolveOptions({ maxPacketSize: 9, acceptBacklog: 0, openTimeoutMs: 0 })).toMatchObject({ maxPacketSize: 9 });
  });
});

describe('spec/qmux.md §5 channel ids', () => {
  test('lowest free index first, reused after removal', () => {
    const table = new ChannelTable<{ id: number; name: string }>();
    const item = (name: string): { id: number; name: string } => ({ id: -1, name });
    expect([table.add(item('a')), table.add(item('b')), table.add(item('c'))].map((x) => x.id)).toEqual([0, 1, 2]);
    table.remove(1);
    table.remove(0);
    expect([table.add(item('d')), table.add(item('e')), table.add(item('f'))].map((x) => x.id)).toEqual([0, 1, 3]);
    expect(table.size).toBe(4);
    expect(table.get(2)?.name).toBe('c');
    expect(table.get(3)?.name).toBe('f');
    expect(table.get(4_000_000_000)).toBeUndefined();
  });

  test('property: always the lowest id not in use, against a model', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(-1), fc.nat(40)), { maxLength: 200 }), (ops) => {
        const table = new ChannelTable<{ id: number }>();
        const live = new Set<number>();
        for (const op of ops) {
          if (op === -1) {
            let expected = 0;
            while (live.has(expected)) expected++;
            const got = table.add({ id: -1 }).id;
            expect(got).toBe(expected);
            live.add(got);
          } else {
            table.remove(op);
            live.delete(op);
          }
          expect(table.size).toBe(live.size);
        }
        expect(table.clear().map((x) => x.id).sort((a, b) => a - b)).toEqual([...live].sort((a, b) => a - b));
        expect(table.size).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Deque', () => {
  test('property: FIFO order against an array model, across compactions', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 3000 }), (ops) => {
        const deque = new Deque<number>();
        const model: number[] = [];
        for (const op of ops) {
          if (op === null) expect(deque.shift()).toBe(model.shift());
          else {
            deque.push(op);
            model.push(op);
          }
          expect(deque.length).toBe(model.length);
          expect(deque.peek()).toBe(model[0]);
        }
        expect(deque.drain()).toEqual(model);
        expect(deque.length).toBe(0);
      }),
      { numRuns: 50 },
    );
  });
});

describe('Outbox (spec/qmux.md §8)', () => {
  test('each flush is a view of its own bytes; later frames never overwrite what was handed over', async () => {
    const written: Uint8Array[] = [];
    const copies: Uint8Array[] = [];
    const stream: ByteStream = {
      start: () => {},
      write: (chunk) => {
        written.push(chunk);
        copies.push(chunk.slice());
      },
      close: () => {},
    };
    const outbox = new Outbox(stream, 1024 * 1024, { drained: () => {}, failed: (error) => { throw error; } });
    // Enough turns to fill several slabs: every view must still hold the bytes it was written with.
    for (let turn = 0; turn < 3000; turn++) {
      outbox.eof(turn);
      outbox.close(turn);
      await Promise.resolve();
    }
    expect(written).toHaveLength(3000);
    for (let k = 0; k < written.length; k++) {
      expect(written[k]).toEqual(copies[k]);
      expect(written[k]).toEqual(Uint8Array.from([0x69, 0, 0, k >> 8, k & 0xff, 0x6a, 0, 0, k >> 8, k & 0xff]));
    }
    // Consecutive flushes lie back to back, so a joining stream can send them as one view.
    expect(written[1]!.buffer).toBe(written[0]!.buffer);
    expect(written[1]!.byteOffset).toBe(written[0]!.byteOffset + written[0]!.length);
  });
  test('a write that carries a WINDOW_ADJUST is marked urgent; others are not', async () => {
    const events: string[] = [];
    const stream: ByteStream = {
      start: () => {},
      write: (chunk) => void events.push(`write ${chunk[0]}`),
      urgent: () => void events.push('urgent'),
      close: () => {},
    };
    const outbox = new Outbox(stream, 1024 * 1024, { drained: () => {}, failed: (error) => { throw error; } });
    outbox.eof(1);
    await Promise.resolve();
    outbox.windowAdjust(1, 4096);
    outbox.eof(1);
    await Promise.resolve();
    outbox.eof(1);
    await Promise.resolve();
    // 105: EOF, 103: WINDOW_ADJUST (spec/qmux.md §3).
    expect(events).toEqual(['write 105', 'urgent', 'write 103', 'write 105']);
  });
});
