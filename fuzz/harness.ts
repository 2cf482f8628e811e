/**
 * What every fuzz target shares: the {@link Target} shape, and {@link attempt}, which runs one
 * decoder call and enforces the invariants of issue 8 on it: only the package's typed errors come
 * out, and the call returns within a time budget.
 */
import type fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** A full collection, run before timing a slow call again so that only the call is timed. */
export const collectGarbage = runInNewContext('gc') as () => void;

/** One fuzz target: an input generator and the checks run on every input. */
export interface Target<T = unknown> {
  /** The name on the command line (`pnpm fuzz tnetstring`). */
  readonly name: string;
  /** One line: what is fed to what. */
  readonly about: string;
  /** Inputs in a full run (the time budget may stop it first). */
  readonly runs: number;
  /** Random bytes and mutations of valid inputs, mixed. */
  readonly input: fc.Arbitrary<T>;
  /** Inputs tried first in every run, whatever the seed: the extreme length prefixes above all. */
  readonly examples?: readonly T[];
  /** Bytes in an input, for the memory bound. */
  size(input: T): number;
  /** Runs the decoders on one input; throws a {@link FuzzFailure} when an invariant breaks. */
  check(input: T): void | Promise<void>;
}

/** An invariant broke. Anything else thrown out of a check is reported as a failure too. */
export class FuzzFailure extends Error {
  override get name(): string {
    return 'FuzzFailure';
  }
}

/** A typed error of the package under test: its class matched and it has a stable `code` (RpcError's is an HTTP-like number). */
export interface TypedError {
  readonly code: string | number;
  readonly message: string;
}

/**
 * The time one call may take: 50 ms, plus 3 µs per input byte (about 250 ms at 64 KiB). The
 * slowest linear work measured is msgpack decodeAll of one tiny value per byte, under 3 µs a
 * byte on a loaded 2-core machine; quadratic work on tens of KiB takes seconds.
 */
export const CALL_BUDGET_MS = 50;
/** See {@link CALL_BUDGET_MS}. */
export const BYTE_BUDGET_MS = 0.003;
/** Added to the budget per chunk when a call feeds a stream decoder many chunks (one byte each, say). */
export const PUSH_BUDGET_MS = 0.005;
/** A slow call is timed this many times more, after a full GC; only the fastest counts (GC pauses, cold code). */
const RETRIES = 4;

/** Calls that went over budget once but not on retry: noise, counted for the report. */
export const noise = { retriedCalls: 0 };

/** How calls ended in the current target, by error code (`ok` for a value): shows what the inputs reach. */
export const outcomes = new Map<string, number>();

/** Counts one outcome in {@link outcomes}. */
export function tally(outcome: string): void {
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
}

/** What {@link attempt} returns: the value, or the typed error thrown. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: TypedError };

/**
 * Runs `fn` (a decoder call on `size` bytes of input). Returns its value or its typed error;
 * throws a {@link FuzzFailure} if it threw anything but an instance of `errorClass` with a string
 * `code`, or if it took longer than the budget on three tries. `fn` must be repeatable (build
 * any stateful decoder inside it). A stream feed passes `pushes`, how many chunks it feeds (each
 * adds {@link PUSH_BUDGET_MS} to the budget), and counts its own outcome. `numericCode` accepts a
 * number as `code` (RpcError); every other error class must have a string code.
 */
export function attempt<T>(label: string, errorClass: abstract new (...args: never[]) => Error, size: number, fn: () => T, feed?: { pushes: number }, numericCode = false): Outcome<T> {
  const pushes = feed?.pushes ?? 1;
  const budget = CALL_BUDGET_MS + BYTE_BUDGET_MS * size + PUSH_BUDGET_MS * pushes;
  let outcome: Outcome<T> | undefined;
  for (let tries = 0; tries <= RETRIES; tries++) {
    const start = performance.now();
    outcome = run(label, errorClass, fn, numericCode);
    const took = performance.now() - start;
    if (took <= budget) {
      if (tries > 0) noise.retriedCalls++;
      if (feed === undefined) tally(outcome.ok ? 'ok' : String(outcome.error.code));
      return outcome;
    }
    if (tries === RETRIES) {
      throw new FuzzFailure(`${label} took ${took.toFixed(1)} ms on ${size} bytes (budget ${budget.toFixed(0)} ms, ${RETRIES + 1} tries): super-linear time`);
    }
    collectGarbage();
  }
  return outcome!;
}

function run<T>(label: string, errorClass: abstract new (...args: never[]) => Error, fn: () => T, numericCode: boolean): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error: typed(label, errorClass, error, numericCode) };
  }
}

/** `error` if it is an instance of `errorClass` with a string `code` (or a number, when `numericCode`); else a {@link FuzzFailure}. */
export function typed(label: string, errorClass: abstract new (...args: never[]) => Error, error: unknown, numericCode = false): TypedError {
  const code = (error as Partial<TypedError> | null)?.code;
  if (error instanceof errorClass && (typeof code === 'string' || (numericCode && typeof code === 'number'))) return error as Error & TypedError;
  if (error instanceof FuzzFailure) throw error;
  const what = error instanceof Error ? `${error.name}: ${error.message}` : `a non-error ${String(error)}`;
  const failure = new FuzzFailure(`${label} threw ${what}, not a ${errorClass.name}`);
  if (error instanceof Error && error.stack !== undefined) failure.stack = `${failure.message}\n--- thrown:\n${error.stack}`;
  throw failure;
}

/** Fails with `message` unless `condition` holds. */
export function invariant(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new FuzzFailure(message());
}

/** Bytes as hex, shortened past `max` bytes, for failure messages. */
export function hex(bytes: Uint8Array, max = 96): string {
  const shown = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, max)).toString('hex');
  return bytes.length > max ? `${shown}… (${bytes.length} bytes)` : shown;
}

/** Byte-for-byte equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** The bytes of `parts`, joined in one buffer. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** `bytes` cut at `cuts` (taken modulo its length, sorted); 1-byte chunks when `cuts` is 'bytes'. */
export function chunked(bytes: Uint8Array, cuts: readonly number[] | 'bytes'): Uint8Array[] {
  if (cuts === 'bytes') return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
  const points = [...new Set(cuts.map((cut) => (bytes.length === 0 ? 0 : cut % (bytes.length + 1))))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}
