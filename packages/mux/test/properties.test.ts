/**
 * spec/qmux.md §3–§5 as properties: random interleavings of open / write / closeWrite / close on
 * both ends of many channels, over a transport that merges and splits bytes at random, deliver
 * every byte in order and exactly once, and leave no channel or buffered byte behind.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Session, type Channel } from '@petrichor/mux';
import type { MuxChannel } from '../src/channel.js';
import { concat, pattern } from './helpers/bytes.js';
import { chunkingPipe } from './helpers/chunking-pipe.js';

type Op =
  | { op: 'open'; side: 0 | 1 }
  | { op: 'write'; pair: number; end: 0 | 1; size: number }
  | { op: 'closeWrite'; pair: number; end: 0 | 1 }
  | { op: 'close'; pair: number; end: 0 | 1 }
  | { op: 'tick' };

const end01 = fc.constantFrom<0 | 1>(0, 1);
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('open' as const), side: end01 }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('write' as const), pair: fc.nat(), end: end01, size: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('closeWrite' as const), pair: fc.nat(), end: end01 }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const), pair: fc.nat(), end: end01 }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const) }) },
);

const optionsArbitrary = fc
  .record({ windowSize: fc.integer({ min: 16, max: 4096 }), maxPacketSize: fc.integer({ min: 9, max: 600 }), threshold: fc.double({ min: 0, max: 1, noNaN: true }) })
  .map(({ windowSize, maxPacketSize, threshold }) => ({
    windowSize,
    maxPacketSize,
    windowUpdateThreshold: Math.max(1, Math.round(windowSize * threshold)),
  }));

/** One end of a channel as the harness sees it. */
interface End {
  channel: Channel;
  /** Attempted writes in order, with how each one settled. */
  writes: { bytes: Uint8Array; outcome: 'pending' | 'ok' | 'rejected' }[];
  received: Uint8Array[];
  reading: Promise<void>;
  closedEarly: boolean;
  settles: Promise<unknown>[];
}

function track(channel: Channel): End {
  const end: End = { channel, writes: [], received: [], reading: Promise.resolve(), closedEarly: false, settles: [] };
  end.reading = (async () => {
    for (;;) {
      const chunk = await channel.read();
      if (chunk === null) return;
      end.received.push(chunk);
    }
  })();
  return end;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('spec/qmux.md §3–§5 properties', () => {
  test('random interleavings under random chunking: in order, exactly once, nothing left behind', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        optionsArbitrary,
        optionsArbitrary,
        fc.array(opArbitrary, { minLength: 1, maxLength: 40 }),
        async (seed, optionsA, optionsB, ops) => {
          const [a, b] = chunkingPipe(seed);
          const sessions = [new Session(a, optionsA), new Session(b, optionsB)] as const;
          const pairs: [End, End][] = [];
          let stamp = 1;

          for (const op of ops) {
            if (op.op === 'tick') {
              await tick();
              continue;
            }
            if (op.op === 'open') {
              const opener = sessions[op.side];
              const acceptor = sessions[1 - op.side]!;
              const [mine, theirs] = await Promise.all([opener.open(), acceptor.accept()]);
              expect(theirs.remoteId).toBe(mine.id);
              expect(mine.remoteId).toBe(theirs.id);
              pairs.push([track(mine), track(theirs)]);
              continue;
            }
            if (pairs.length === 0) continue;
            const end = pairs[op.pair % pairs.length]![op.end];
            if (op.op === 'write') {
              const record = { bytes: pattern(op.size, stamp++), outcome: 'pending' as 'pending' | 'ok' | 'rejected' };
              end.writes.push(record);
              end.settles.push(
                end.channel.write(record.bytes).then(
                  () => (record.outcome = 'ok'),
                  () => (record.outcome = 'rejected'),
                ),
              );
            } else if (op.op === 'closeWrite') {
              end.settles.push(end.channel.closeWrite().catch(() => {}));
            } else {
              end.closedEarly = true;
              end.settles.push(end.channel.close());
            }
          }

          // Wind down: EOF everywhere, read to the end, then close everything.
          for (const pair of pairs) for (const end of pair) end.settles.push(end.channel.closeWrite().catch(() => {}));
          await Promise.all(pairs.flatMap((pair) => pair.map((end) => end.reading)));
          await Promise.all(pairs.flatMap((pair) => pair.map((end) => end.channel.close())));
          await Promise.all(pairs.flatMap((pair) => pair.flatMap((end) => end.settles)));

          for (const pair of pairs) {
            for (const [writer, reader] of [
              [pair[0], pair[1]],
              [pair[1], pair[0]],
            ] as const) {
              const received = concat(reader.received);
              const ok = writer.writes.filter((w) => w.outcome === 'ok');
              // Writes settle in order: the ones that went through come first, then only failures.
              expect(writer.writes.slice(0, ok.length).every((w) => w.outcome === 'ok')).toBe(true);
              expect(writer.writes.every((w) => w.outcome !== 'pending')).toBe(true);
              const firstFailed = writer.writes[ok.length];
              const possible = concat([...ok.map((w) => w.bytes), ...(firstFailed ? [firstFailed.bytes] : [])]);
              // Exactly once and in order: what arrived is a prefix of what was written.
              expect(received.length).toBeLessThanOrEqual(possible.length);
              expect(Buffer.compare(received, possible.subarray(0, received.length))).toBe(0);
              // And nothing written successfully is lost unless the reader itself closed early.
              if (!reader.closedEarly) {
                expect(received.length).toBeGreaterThanOrEqual(ok.reduce((sum, w) => sum + w.bytes.length, 0));
              }
              expect((reader.channel as MuxChannel).bufferedBytes).toBe(0);
            }
          }
          expect(sessions[0].channelCount).toBe(0);
          expect(sessions[1].channelCount).toBe(0);
          sessions[0].close();
          expect(await sessions[0].closed).toBeUndefined();
          expect(await sessions[1].closed).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);
});
