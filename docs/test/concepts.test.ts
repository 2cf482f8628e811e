/**
 * docs/concepts.md shows one call's life on the wire as annotated hex dumps. They are what
 * scripts/wire-trace.ts prints from a real client and server (spec/rpc.md §1, §2.4, §3.1, §4.1;
 * spec/qmux.md §2): this test runs the trace and checks the page holds exactly its blocks, in
 * order, so the page cannot drift from the bytes the code writes.
 */
import { describe, expect, test } from 'vitest';
import { wireTrace } from '../../scripts/wire-trace.js';
import { fencedBlocks, readRepoFile } from './run.js';

const concepts = readRepoFile('docs/concepts.md');

describe('docs/concepts.md, one call on the wire', () => {
  test('the hex dumps are what a real session writes, write by write', async () => {
    const trace = await wireTrace();
    const quoted = fencedBlocks(concepts, 'text')
      .filter((block) => /^(c→s|s→c) {2}write \d+/.test(block))
      .map((block) => block.replace(/\n$/, ''));
    expect(quoted).toEqual(trace);
  });

  test('the trace is the same on every run (nothing random or timed reaches the wire)', async () => {
    expect(await wireTrace()).toEqual(await wireTrace());
  });

  test('the trace is the life the page describes: handshake, OPEN/CONFIRM, request, reply, CLOSE', async () => {
    const trace = await wireTrace();
    expect(trace.map((block) => block.split('\n')[0])).toEqual([
      'c→s  write 1, 102 bytes: the hello (spec/rpc.md §1.1)',
      's→c  write 2, 100 bytes: the answer (spec/rpc.md §1.3)',
      'c→s  write 3, 13 bytes: 1 qmux message',
      's→c  write 4, 17 bytes: 1 qmux message',
      'c→s  write 5, 68 bytes: 3 qmux messages',
      's→c  write 6, 69 bytes: 4 qmux messages',
      'c→s  write 7, 5 bytes: 1 qmux message',
    ]);
    expect(trace[4]).toMatch(/DATA +to 0, 41 bytes:\n.*34:4:verb,3:GET,/);
    expect(trace[5]).toMatch(/DATA +to 0, 33 bytes:\n.*15:6:status,3:20\n/);
    expect(trace[5]).toMatch(/10:hello, ana,\n.*EOF +to 0\n.*CLOSE +to 0$/);
  });
});
