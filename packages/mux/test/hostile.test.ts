/**
 * Hostile and broken peers (spec/qmux.md §6): crafted bytes through a scripted transport. Each
 * violation closes that session with a typed error that every pending operation rejects with,
 * while another session next to it carries on.
 */
import { describe, expect, test } from 'vitest';
import {
  MessageType,
  ProtocolError,
  Session,
  TransportError,
  encodeFrame,
  memoryPipe,
  type Channel,
  type SessionOptions,
} from '@petrichor/mux';
import { hex, text, utf8 } from './helpers/bytes.js';
import { ScriptedStream, settle } from './helpers/scripted.js';

const OPTIONS: SessionOptions = { windowSize: 64, maxPacketSize: 32, openTimeoutMs: 0 };
const u32 = (n: number) => n.toString(16).padStart(8, '0');
const OPEN_FROM_PEER = `64 ${u32(9)} ${u32(0)} ${u32(32)}`; // peer id 9, window 0: our writes must wait

/** A session with one of each pending operation, all waiting when the hostile bytes arrive. */
async function armed(options: SessionOptions = OPTIONS) {
  const peer = new ScriptedStream();
  const session = new Session(peer, options);
  peer.send(OPEN_FROM_PEER); // our id 0, confirmed at once
  const inbound = await session.accept();
  const opening = session.open(); // our id 1, never answered unless a test does
  await settle();
  expect(hex(peer.take())).toBe(`65${u32(9)}${u32(0)}${u32(options.windowSize!)}${u32(options.maxPacketSize!)}64${u32(1)}${u32(options.windowSize!)}${u32(options.maxPacketSize!)}`);
  const pending = {
    open: opening,
    accept: session.accept(),
    read: inbound.read(),
    write: inbound.write(text('waits for window')),
  };
  for (const promise of Object.values(pending)) promise.catch(() => {}); // inspected below
  return { peer, session, inbound, pending };
}

/** Checks the session died of a ProtocolError matching `reason`, and took everything with it. */
async function expectViolation(
  setup: Awaited<ReturnType<typeof armed>>,
  reason: RegExp,
  /** Pending operations the scenario settled legitimately before the violation. */
  settled: string[] = [],
): Promise<ProtocolError> {
  const { peer, session, inbound, pending } = setup;
  const error = await session.closed;
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).code).toBe('MUX_PROTOCOL');
  expect((error as ProtocolError).reason).toMatch(reason);
  for (const [name, promise] of Object.entries(pending)) {
    if (!settled.includes(name)) await expect(promise, name).rejects.toBe(error);
  }
  await expect(session.open()).rejects.toBe(error);
  if (!settled.includes('write')) await expect(inbound.write(text('x'))).rejects.toBe(error);
  await expect(inbound.close()).resolves.toBeUndefined();
  expect(peer.closed).toBe(true);
  expect(session.channelCount).toBe(0);
  await healthySessionStillWorks();
  return error as ProtocolError;
}

/** A second, unrelated pair of sessions keeps working. */
async function healthySessionStillWorks(): Promise<void> {
  const [a, b] = memoryPipe();
  const client = new Session(a);
  const server = new Session(b);
  const accepted = server.accept();
  const channel: Channel = await client.open();
  await channel.write(text('fine'));
  expect(utf8((await (await accepted).read())!)).toBe('fine');
  client.close();
  await server.closed;
}

describe('spec/qmux.md §6.1 violations close the session', () => {
  test('an unknown message number', async () => {
    const setup = await armed();
    setup.peer.send('6b 00000000');
    const error = await expectViolation(setup, /unknown message number 107/);
    expect(error.offset).toBe(13); // after the 13-byte OPEN
  });

  test('DATA larger than our max packet, rejected from its header before any payload', async () => {
    const setup = await armed();
    setup.peer.send(`68 ${u32(0)} ${u32(33)}`);
    await expectViolation(setup, /exceeds the max packet of 32/);
  });

  test('DATA with a hostile 4 GiB length', async () => {
    const setup = await armed();
    setup.peer.send(`68 ${u32(0)} ffffffff`);
    await expectViolation(setup, /exceeds the max packet/);
  });

  test('DATA past the window we advertised', async () => {
    const setup = await armed({ ...OPTIONS, windowUpdateThreshold: 64 });
    const data = (n: number) => `68 ${u32(0)} ${u32(n)} ${'61'.repeat(n)}`;
    setup.peer.send(data(32) + data(32)); // exactly the 64-byte window: fine
    setup.peer.send(data(1));
    // The pending read took 32 bytes, below the threshold: no window went back.
    await expectViolation(setup, /DATA of 1 bytes past the window of 0/, ['read']);
  });

  test('a message for a channel id that is not open', async () => {
    const setup = await armed();
    setup.peer.send(`68 ${u32(5)} ${u32(1)} 61`);
    await expectViolation(setup, /data for channel 5, which is not open/);
  });

  test('OPEN_CONFIRM for a channel we never opened (unknown id)', async () => {
    const setup = await armed();
    setup.peer.send(`65 ${u32(7)} ${u32(0)} ${u32(64)} ${u32(32)}`);
    await expectViolation(setup, /open-confirm for channel 7, which is not open/);
  });

  test('OPEN_CONFIRM for a channel the peer opened', async () => {
    const setup = await armed();
    setup.peer.send(`65 ${u32(0)} ${u32(0)} ${u32(64)} ${u32(32)}`);
    await expectViolation(setup, /open-confirm for a channel the peer opened/);
  });

  test('OPEN_FAILURE for a channel already open', async () => {
    const setup = await armed();
    setup.peer.send(`66 ${u32(0)}`);
    await expectViolation(setup, /open-failure for a channel the peer opened/);
  });

  test('OPEN_CONFIRM with a max packet below 9', async () => {
    const setup = await armed();
    setup.peer.send(`65 ${u32(1)} ${u32(4)} ${u32(64)} ${u32(8)}`);
    await expectViolation(setup, /max packet 8 outside \[9, 2147483648\]/);
  });

  test('OPEN_CONFIRM with a max packet above 2^31', async () => {
    const setup = await armed();
    setup.peer.send(`65 ${u32(1)} ${u32(4)} ${u32(64)} ${u32(2 ** 31 + 1)}`);
    await expectViolation(setup, /max packet 2147483649 outside/);
  });

  test('DATA on a channel before it is confirmed', async () => {
    const setup = await armed();
    setup.peer.send(`68 ${u32(1)} ${u32(1)} 61`);
    await expectViolation(setup, /data before the channel was confirmed/);
  });

  test('WINDOW_ADJUST pushing the send window past 2^32 - 1', async () => {
    const setup = await armed();
    setup.peer.send(`67 ${u32(0)} ffffffff`); // 0 + (2^32 - 1): the largest legal window
    await setup.pending.write; // its 16 bytes went out: the window is 2^32 - 17
    setup.peer.send(`67 ${u32(0)} ${u32(16)}`);
    await settle();
    expect(setup.session.channelCount).toBe(2);
    setup.peer.send(`67 ${u32(0)} ${u32(2)}`);
    await expectViolation(setup, /past 2\^32 - 1/, ['write']);
  });

  test('DATA after the peer CLOSEd (and we replied): the id is no longer live', async () => {
    const setup = await armed();
    setup.peer.send(`6a ${u32(0)} 68 ${u32(0)} ${u32(1)} 61`);
    await expect(setup.pending.read).resolves.toBeNull();
    await expect(setup.pending.write).rejects.toThrow(/closed by the peer/);
    await expectViolation(setup, /data for channel 0, which is not open/, ['read', 'write']);
  });

  test('the transport ends inside a message', async () => {
    const setup = await armed();
    setup.peer.send(`68 ${u32(0)} ${u32(4)} 6162`);
    setup.peer.end();
    // The two payload bytes that did arrive were streamed to the waiting reader (§4.2).
    expect(utf8((await setup.pending.read)!)).toBe('ab');
    await expectViolation(setup, /ended inside a message/, ['read']);
  });

  test('violations split across chunks are caught just the same', async () => {
    const setup = await armed();
    for (const byte of `67${u32(0)}ffffffff67${u32(0)}${u32(17)}`.match(/../g)!) setup.peer.send(byte);
    await expectViolation(setup, /past 2\^32 - 1/, ['write']);
  });
});

describe('spec/qmux.md §6.2 transport failures', () => {
  test('the transport fails: TransportError with the cause, every pending operation rejects with it', async () => {
    const setup = await armed();
    const cause = new Error('ECONNRESET');
    setup.peer.end(cause);
    const error = await setup.session.closed;
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).cause).toBe(cause);
    for (const promise of Object.values(setup.pending)) await expect(promise).rejects.toBe(error);
  });

  test('a write the transport rejects ends the session with TransportError', async () => {
    const setup = await armed();
    const cause = new Error('EPIPE');
    setup.peer.blockWith = Promise.reject(cause);
    setup.peer.blockWith.catch(() => {});
    setup.peer.send(`67 ${u32(0)} ${u32(64)}`); // window: the pending write goes out and fails
    const error = await setup.session.closed;
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).cause).toBe(cause);
  });

  test('a write that throws synchronously ends the session with TransportError', async () => {
    const peer = new ScriptedStream();
    peer.write = () => {
      throw new Error('boom');
    };
    const session = new Session(peer);
    await expect(session.open()).rejects.toBeInstanceOf(TransportError);
    expect(await session.closed).toBeInstanceOf(TransportError);
  });

  test('a peer that floods opens while not reading: the session ends instead of queuing replies without bound', async () => {
    const peer = new ScriptedStream();
    const session = new Session(peer, { maxQueuedBytes: 1024, acceptBacklog: 0 });
    peer.blockWith = new Promise(() => {}); // the peer never reads: our first write never completes
    peer.send(`64 ${u32(1)} ${u32(64)} ${u32(32)}`);
    await settle();
    expect(peer.writes).toHaveLength(1); // the OPEN_FAILURE went out; the transport is now full
    const open = `64 ${u32(1)} ${u32(64)} ${u32(32)}`.repeat(100);
    for (let i = 0; i < 10; i++) peer.send(open); // 1,000 refusals of 5 bytes: over 4 × 1024
    const error = await session.closed;
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/does not read/);
  });

  test('after a clean transport end, channels that saw EOF read to the end; others reject', async () => {
    const peer = new ScriptedStream();
    const session = new Session(peer);
    peer.send(`64 ${u32(1)} ${u32(64)} ${u32(32)} 64 ${u32(2)} ${u32(64)} ${u32(32)}`);
    const done = await session.accept();
    const cut = await session.accept();
    peer.send(`68 ${u32(0)} ${u32(2)} 6869 69 ${u32(0)} 68 ${u32(1)} ${u32(2)} 6869`);
    peer.end();
    expect(await session.closed).toBeUndefined();
    expect(utf8((await done.read())!)).toBe('hi');
    expect(await done.read()).toBeNull();
    expect(utf8((await cut.read())!)).toBe('hi'); // what arrived is still delivered
    await expect(cut.read()).rejects.toThrow(/the transport ended/); // but the end was not an EOF
  });
});

describe('spec/qmux.md §6.4 tolerated: not fatal', () => {
  test('OPEN with a max packet outside [9, 2^31] gets OPEN_FAILURE; the session goes on', async () => {
    const peer = new ScriptedStream();
    const session = new Session(peer, OPTIONS);
    peer.send(`64 ${u32(3)} ${u32(64)} ${u32(8)}`);
    peer.send(`64 ${u32(4)} ${u32(64)} ${u32(2 ** 31 + 1)}`);
    peer.send(`64 ${u32(5)} ${u32(64)} ${u32(9)}`);
    peer.send(`64 ${u32(6)} ${u32(64)} ${u32(2 ** 31)}`);
    await settle();
    expect(hex(peer.take())).toBe(
      `66${u32(3)}66${u32(4)}65${u32(5)}${u32(0)}${u32(64)}${u32(32)}65${u32(6)}${u32(1)}${u32(64)}${u32(32)}`,
    );
    expect(session.channelCount).toBe(2);
  });

  test('a full accept backlog refuses opens while the read loop keeps serving other channels', async () => {
    const peer = new ScriptedStream();
    const session = new Session(peer, { ...OPTIONS, acceptBacklog: 2 });
    peer.send(`64 ${u32(10)} ${u32(64)} ${u32(32)}`.repeat(1) + `64 ${u32(11)} ${u32(64)} ${u32(32)}`);
    peer.send(`64 ${u32(12)} ${u32(64)} ${u32(32)}`); // backlog full: refused
    peer.send(`68 ${u32(0)} ${u32(2)} 6869`); // data on a channel nobody accepted yet: still buffered
    await settle();
    expect(hex(peer.take())).toBe(
      `65${u32(10)}${u32(0)}${u32(64)}${u32(32)}65${u32(11)}${u32(1)}${u32(64)}${u32(32)}66${u32(12)}`,
    );
    const first = await session.accept();
    expect(utf8((await first.read())!)).toBe('hi');
  });

  test('DATA after the peer EOF is dropped (qtalk-go can race Write with CloseWrite), no window goes back', async () => {
    const peer = new ScriptedStream();
    const session = new Session(peer, { ...OPTIONS, windowUpdateThreshold: 1 });
    peer.send(OPEN_FROM_PEER);
    const channel = await session.accept();
    peer.send(`68 ${u32(0)} ${u32(2)} 6869 69 ${u32(0)} 69 ${u32(0)}`); // a repeated EOF is ignored too
    peer.send(`68 ${u32(0)} ${u32(3)} 787878`);
    expect(utf8((await channel.read())!)).toBe('hi');
    expect(await channel.read()).toBeNull();
    await settle();
    // No WINDOW_ADJUST, neither for the 2 bytes read nor the 3 dropped: the peer sent EOF (§4.2).
    expect(hex(peer.take())).toBe(`65${u32(9)}${u32(0)}${u32(64)}${u32(32)}`);
    expect(session.channelCount).toBe(1);
    // The dropped bytes still count against the window: past it is a violation even after EOF.
    peer.send(`68 ${u32(0)} ${u32(60)} ${'78'.repeat(60)}`);
    expect(await session.closed).toBeInstanceOf(ProtocolError);
  });

  test('a zero-length DATA and a zero WINDOW_ADJUST are accepted', async () => {
    const peer = new ScriptedStream();
    const session = new Session(peer, OPTIONS);
    peer.send(OPEN_FROM_PEER);
    const channel = await session.accept();
    peer.send(`68 ${u32(0)} ${u32(0)} 67 ${u32(0)} ${u32(0)} 68 ${u32(0)} ${u32(1)} 61`);
    expect((await channel.read())!.length).toBe(0);
    expect(utf8((await channel.read())!)).toBe('a');
    expect(session.channelCount).toBe(1);
    expect(encodeFrame({ type: MessageType.Eof, recipientId: 0 }).length).toBe(5);
  });
});
