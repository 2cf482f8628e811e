/**
 * Calls through a faulty network (spec/rpc.md §2.6, §3.3, §8.3): a seeded proxy delays, splits,
 * stalls and cuts the connections of an `Endpoints` client. Every call settles within its deadline
 * plus a margin, with the right value or a typed error; no call runs twice (calls are never
 * retried); every deliver settles, and each one that resolved ran on the server.
 *
 * A failing run prints its seed; rerun it with `CHAOS_SEED=<seed> pnpm vitest run --project hardening chaos`.
 */
import { afterAll, beforeAll, describe, expect, onTestFailed, test } from 'vitest';
import { Endpoints, RpcError, RpcSessionError } from '@petrichor/rpc';
import { connect } from '@petrichor/transport/node';
import { ChaosProxy, prng, type Faults } from './helpers/chaos-proxy.js';
import { startStack, type Stack } from './helpers/stack.js';
import { sleep, steady, within } from './helpers/wait.js';

const SEED = Number(process.env['CHAOS_SEED'] ?? 20261203);
const CALLS = 160;
const WORKERS = 8;
const TIMEOUT_MS = 800; // each call's deadline
const CONNECT_TIMEOUT_MS = 500; // Endpoints: one connect and handshake
/** Scheduling on a shared 2-core machine: how late past its bound a settled call may be noticed. */
const MARGIN_MS = 700;

/** Session failures a call may end with on a network that cuts connections. */
const SESSION_CODES = new Set(['RPC_CONNECTION_LOST', 'RPC_NO_ENDPOINT', 'RPC_HANDSHAKE_TIMEOUT', 'RPC_HANDSHAKE']);
/** Call errors it may end with: the deadline, a refused channel. */
const CALL_KINDS = new Set(['DEADLINE_EXCEEDED', 'UNAVAILABLE']);

const PROFILES: Record<string, Faults> = {
  'delays, splits and stalls, rare cuts': { maxDelayMs: 5, split: 0.3, stall: 0.02, maxStallMs: 300, cut: 0.004, maxLifetimeMs: 2500 },
  'connections cut every few hundred ms, often mid-frame': { maxDelayMs: 3, split: 0.3, stall: 0.01, maxStallMs: 200, cut: 0.02, maxLifetimeMs: 600 },
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('tcp://127.0.0.1:0');
});
afterAll(async () => {
  await stack.close();
});

interface Outcome {
  id: string;
  kind: 'call' | 'deliver';
  n: number;
  ms: number;
  elapsed: number;
  value?: unknown;
  error?: unknown;
}

/** Whether `error` is one of the typed errors a call may end with here (a stable code, an expected kind). */
function typed(error: unknown): boolean {
  if (error instanceof RpcError) return CALL_KINDS.has(error.kind);
  return error instanceof RpcSessionError && SESSION_CODES.has(error.code);
}

describe('calls through a seeded chaos proxy', () => {
  for (const [name, faults] of Object.entries(PROFILES)) {
    test(name, async () => {
      const seed = SEED + name.length;
      onTestFailed(() => console.log(`chaos seed ${seed}: rerun with CHAOS_SEED=${SEED}`));
      const proxy = await ChaosProxy.start(stack.url, seed, faults);
      const api = new Endpoints([() => connect(proxy.url)], {
        user: `chaos-${seed}`,
        backoffMs: 10,
        maxBackoffMs: 50,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
      });
      const random = prng(seed);
      const outcomes: Outcome[] = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        // Bounded: each turn takes one of the CALLS.
        while (next < CALLS) {
          const i = next++;
          const kind = random() < 0.25 ? 'deliver' : 'call';
          const outcome: Outcome = { id: `${seed}-${i}`, kind, n: i, ms: Math.floor(random() * 40), elapsed: 0 };
          const body = { id: outcome.id, n: outcome.n, ms: outcome.ms };
          const started = performance.now();
          try {
            if (kind === 'call') outcome.value = await api.call('PUT', '/op', body, { timeout: TIMEOUT_MS });
            else await api.deliver('PUT', '/op', body, { timeout: TIMEOUT_MS });
          } catch (error) {
            outcome.error = error;
          }
          outcome.elapsed = performance.now() - started;
          outcomes.push(outcome);
          // As a real client would: no endpoint is up, so wait a little before the next call.
          if (outcome.error instanceof RpcSessionError && outcome.error.code === 'RPC_NO_ENDPOINT') await sleep(30);
        }
      };
      try {
        // None hangs: all of them settle, or the test fails naming it.
        await within(Promise.all(Array.from({ length: WORKERS }, worker)), 60_000, 'every call settling');
      } finally {
        await api.close();
        await proxy.close();
      }
      // Handlers still running for cut connections finish (or are aborted) before we count runs.
      await steady(() => [...stack.stats.runs.values()].reduce((a, b) => a + b, 0), 200, 3000);

      expect(outcomes).toHaveLength(CALLS);
      const bound = CONNECT_TIMEOUT_MS + TIMEOUT_MS + MARGIN_MS;
      const late = outcomes.filter((o) => o.elapsed > bound);
      expect(late.map((o) => `${o.id} took ${o.elapsed.toFixed(0)} ms`)).toEqual([]);
      const untyped = outcomes.filter((o) => o.error !== undefined && !typed(o.error));
      expect(untyped.map((o) => `${o.id}: ${String(o.error)}`)).toEqual([]);

      let resolved = 0;
      let lostDelivers = 0;
      for (const o of outcomes) {
        const runs = stack.stats.runs.get(o.id) ?? 0;
        // Never run twice: nothing is retried behind the caller's back.
        expect(runs, o.id).toBeLessThanOrEqual(1);
        if (o.kind === 'call' && o.error === undefined) {
          resolved++;
          expect(o.value).toEqual({ id: o.id, double: o.n * 2 });
          expect(runs, `${o.id} resolved, so it ran`).toBe(1);
        }
        if (o.kind === 'deliver' && o.error === undefined && runs === 0) lostDelivers++;
      }
      const delivers = outcomes.filter((o) => o.kind === 'deliver');
      const codes = new Map<string, number>();
      for (const o of outcomes) {
        if (o.error === undefined) continue;
        const code = o.error instanceof RpcError ? o.error.kind : (o.error as RpcSessionError).code;
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      console.log(
        `chaos "${name}" seed ${seed}: ${proxy.connections} connections, ${proxy.cuts} cut; ` +
          `${resolved}/${CALLS - delivers.length} calls resolved, errors ${JSON.stringify(Object.fromEntries(codes))}; ` +
          `${delivers.filter((o) => o.error === undefined).length}/${delivers.length} delivers resolved, ${lostDelivers} of those never ran; ` +
          `slowest ${Math.max(...outcomes.map((o) => o.elapsed)).toFixed(0)} ms (bound ${bound})`,
      );
      // The faults happened: this run tested something.
      expect(proxy.cuts).toBeGreaterThan(0);
      // A resolved deliver means the server has it: none is lost silently.
      expect(lostDelivers).toBe(0);
      expect(resolved).toBeGreaterThan(0);
    });
  }
});
