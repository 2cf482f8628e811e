/** No window for a peer that has finished sending, and few writes per large message (spec/qmux.md §4.2). */
import { describe, expect, test } from 'vitest';
import { MessageType, Session, decodeFrames, type Message } from '@petrichor/mux';
import type { ByteStream, ByteStreamSink } from '../src/stream.js';
import { MESSAGE_NAMES } from '../src/frame/message.js';
import { hex, pattern, readAll } from './helpers/bytes.js';
import { ScriptedStream, settle } from './helpers/scripted.js';

const u32 = (n: number) => n.toString(16).padStart(8, '0');

/**
 * One end of a pipe that delivers what is written in slices of at most `slice` bytes, each a
 * transport chunk of its own as TCP reads are, and counts its writes (each would wake the peer
 * process). Slices follow each other in microtasks: no timer fires in between, so the count is
 * the same every run (the idle-return tick of §4.2 depends on timing and is not what is counted).
 */
class SlicingEnd implements ByteStream {
  peer!: SlicingEnd;
  writes = 0;
  /** Each write's frames, summarised. */
  log: string[] = [];
  #sink: ByteStreamSink | null = null;
  #queue: Uint8Array[] = [];
  #pumping = false;
  #closed = false;
  constructor(readonly slice: number) {}
  start(sink: ByteStreamSink): void {
    this.#sink = sink;
  }
  write(chunk: Uint8Array): void {
    if (this.#closed) return;
    this.writes++;
    this.log.push(decodeFrames(chunk).map(summary).join(' '));
    this.peer.#arrive(chunk.slice());
  }
  close(): void {
    if (this.#closed) return;
    this.#closed = this.peer.#closed = true;
    setImmediate(() => {
      this.#sink?.end();
      this.peer.#sink?.end();
    });
  }
  #arrive(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; at += this.slice) this.#queue.push(bytes.subarray(at, at + this.slice));
    if (this.#pumping) return;
    this.#pumping = true;
    const next = (): void => {
      const chunk = this.#queue.shift();
      if (chunk === undefined || this.#closed) {
        this.#pumping = false;
        return;
      }
      this.#sink!.data(chunk);
      queueMicrotask(next);
    };
    queueMicrotask(next);
  }
}

/** A frame in a few characters: `data 40`, `window-adjust 524288`, `eof`. */
function summary(message: Message): string {
  if (message.type === MessageType.Data) return `data ${message.data.length}`;
  if (message.type === MessageType.WindowAdjust) return `window-adjust ${message.additionalBytes}`;
  return MESSAGE_NAMES[message.type];
}

function slicingPipe(slice: number): [SlicingEnd, SlicingEnd] {
  const a = new SlicingEnd(slice);
  const b = new SlicingEnd(slice);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

describe('spec/qmux.md §4.2: no WINDOW_ADJUST for a channel whose peer sent EOF', () => {
  test('window consumed after EOF, or read in the chunk that carries EOF, is not returned', async () => {
    const peer = new ScriptedStream();
    // window 64, threshold 1: without the rule every read would return window.
    const session = new Session(peer, { windowSize: 64, maxPacketSize: 32, windowUpdateThreshold: 1 });
    peer.send(`64 ${u32(7)} ${u32(1000)} ${u32(1000)}`);
    const channel = await session.accept();
    await settle();
    peer.take(); // the OPEN_CONFIRM
    const reading = channel.read(); // a reader already waiting consumes the DATA as it is parsed
    peer.send(`68 ${u32(0)} ${u32(20)} ${'61'.repeat(20)} 69 ${u32(0)}`); // DATA then EOF, one chunk
    expect((await reading)!.length).toBe(20);
    peer.send(`68 ${u32(0)} ${u32(5)} ${'62'.repeat(5)}`); // DATA after EOF (tolerated, dropped)
    expect(await channel.read()).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 5)); // past the idle-return tick too
    expect(hex(peer.take())).toBe('');
    await channel.write(Uint8Array.of(1, 2, 3)); // the other direction still works
    await settle();
    expect(decodeFrames(peer.take()).map((m) => m.type)).toEqual([MessageType.Data]);
  });

  test('window is still returned before EOF: data read in an earlier chunk gets its WINDOW_ADJUST', async () => {
    const peer = new ScriptedStream();
    const session = new Session(peer, { windowSize: 64, maxPacketSize: 32, windowUpdateThreshold: 1 });
    peer.send(`64 ${u32(7)} ${u32(1000)} ${u32(1000)}`);
    const channel = await session.accept();
    await settle();
    peer.take();
    peer.send(`68 ${u32(0)} ${u32(3)} 616263`);
    await channel.read();
    await settle();
    expect(hex(peer.take())).toBe(`67${u32(7)}${u32(3)}`);
  });

  test('a one-way stream of many windows still flows, returns at the end of each chunk', async () => {
    const [a, b] = slicingPipe(3000);
    const options = { windowSize: 8192, maxPacketSize: 1024 };
    const client = new Session(a, options);
    const server = new Session(b, options);
    const accepted = server.accept();
    const channel = await client.open();
    const payload = pattern(40 * 8192 + 17);
    const writing = channel.write(payload).then(() => channel.closeWrite());
    const received = await readAll(await accepted);
    await writing;
    expect(Buffer.compare(received, payload)).toBe(0);
    client.close();
    server.close();
  });

  test('a 1 MiB request + EOF answered by a 1 MiB reply: few transport writes each way', async () => {
    // Default options (1 MiB window); the payloads are 1 MiB plus a small header, as an rpc call's.
    const [a, b] = slicingPipe(64 * 1024);
    const client = new Session(a);
    const server = new Session(b);
    const serving = (async () => {
      const channel = await server.accept();
      const request = await readAll(channel);
      // As an rpc reply: the write and the EOF queued together, not one after the other's promise.
      await Promise.all([channel.write(request), channel.closeWrite()]);
      await channel.closed;
    })();
    const channel = await client.open();
    const request = pattern(1024 * 1024 + 40);
    await Promise.all([channel.write(request), channel.closeWrite()]);
    const reply = await readAll(channel);
    await channel.close();
    await serving;
    expect(Buffer.compare(reply, request)).toBe(0);
    const big = Array<string>(16).fill('data 65536').join(' ');
    // The one WINDOW_ADJUST each way is the one the message needs: 1 MiB + 40 is past the 1 MiB
    // window, so the last 40 bytes wait for it. None follows the peer's EOF (before: one more each way).
    expect(a.log).toEqual(['open', big, 'data 40 eof', 'window-adjust 524288', 'close']);
    expect(b.log).toEqual(['open-confirm', 'window-adjust 524288', big, 'data 40 eof', 'close']);
    expect([a.writes, b.writes]).toEqual([5, 5]);
    client.close();
    server.close();
  });
});

