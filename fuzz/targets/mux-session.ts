/**
 * A whole mux Session fed hostile bytes through a scripted ByteStream (spec/qmux.md §6), while
 * the application opens, accepts, reads, writes and closes channels. The sink never throws; the
 * session ends with a typed MuxError or keeps running (until we close it); every operation
 * settles, with a value or a MuxError; what the session writes is valid qmux; a violation closes
 * the transport. Unhandled rejections and uncaught exceptions fail the run (see run.ts).
 */
import fc from 'fast-check';
import { FrameDecoder, MuxError, ProtocolError, Session, type Channel, type SessionOptions } from '@petrichor/mux';
import { FuzzStream, settle } from '../fuzz-stream.js';
import { chunked, collectGarbage, FuzzFailure, hex, invariant, tally, typed, type Target } from '../harness.js';
import { hostileBytes } from '../mutate.js';
import { qmuxFormat, unhex } from '../qmux-format.js';

interface Input {
  bytes: Uint8Array;
  cuts: number[] | 'bytes';
  options: SessionOptions;
  /** How the transport ends after the bytes: cleanly, with an error, or not at all (we close). */
  end: 'end' | 'error' | 'open';
  /** The transport reports "full" on every write until the end. */
  blocked: boolean;
  /** Channels we open before the bytes arrive (our ids 0, 1, …, which hostile bytes name). */
  opens: number;
}

/** How long an input may take in all; the session waits on timers, so this is wall time. */
const SETTLE_MS = 2000;
/** Over this, the input is run twice more and fails if every try is over: super-linear time. */
const INPUT_BUDGET_MS = 250;

export const muxSessionTarget: Target<Input> = {
  name: 'mux-session',
  about: 'a mux Session fed hostile bytes while the app opens, accepts, reads, writes, closes',
  runs: 50_000,
  input: fc.record({
    bytes: hostileBytes(qmuxFormat),
    cuts: fc.oneof({ weight: 4, arbitrary: fc.array(fc.nat(), { maxLength: 8 }) }, { weight: 1, arbitrary: fc.constant('bytes' as const) }),
    options: fc.record(
      {
        windowSize: fc.constantFrom(1, 64, 1024, 1024 * 1024, 0xffffffff),
        maxPacketSize: fc.constantFrom(9, 32, 300, 64 * 1024, 2 ** 31),
        maxChannels: fc.constantFrom(1, 3, 65_536),
        acceptBacklog: fc.constantFrom(0, 1, 256),
        maxQueuedBytes: fc.constantFrom(1, 64, 1024 * 1024),
      },
      { requiredKeys: [] },
    ),
    end: fc.constantFrom('end' as const, 'error' as const, 'open' as const),
    blocked: fc.boolean(),
    opens: fc.nat(2),
  }),
  examples: [
    // The peer opens channel 5 with a huge window, then claims 2^31 and 2^32 − 1 bytes of DATA on it.
    { bytes: unhex('64 00000005 ffffffff 80000000 | 68 00000000 80000000 616263'), cuts: [13], options: { windowSize: 0xffffffff, maxPacketSize: 2 ** 31 }, end: 'open', blocked: false, opens: 0 },
    { bytes: unhex('64 00000005 ffffffff 80000000 | 68 00000000 ffffffff 616263'), cuts: [13], options: { windowSize: 0xffffffff, maxPacketSize: 2 ** 31 }, end: 'end', blocked: false, opens: 0 },
    { bytes: unhex('68 00000000 ffffffff'), cuts: 'bytes', options: {}, end: 'end', blocked: false, opens: 1 },
    { bytes: unhex('67 00000000 ffffffff | 67 00000000 ffffffff'), cuts: [], options: {}, end: 'open', blocked: true, opens: 1 },
  ],
  size: (i) => i.bytes.length,
  async check(input) {
    let took = Infinity;
    for (let tries = 0; tries < 3 && took > INPUT_BUDGET_MS; tries++) {
      if (tries > 0) collectGarbage();
      const start = performance.now();
      await scenario(input);
      took = Math.min(took, performance.now() - start);
    }
    invariant(took <= INPUT_BUDGET_MS, () => `a session fed ${input.bytes.length} bytes took ${took.toFixed(0)} ms (budget ${INPUT_BUDGET_MS} ms, 3 tries): super-linear time`);
  },
};

async function scenario({ bytes, cuts, options, end, blocked, opens }: Input): Promise<void> {
  const stream = new FuzzStream();
  const session = new Session(stream, { ...options, openTimeoutMs: 0 });
  if (blocked) stream.block();
  const operations: Promise<unknown>[] = [];
  /** Tracks an operation: it must settle, with a value or a MuxError. */
  const track = <T>(label: string, promise: Promise<T>): Promise<T | undefined> => {
    const checked = promise.then(
      (value) => value,
      (error: unknown) => {
        typed(label, MuxError, error);
        return undefined;
      },
    );
    operations.push(checked);
    return checked;
  };

  for (let i = 0; i < opens; i++) {
    void track('session.open()', session.open()).then((channel) => channel && serve(channel, track));
  }
  void track('accept loop', (async () => {
    for await (const channel of session) serve(channel, track);
  })());

  const sink = stream.sink!;
  const chunks = chunked(bytes, cuts);
  for (const chunk of chunks) {
    try {
      sink.data(chunk);
    } catch (error) {
      throw new FuzzFailure(`sink.data threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} (input ${hex(bytes)})`);
    }
    if (cuts !== 'bytes') await settle();
  }
  await settle();
  try {
    if (end === 'end') sink.end();
    else if (end === 'error') sink.end(new Error('connection reset by the fuzzer'));
  } catch (error) {
    throw new FuzzFailure(`sink.end threw ${String(error)}`);
  }
  await settle();
  stream.unblock();
  session.close();

  const outcome = await within(session.closed, 'session.closed');
  tally(outcome === undefined ? 'session ended cleanly' : `session ended: ${outcome instanceof MuxError ? outcome.code : String(outcome)}`);
  invariant(outcome === undefined || (outcome instanceof MuxError && typeof outcome.code === 'string'), () => `session.closed resolved with ${String(outcome)}, not undefined or a MuxError`);
  if (outcome instanceof ProtocolError) invariant(stream.closed, () => `the session ended with ${outcome.message} but did not close the transport`);
  await within(Promise.all(operations), `${operations.length} operations`);

  // What we wrote must be valid qmux.
  const decoder = new FrameDecoder();
  try {
    for (const chunk of stream.written) decoder.push(chunk, () => {});
  } catch (error) {
    throw new FuzzFailure(`the session wrote invalid qmux: ${String(error)} (input ${hex(bytes)})`);
  }
  invariant(decoder.idle, () => `the session's writes end inside a message (input ${hex(bytes)})`);
}

/** What the application does with a channel: read to the end (bounded), answer once, close. */
function serve(channel: Channel, track: <T>(label: string, promise: Promise<T>) => Promise<T | undefined>): void {
  void track(`channel ${channel.id}`, (async () => {
    let reads = 0;
    for await (const chunk of channel) {
      if (reads++ === 0) await track('channel.write()', channel.write(chunk.subarray(0, 5)));
      if (reads > 10_000) throw new FuzzFailure('a channel delivered more than 10,000 chunks');
    }
    await track('channel.closeWrite()', channel.closeWrite());
    await track('channel.close()', channel.close());
  })());
  void track('channel.closed', channel.closed);
}

async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FuzzFailure(`${what} did not settle within ${SETTLE_MS} ms of session.close(): a hang`)), SETTLE_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
