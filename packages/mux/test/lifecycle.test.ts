/**
 * The channel lifecycle (spec/qmux.md §3, §5) end to end between two of our sessions, the same
 * test body over a memory pipe and over loopback TCP.
 */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, test } from 'vitest';
import {
  AbortedError,
  ChannelClosedError,
  ChannelLimitError,
  OpenRefusedError,
  OpenTimeoutError,
  Session,
  SessionClosedError,
  memoryPipe,
  WriteAfterEofError,
  type Channel,
  type SessionOptions,
} from '@petrichor/mux';
import { pattern, readAll, text, utf8 } from './helpers/bytes.js';
import { TRANSPORTS, type StreamPair } from './helpers/transports.js';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

/** Serves echo on every accepted channel: echo until EOF, EOF back, wait for the close. */
function echo(session: Session): void {
  void (async () => {
    for await (const channel of session) {
      void (async () => {
        try {
          for await (const chunk of channel) await channel.write(chunk);
          await channel.closeWrite();
        } catch {
          // The test decides how the channel ends; the server just stops.
        }
      })();
    }
  })();
}

for (const [transport, makePair] of TRANSPORTS) {
  describe(`spec/qmux.md §3 lifecycle over ${transport}`, () => {
    async function pair(a?: SessionOptions, b?: SessionOptions): Promise<[Session, Session]> {
      const streams: StreamPair = await makePair();
      const client = new Session(streams.a, a);
      const server = new Session(streams.b, b);
      disposers.push(() => {
        client.close();
        server.close();
        streams.dispose();
      });
      return [client, server];
    }

    test('§3.1–§3.4 open, echo, half-close, close: both ids freed', async () => {
      const [client, server] = await pair();
      echo(server);
      const channel = await client.open();
      expect(channel.id).toBe(0);
      expect(channel.remoteId).toBe(0);
      const payload = pattern(2_500_000); // past the 1 MiB window, so flow control runs
      const back = readAll(channel);
      await channel.write(payload);
      await channel.closeWrite();
      expect(Buffer.compare(await back, payload)).toBe(0);
      await channel.close();
      await channel.closed;
      expect(client.channelCount).toBe(0);
      await waitFor(() => server.channelCount === 0);
    });

    test('§3.3 half-close: after our EOF the peer can still write to us', async () => {
      const [client, server] = await pair();
      const accepted = server.accept();
      const channel = await client.open();
      await channel.closeWrite();
      const theirs = await accepted;
      expect(await theirs.read()).toBeNull();
      await theirs.write(text('still open this way'));
      await theirs.closeWrite();
      expect(utf8(await readAll(channel))).toBe('still open this way');
      await expect(channel.write(text('x'))).rejects.toBeInstanceOf(WriteAfterEofError);
      await expect(channel.closeWrite()).resolves.toBeUndefined(); // idempotent
      await Promise.all([channel.close(), theirs.closed]);
    });

    test('§3.4 the peer closes without EOF: our reads drain, then end; our writes fail', async () => {
      const [client, server] = await pair();
      const accepted = server.accept();
      const channel = await client.open();
      const theirs = await accepted;
      await theirs.write(text('last words'));
      await theirs.close();
      expect(utf8((await channel.read())!)).toBe('last words');
      expect(await channel.read()).toBeNull();
      await expect(channel.write(text('x'))).rejects.toBeInstanceOf(ChannelClosedError);
      await expect(channel.close()).resolves.toBeUndefined();
      expect(client.channelCount).toBe(0);
      expect(server.channelCount).toBe(0);
    });

    test('§3.4 simultaneous close: each CLOSE is the reply to the other', async () => {
      const [client, server] = await pair();
      const accepted = server.accept();
      const channel = await client.open();
      const theirs = await accepted;
      await Promise.all([channel.close(), theirs.close()]);
      expect(client.channelCount).toBe(0);
      expect(server.channelCount).toBe(0);
      await expect(channel.write(text('x'))).rejects.toBeInstanceOf(ChannelClosedError);
      expect(await channel.read()).toBeNull();
    });

    test('§5 ids: lowest free index, shared by opened and accepted, reused after both CLOSEs', async () => {
      const [client, server] = await pair();
      const accepted: Channel[] = [];
      void (async () => {
        for await (const channel of server) accepted.push(channel);
      })();
      const a = await client.open();
      const b = await client.open();
      const theirs = await server.open(); // the server's ids 0 and 1 are taken by accepted channels
      expect([a.id, b.id, theirs.id]).toEqual([0, 1, 2]);
      const mirror = await client.accept();
      expect(mirror.id).toBe(2);
      await a.close();
      const c = await client.open();
      expect(c.id).toBe(0);
      expect(c.remoteId).toBe(0);
      await Promise.all([b.close(), c.close(), theirs.close()]);
      expect(client.channelCount).toBe(0);
      await waitFor(() => server.channelCount === 0);
    });

    test('§5.2 an open beyond the accept backlog is refused; the session goes on', async () => {
      const [client, server] = await pair({}, { acceptBacklog: 1 });
      const first = await client.open();
      await expect(client.open()).rejects.toBeInstanceOf(OpenRefusedError);
      expect(client.channelCount).toBe(1); // the refused id is free again
      const theirs = await server.accept();
      const again = await client.open(); // room again in the backlog
      expect(again.id).toBe(1);
      await first.write(text('ok'));
      expect(utf8((await theirs.read())!)).toBe('ok');
    });

    test('§5.2 maxChannels: our open() rejects, the peer gets OPEN_FAILURE', async () => {
      const [client, server] = await pair({ maxChannels: 1 }, { maxChannels: 2 });
      await client.open();
      await expect(client.open()).rejects.toBeInstanceOf(ChannelLimitError);
      await expect(server.open()).rejects.toBeInstanceOf(OpenRefusedError);
    });

    test('§3.1 open() with an AbortSignal: rejects when aborted, leaves no listener behind', async () => {
      const [client, server] = await pair();
      const controller = new AbortController();
      const opening = client.open({ signal: controller.signal });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      controller.abort(new Error('changed my mind'));
      await expect(opening).rejects.toBeInstanceOf(AbortedError);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      // The late CONFIRM is answered with CLOSE; once the peer's reply arrives the id is free.
      const theirs = await server.accept();
      await theirs.closed;
      await waitFor(() => client.channelCount === 0);
      const ok = new AbortController();
      const channel = await client.open({ signal: ok.signal });
      expect(getEventListeners(ok.signal, 'abort')).toHaveLength(0);
      expect(channel.id).toBe(0);
      await expect(client.open({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    });

    test('§6.3 session.close(): every pending operation settles, closed resolves undefined', async () => {
      const [client, server] = await pair();
      const accepted = server.accept();
      const channel = await client.open();
      await accepted;
      const reading = channel.read();
      const accepting = client.accept();
      client.close();
      await expect(reading).rejects.toBeInstanceOf(SessionClosedError);
      await expect(accepting).rejects.toBeInstanceOf(SessionClosedError);
      await expect(client.open()).rejects.toBeInstanceOf(SessionClosedError);
      await expect(channel.write(text('x'))).rejects.toBeInstanceOf(SessionClosedError);
      await expect(channel.close()).resolves.toBeUndefined();
      await channel.closed;
      expect(await client.closed).toBeUndefined();
      expect(await server.closed).toBeUndefined(); // the transport ended cleanly under it
      expect(client.channelCount).toBe(0);
      const iterator = server[Symbol.asyncIterator]();
      expect(await iterator.next()).toEqual({ done: true, value: undefined });
    });

    test('session.close(error): closed resolves with that error; pending operations reject', async () => {
      const [client] = await pair();
      const accepting = client.accept();
      const reason = new Error('shutting down');
      client.close(reason);
      const error = await accepting.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionClosedError);
      expect((error as Error).cause).toBe(reason);
      expect(await client.closed).toBe(reason);
    });

    test('many channels both ways at once, each carrying its own bytes', async () => {
      const [client, server] = await pair();
      echo(server);
      echo(client);
      const runs = Array.from({ length: 40 }, async (_, i) => {
        const session = i % 2 === 0 ? client : server;
        const channel = await session.open();
        const payload = pattern(10_000 + i * 997, i + 1);
        const back = readAll(channel);
        await channel.write(payload);
        await channel.closeWrite();
        expect(Buffer.compare(await back, payload)).toBe(0);
        await channel.close();
      });
      await Promise.all(runs);
      await waitFor(() => client.channelCount === 0 && server.channelCount === 0);
    });

    test('Web Streams views: pipe through a channel', async () => {
      const [client, server] = await pair();
      echo(server);
      const channel = await client.open();
      const source = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const word of ['one ', 'two ', 'three']) controller.enqueue(text(word));
          controller.close();
        },
      });
      const [, back] = await Promise.all([source.pipeTo(channel.writable), readAll(channel)]);
      expect(utf8(back)).toBe('one two three');
      await channel.close();
    });

    test('a readable view: cancelling it closes the channel', async () => {
      const [client, server] = await pair();
      const accepted = server.accept();
      const channel = await client.open();
      const theirs = await accepted;
      await theirs.write(text('abc'));
      const reader = channel.readable.getReader();
      expect(utf8((await reader.read()).value!)).toBe('abc');
      await reader.cancel();
      await theirs.closed;
      expect(await theirs.read()).toBeNull();
    });

    test('addresses come from the transport', async () => {
      const [client] = await pair();
      if (transport === 'loopback TCP') expect(client.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
      else expect(client.remoteAddress).toBeUndefined();
    });
  });
}

describe('spec/qmux.md §5.1 many idle channels', () => {
  test('10,000 channels open at once on one session, then all closed: every id is freed', async () => {
    const [a, b] = memoryPipe();
    const client = new Session(a);
    const server = new Session(b, { acceptBacklog: 10_000 });
    const channels = await Promise.all(Array.from({ length: 10_000 }, () => client.open()));
    expect(new Set(channels.map((c) => c.id)).size).toBe(10_000);
    expect(Math.max(...channels.map((c) => c.id))).toBe(9_999);
    expect(server.channelCount).toBe(10_000);
    await Promise.all(channels.map((c) => c.close()));
    expect(client.channelCount).toBe(0);
    expect(server.channelCount).toBe(0);
    client.close();
  });
});

describe('spec/qmux.md §5 open timeout', () => {
  test('opens a silent peer never answers reject with OpenTimeoutError, each after its own wait', async () => {
    const [a, b] = memoryPipe();
    b.start({ data: () => {}, end: () => {} }); // reads our OPENs, answers nothing
    const session = new Session(a, { openTimeoutMs: 40 });
    const started = performance.now();
    const first = session.open().catch((error: unknown) => [error, performance.now() - started] as const);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = session.open().catch((error: unknown) => [error, performance.now() - started] as const);
    const [[error1, at1], [error2, at2]] = (await Promise.all([first, second])) as [readonly [unknown, number], readonly [unknown, number]];
    expect(error1).toBeInstanceOf(OpenTimeoutError);
    expect(error2).toBeInstanceOf(OpenTimeoutError);
    expect((error1 as OpenTimeoutError).code).toBe('MUX_OPEN_TIMEOUT');
    // Not a timing assertion on speed: each open waited at least its timeout, the second longer.
    expect(at1).toBeGreaterThanOrEqual(39);
    expect(at2).toBeGreaterThanOrEqual(59);
    expect(session.channelCount).toBe(2); // ids stay reserved: a late answer is closed
    session.close();
  });

  test('answered opens do not time out, and a later open still does', async () => {
    const [a, b] = memoryPipe();
    const client = new Session(a, { openTimeoutMs: 30 });
    const server = new Session(b);
    const channel = await client.open();
    await new Promise((resolve) => setTimeout(resolve, 60));
    await channel.write(pattern(10));
    expect(await (await server.accept()).read()).toEqual(pattern(10));
    client.close();
    // The timer is armed again for the next open that goes unanswered.
    const [c, d] = memoryPipe();
    d.start({ data: () => {}, end: () => {} });
    const lonely = new Session(c, { openTimeoutMs: 30 });
    await expect(lonely.open()).rejects.toBeInstanceOf(OpenTimeoutError);
    await new Promise((resolve) => setTimeout(resolve, 40));
    await expect(lonely.open()).rejects.toBeInstanceOf(OpenTimeoutError);
    lonely.close();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}
