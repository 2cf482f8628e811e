/**
 * The soak's call mix, shared by the driver and the server: which kind of call a sequence number
 * makes, and the routes that answer them. Every request carries its sequence number and every
 * answer echoes it, so a lost, duplicated or crossed message shows as a mismatch.
 */
import { RpcError, type Server } from '@petrichor/rpc';

/** What a call does. */
export type Kind = 'unary' | 'stream' | 'deliver' | 'error';

/** The kinds in order, for tables. */
export const KINDS: readonly Kind[] = ['unary', 'stream', 'deliver', 'error'];

/**
 * The mix, per 100 calls: 90 unary echoes, 6 streamed replies, 3 one-way deliveries, 1 error
 * (404 from no route and 409 from a handler, in turn).
 */
export function kindOf(seq: number): Kind {
  const r = seq % 100;
  return r < 90 ? 'unary' : r < 96 ? 'stream' : r < 99 ? 'deliver' : 'error';
}

/** Items in the streamed reply to call `seq`: 1 … 8. */
export function streamLength(seq: number): number {
  return 1 + (seq % 8);
}

/** The text a unary request carries (and its reply must echo): about 40 bytes, unique per call. */
export function textOf(seq: number): string {
  return `soak message ${seq.toString(36)} ${'.'.repeat(seq % 16)}`;
}

/** Whether error call `seq` expects 404 (no route) rather than 409 (a handler's error). */
export function expects404(seq: number): boolean {
  return Math.floor(seq / 100) % 2 === 0;
}

/**
 * Faults the server can be told to make, so that a test can show the soak catches them:
 * `drop-one` silently discards one accepted delivery, `corrupt-one` answers one echo with another
 * call's sequence number, `leak` keeps 4 KiB for every echo it serves.
 */
export type Fault = 'drop-one' | 'corrupt-one' | 'leak';

/** The faults, for the command lines. */
export const FAULTS: readonly Fault[] = ['drop-one', 'corrupt-one', 'leak'];

/** `drop-one,leak` → the faults; throws a RangeError naming an unknown one. */
export function parseFaults(text: string | undefined): Fault[] {
  if (text === undefined || text === '' || text === 'none') return [];
  return text.split(',').map((name) => {
    const fault = FAULTS.find((f) => f === name);
    if (fault === undefined) throw new RangeError(`unknown fault ${name}: one of ${FAULTS.join(', ')}`);
    return fault;
  });
}

/** Counts of what the server served, by kind, and how it saw the deliveries. */
export type Served = {
  unary: number;
  stream: number;
  deliver: number;
  /** Handler-thrown 409s (404s never reach a handler). */
  error: number;
  /** Deliveries whose sequence number had already arrived. */
  duplicateDeliveries: number;
  /** Sum of the sequence numbers delivered: reconciles which, not only how many. */
  deliverySum: number;
};

/**
 * Adds the soak's routes to `server`. `calls` bounds the sequence numbers (the delivery bitmap is
 * one byte per call); `observe` runs at the start of every handler (the server's peak channels).
 */
export function soakRoutes(server: Server, calls: number, faults: readonly Fault[], observe: () => void): Served {
  const served: Served = { unary: 0, stream: 0, deliver: 0, error: 0, duplicateDeliveries: 0, deliverySum: 0 };
  const delivered = new Uint8Array(calls);
  let dropped = !faults.includes('drop-one');
  let corrupted = !faults.includes('corrupt-one');
  const leaks = faults.includes('leak');
  const leaked: Uint8Array[] = [];
  server.route('ECHO', '/echo', (ctx) => {
    observe();
    served.unary++;
    if (leaks) leaked.push(new Uint8Array(4096));
    if (!corrupted) {
      corrupted = true;
      const { seq, text } = ctx.body as { seq: number; text: string };
      return { seq: seq + 1, text };
    }
    return ctx.body;
  });
  server.route('GET', '/count', async function* (ctx) {
    observe();
    served.stream++;
    const { seq, n } = ctx.body as { seq: number; n: number };
    for (let i = 0; i < n; i++) yield { seq, i };
  });
  server.route('POST', '/tally', (ctx) => {
    observe();
    if (!dropped) {
      dropped = true;
      return;
    }
    served.deliver++;
    const { seq } = ctx.body as { seq: number };
    if (!Number.isSafeInteger(seq) || seq < 0 || seq >= calls) throw RpcError.badRequest(`seq ${seq} out of range`);
    if (delivered[seq] === 1) served.duplicateDeliveries++;
    delivered[seq] = 1;
    served.deliverySum += seq;
  });
  server.route('PUT', '/conflict', (ctx) => {
    observe();
    served.error++;
    throw RpcError.conflict('already there', ctx.body);
  });
  return served;
}
