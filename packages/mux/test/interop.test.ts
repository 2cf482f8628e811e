/**
 * Interop with an independent qmux: `@progrium/duplex` (tractordev/toolkit-js `duplex/mux`, the
 * TypeScript port of qtalk-go's mux, same bytes and defaults: 1 GiB window, 16 MiB packets), over
 * real loopback TCP, both ways. spec/qmux.md §2 (messages), §3 (lifecycle), §4 (flow control).
 *
 * Two quirks of that peer shape the harness (neither is a qmux rule):
 * - its decoder assumes every read fills the buffer it asks for, so it reads the socket through
 *   {@link FillingConn}, which waits until the requested count is there;
 * - its `Channel.write` sends one packet and then waits for a WINDOW_ADJUST before sending the
 *   rest (it parks itself with the writers that wait for window even when window is left). Our
 *   idle return (spec/qmux.md §4.2) answers that within a timer tick, so it writes whole payloads
 *   here, many packets per write, against our default window policy.
 */
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { Session as DuplexSession, type Channel as DuplexChannel } from '@progrium/duplex';
import { Session, type Channel } from '@petrichor/mux';
import { socketStream } from '@petrichor/mux/node';
import { concat, readAll } from './helpers/bytes.js';

const MiB = 1024 * 1024;
/** Larger than our default window (and than any window in the sweep), so flow control must run. */
const BIG = 6 * MiB;
/** A small window and packet (default threshold: half the window) so a transfer spans many of each. */
const OPTIONS = { windowSize: 256 * 1024, maxPacketSize: 32 * 1024 };

/** `@progrium/duplex`'s `io.ReadWriteCloser` over a socket, with reads that fill their buffer. */
class FillingConn {
  readonly #socket: net.Socket;
  readonly #chunks: Uint8Array[] = [];
  /** Bytes of `#chunks[0]` already read. */
  #offset = 0;
  #buffered = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      this.#notify();
    });
    const end = () => {
      this.#ended = true;
      this.#notify();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Resolves once `p` is full, or with what is left (then null) when the socket has ended. */
  async read(p: Uint8Array): Promise<number | null> {
    while (this.#buffered < p.length && !this.#ended) await new Promise<void>((resolve) => (this.#wake = resolve));
    if (this.#buffered === 0) return null;
    let n = 0;
    while (n < p.length && this.#buffered > 0) {
      const head = this.#chunks[0]!;
      const take = Math.min(p.length - n, head.length - this.#offset);
      p.set(head.subarray(this.#offset, this.#offset + take), n);
      n += take;
      this.#offset += take;
      this.#buffered -= take;
      if (this.#offset === head.length) {
        this.#chunks.shift();
        this.#offset = 0;
      }
    }
    return n;
  }

  async write(p: Uint8Array): Promise<number> {
    // After the end the bytes have nowhere to go. Rejecting would be unhandled: the peer's session
    // writes from un-awaited callbacks (for example while it shuts its channels down).
    if (this.#socket.destroyed || this.#socket.writableEnded) return p.length;
    // The peer may reuse its buffer after we resolve: the socket takes a copy of `p`.
    if (!this.#socket.write(Uint8Array.from(p))) {
      await new Promise<void>((resolve) => {
        this.#socket.once('drain', resolve);
        this.#socket.once('close', resolve);
      });
    }
    return p.length;
  }

  close(): void {
    this.#socket.end();
  }
}

/** Everything a `@progrium/duplex` channel reads until EOF. */
async function readAllDuplex(channel: DuplexChannel): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buffer = new Uint8Array(256 * 1024);
  for (let n = await channel.read(buffer); n !== null; n = await channel.read(buffer)) parts.push(buffer.slice(0, n));
  return concat(parts);
}

/** Reads exactly `n` bytes from one of our channels (they may arrive in several chunks). */
async function readExactly(channel: Channel, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let have = 0;
  while (have < n) {
    const chunk = await channel.read();
    if (chunk === null) throw new Error(`EOF after ${have} of ${n} bytes`);
    parts.push(chunk);
    have += chunk.length;
  }
  return concat(parts);
}

async function readExactlyDuplex(channel: DuplexChannel, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let have = 0;
  while (have < n) {
    const got = await channel.read(out.subarray(have));
    if (got === null) throw new Error(`EOF after ${have} of ${n} bytes`);
    have += got;
  }
  return out;
}

/** Writes all of `bytes` through a `@progrium/duplex` channel in one write (many packets). */
async function writeDuplex(channel: DuplexChannel, bytes: Uint8Array): Promise<void> {
  await channel.write(bytes);
}

function random(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) crypto.getRandomValues(out.subarray(at, at + 65536));
  return out;
}

const text = (s: string) => new TextEncoder().encode(s);

/** Servers and sockets to tear down after each test, whatever happened. */
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

async function listen(onSocket: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    onSocket(socket);
  });
  cleanup.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function dial(port: number): Promise<net.Socket> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  cleanup.push(() => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** Runs a `@progrium/duplex` session and records anything its read loop throws. */
function duplexSession(socket: net.Socket): { session: DuplexSession; failures: unknown[] } {
  const session = new DuplexSession(new FillingConn(socket));
  const failures: unknown[] = [];
  session.done.catch((error: unknown) => failures.push(error));
  return { session, failures };
}

describe('spec/qmux.md §2–§4: interop with @progrium/duplex over loopback TCP', () => {
  test('our client against its server: open, echo, half-close, a transfer past the window, close', async () => {
    const served: Promise<void>[] = [];
    const peer: { failures: unknown[] }[] = [];
    const port = await listen((socket) => {
      const { session, failures } = duplexSession(socket);
      peer.push({ failures });
      served.push(
        (async () => {
          const channel = await session.accept();
          if (channel === null) throw new Error('no channel');
          // Echo until our EOF, then EOF back, then wait for our CLOSE (its close() replies to it).
          const buffer = new Uint8Array(64 * 1024);
          for (let n = await channel.read(buffer); n !== null; n = await channel.read(buffer)) {
            await writeDuplex(channel, buffer.slice(0, n));
          }
          await channel.closeWrite();
        })(),
      );
    });
    const session = new Session(socketStream(await dial(port)), OPTIONS);
    const channel = await session.open();

    await channel.write(text('hello'));
    expect(new TextDecoder().decode(await readExactly(channel, 5))).toBe('hello');

    // 6 MiB each way: the echo back to us runs through our 256 KiB window two dozen times over.
    const payload = random(BIG);
    const echoed = readAll(channel);
    await channel.write(payload);
    await channel.closeWrite();
    const back = await echoed; // ends with the peer's EOF, sent after it saw ours
    expect(back.length).toBe(BIG);
    expect(Buffer.compare(back, payload)).toBe(0);

    await Promise.all(served);
    await channel.close(); // resolves on the peer's CLOSE reply
    await channel.closed;
    expect(session.channelCount).toBe(0);
    session.close();
    expect(await session.closed).toBeUndefined();
    expect(peer[0]!.failures).toEqual([]);
  });

  test('its client against our server: open, echo, half-close, a transfer past the window, close', async () => {
    const accepted: Session[] = [];
    const served: Promise<void>[] = [];
    const port = await listen((socket) => {
      const session = new Session(socketStream(socket), OPTIONS);
      accepted.push(session);
      served.push(
        (async () => {
          const channel = await session.accept();
          for await (const chunk of channel) await channel.write(chunk);
          await channel.closeWrite(); // after the peer's EOF: EOF back
          await channel.closed; // the peer closes; the session replies
        })(),
      );
    });
    const { session, failures } = duplexSession(await dial(port));
    const channel = await session.open();
    expect(channel.remoteId).toBe(0); // our first id, lowest free index as in qtalk-go

    await channel.write(text('hello'));
    expect(new TextDecoder().decode(await readExactlyDuplex(channel, 5))).toBe('hello');

    // 6 MiB into our 256 KiB window: the peer must wait for our WINDOW_ADJUSTs to get through.
    const payload = random(BIG);
    const echoed = readAllDuplex(channel);
    await writeDuplex(channel, payload);
    await channel.closeWrite();
    const back = await echoed;
    expect(back.length).toBe(BIG);
    expect(Buffer.compare(back, payload)).toBe(0);

    await channel.close(); // sends CLOSE, resolves on our reply
    await Promise.all(served);
    expect(accepted[0]!.channelCount).toBe(0);
    expect(failures).toEqual([]);
  });

  test('several channels at once both ways on one connection, ids reused after both CLOSEs', async () => {
    const served: Promise<void>[] = [];
    const port = await listen((socket) => {
      const session = new Session(socketStream(socket), OPTIONS);
      served.push(
        (async () => {
          for await (const channel of session) {
            void (async () => {
              for await (const chunk of channel) await channel.write(chunk);
              await channel.closeWrite();
            })();
          }
        })(),
      );
    });
    const { session, failures } = duplexSession(await dial(port));
    const round = async (size: number) => {
      const channel = await session.open();
      const payload = random(size);
      const echoed = readAllDuplex(channel);
      await writeDuplex(channel, payload);
      await channel.closeWrite();
      expect(Buffer.compare(await echoed, payload)).toBe(0);
      await channel.close();
      return channel.remoteId;
    };
    const first = await Promise.all([round(1), round(100_000), round(700_000), round(3)]);
    expect(new Set(first)).toEqual(new Set([0, 1, 2, 3]));
    // All four ids are free again: the next channel gets the lowest, 0.
    expect(await round(10)).toBe(0);
    expect(failures).toEqual([]);
    session.close();
    await Promise.all(served);
  });

  test('its CLOSE without EOF: our reads end after the buffered data, and we reply', async () => {
    const accepted: Promise<{ data: Uint8Array; session: Session; channel: Channel }>[] = [];
    const port = await listen((socket) => {
      const session = new Session(socketStream(socket), OPTIONS);
      accepted.push(session.accept().then(async (channel) => ({ data: await readAll(channel), session, channel })));
    });
    const { session, failures } = duplexSession(await dial(port));
    const channel = await session.open();
    await channel.write(text('last words'));
    await channel.close(); // resolves only on our CLOSE reply
    const ours = await accepted[0]!;
    expect(new TextDecoder().decode(ours.data)).toBe('last words');
    await ours.channel.closed;
    expect(ours.session.channelCount).toBe(0);
    expect(failures).toEqual([]);
  });

  test('our CLOSE on a channel it opened: its reads end after the buffered data', async () => {
    const accepted: Promise<Channel>[] = [];
    const port = await listen((socket) => {
      accepted.push(new Session(socketStream(socket), OPTIONS).accept());
    });
    const { session, failures } = duplexSession(await dial(port));
    const channel = await session.open();
    await channel.write(text('hi'));
    const ours = await accepted[0]!;
    expect(new TextDecoder().decode(await readExactly(ours, 2))).toBe('hi');
    await ours.write(text('bye'));
    await ours.close(); // resolves on its CLOSE reply
    expect(new TextDecoder().decode(await readExactlyDuplex(channel, 3))).toBe('bye');
    expect(await channel.read(new Uint8Array(16))).toBeNull();
    expect(failures).toEqual([]);
  });

  test('windowUpdateThreshold 1 (window back on every read, as qtalk-go) lets its multi-packet writes through', async () => {
    const accepted: Promise<Uint8Array>[] = [];
    const port = await listen((socket) => {
      const session = new Session(socketStream(socket), { ...OPTIONS, windowUpdateThreshold: 1 });
      accepted.push(session.accept().then(readAll));
    });
    const { session, failures } = duplexSession(await dial(port));
    const channel = await session.open();
    // One write of 2 MiB: 64 packets of our max packet, each waiting for a WINDOW_ADJUST.
    const payload = random(2 * MiB);
    await channel.write(payload);
    await channel.closeWrite();
    expect(Buffer.compare(await accepted[0]!, payload)).toBe(0);
    expect(failures).toEqual([]);
  });
});
