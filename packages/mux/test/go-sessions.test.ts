/**
 * The captured qtalk-go sessions (../shared/qmux/go_sessions.json) replayed byte for byte:
 * our decoder reads every Go message, our encoder writes the same bytes, and our Session, given
 * qtalk-go's advertised window and max packet and its window policy (return on every read),
 * answers a Go peer with exactly the bytes the Go peer's own counterpart sent.
 */
import { describe, expect, test } from 'vitest';
import { FrameDecoder, MessageType, Session, encodeFrame, type Message } from '@petrichor/mux';
import { hex, text, unhex, utf8 } from './helpers/bytes.js';
import { GO_OPTIONS, goSession, loadGoSessions, type GoMessage, type GoSession } from './helpers/go-sessions.js';
import { ScriptedStream, settle } from './helpers/scripted.js';

/** The message a Go capture's `decoded` field describes. */
function fromGo(m: GoMessage['decoded']): Message {
  const recipientId = m.recipient_channel!;
  switch (m.type) {
    case 'open':
      return { type: MessageType.Open, senderId: m.sender_channel!, windowSize: m.initial_window!, maxPacketSize: m.max_packet! };
    case 'open-confirm':
      return {
        type: MessageType.OpenConfirm,
        recipientId,
        senderId: m.sender_channel!,
        windowSize: m.initial_window!,
        maxPacketSize: m.max_packet!,
      };
    case 'open-failure':
      return { type: MessageType.OpenFailure, recipientId };
    case 'window-adjust':
      return { type: MessageType.WindowAdjust, recipientId, additionalBytes: m.bytes_to_add! };
    case 'data':
      return { type: MessageType.Data, recipientId, data: unhex(m.payload_hex!) };
    case 'eof':
      return { type: MessageType.Eof, recipientId };
    case 'close':
      return { type: MessageType.Close, recipientId };
  }
  throw new Error(`unknown Go message type ${m.type}`);
}

function decodeAll(chunks: Uint8Array[]): Message[] {
  const decoder = new FrameDecoder(GO_OPTIONS.maxPacketSize);
  const out: Message[] = [];
  for (const chunk of chunks) decoder.push(chunk, (m) => out.push(m));
  expect(decoder.idle).toBe(true);
  return out;
}

const sessions = loadGoSessions();

describe('spec/qmux.md §2 the Go captures, message by message', () => {
  test('the captures are there (three sessions)', () => {
    expect(sessions.map((s) => s.name)).toEqual(['open-hello-close', 'half-close-eof', 'server-opens-greeting']);
  });

  for (const session of sessions) {
    describe(session.name, () => {
      for (const direction of ['c2s', 's2c'] as const) {
        const expected = session.messages.filter((m) => m.direction === direction);

        test(`${direction}: our decoder reads every message, fed in the recorded TCP chunks`, () => {
          const chunks = session.tcp_chunks.filter((c) => c.direction === direction).map((c) => unhex(c.hex));
          expect(decodeAll(chunks)).toEqual(expected.map((m) => fromGo(m.decoded)));
        });

        test(`${direction}: and fed byte by byte`, () => {
          const stream = unhex(session.stream_hex[direction]);
          const bytes = [...stream].map((b) => Uint8Array.of(b));
          expect(decodeAll(bytes)).toEqual(expected.map((m) => fromGo(m.decoded)));
        });

        test(`${direction}: our encoder writes the same bytes for every message`, () => {
          for (const m of expected) expect(hex(encodeFrame(fromGo(m.decoded)))).toBe(m.hex);
          expect(expected.map((m) => m.hex).join('')).toBe(session.stream_hex[direction]);
        });
      }
    });
  }
});

/** The peer's TCP chunks of one direction, in order. */
function chunksOf(session: GoSession, direction: 'c2s' | 's2c'): Uint8Array[] {
  return session.tcp_chunks.filter((c) => c.direction === direction).map((c) => unhex(c.hex));
}

/**
 * A captured stream with one WINDOW_ADJUST taken out (it must be there, once, on a frame
 * boundary): qtalk-go returns window for bytes read after the peer's EOF, we send none (spec/qmux.md
 * §4.2), the one place our bytes differ from Go's.
 */
function withoutAdjust(stream: string, channel: number, bytes: number): string {
  const u32 = (n: number) => n.toString(16).padStart(8, '0');
  const frame = `67${u32(channel)}${u32(bytes)}`;
  const at = stream.indexOf(frame);
  expect(at % 2).toBe(0);
  expect(stream.indexOf(frame, at + 1)).toBe(-1);
  return stream.slice(0, at) + stream.slice(at + frame.length);
}

describe('spec/qmux.md §3 our Session against the Go captures, byte for byte', () => {
  test('open-hello-close, we are the server: confirm, window back, echo, close reply', async () => {
    const go = goSession('open-hello-close');
    const [open, data, adjustAndClose] = chunksOf(go, 'c2s') as [Uint8Array, Uint8Array, Uint8Array];
    const peer = new ScriptedStream();
    const server = new Session(peer, GO_OPTIONS);
    peer.send(open);
    const channel = await server.accept();
    peer.send(data);
    const chunk = (await channel.read())!;
    await channel.write(chunk);
    peer.send(adjustAndClose);
    expect(await channel.read()).toBeNull();
    await channel.closed;
    await settle();
    expect(hex(peer.take())).toBe(go.stream_hex.s2c);
    expect(server.channelCount).toBe(0);
  });

  test('open-hello-close, we are the client: open, data, window back, close', async () => {
    const go = goSession('open-hello-close');
    const [confirm, adjustAndEcho, closeReply] = chunksOf(go, 's2c') as [Uint8Array, Uint8Array, Uint8Array];
    const peer = new ScriptedStream();
    const client = new Session(peer, GO_OPTIONS);
    const opening = client.open();
    await settle();
    peer.send(confirm);
    const channel = await opening;
    await channel.write(text('hello'));
    await settle();
    peer.send(adjustAndEcho);
    expect(utf8((await channel.read())!)).toBe('hello');
    const closing = channel.close();
    await settle();
    peer.send(closeReply);
    await closing;
    expect(hex(peer.take())).toBe(go.stream_hex.c2s);
    expect(client.channelCount).toBe(0);
  });

  test('half-close-eof, we are the server: echo, EOF after the peer EOF, then CLOSE', async () => {
    const go = goSession('half-close-eof');
    const [open, dataAndEof, closeReply] = chunksOf(go, 'c2s') as [Uint8Array, Uint8Array, Uint8Array];
    const peer = new ScriptedStream();
    const server = new Session(peer, GO_OPTIONS);
    peer.send(open);
    const channel = await server.accept();
    peer.send(dataAndEof);
    for await (const chunk of channel) await channel.write(chunk);
    await channel.closeWrite();
    const closing = channel.close();
    await settle();
    expect(server.channelCount).toBe(1); // CLOSE sent, the id waits for the reply
    peer.send(closeReply);
    await closing;
    expect(hex(peer.take())).toBe(withoutAdjust(go.stream_hex.s2c, 0, 5)); // 'hello' arrived with EOF
    expect(server.channelCount).toBe(0);
  });

  test('half-close-eof, we are the client: the close reply goes out at once, and nothing after it', async () => {
    const go = goSession('half-close-eof');
    const [confirm, everything] = chunksOf(go, 's2c') as [Uint8Array, Uint8Array];
    const peer = new ScriptedStream();
    const client = new Session(peer, GO_OPTIONS);
    const opening = client.open();
    await settle();
    peer.send(confirm);
    const channel = await opening;
    await channel.write(text('hello'));
    await channel.closeWrite();
    await settle();
    // Window adjust, echo, EOF and the server's CLOSE arrive in one chunk: we reply to the CLOSE
    // at once, so reading the echo afterwards must not send a WINDOW_ADJUST (§3.3).
    peer.send(everything);
    await channel.closed;
    expect(utf8((await channel.read())!)).toBe('hello');
    expect(await channel.read()).toBeNull();
    await channel.close();
    await settle();
    expect(hex(peer.take())).toBe(go.stream_hex.c2s);
    expect(client.channelCount).toBe(0);
  });

  test('server-opens-greeting, we are the server: both sides open at once, ids per side', async () => {
    const go = goSession('server-opens-greeting');
    const [open, confirmAndData, closes] = chunksOf(go, 'c2s') as [Uint8Array, Uint8Array, Uint8Array];
    const peer = new ScriptedStream();
    const server = new Session(peer, GO_OPTIONS);
    const greeting = server.open(); // our id 0
    await settle();
    peer.send(open); // the client's open gets our id 1, confirmed at once
    const echo = await server.accept();
    expect([echo.id, echo.remoteId]).toEqual([1, 0]);
    peer.send(confirmAndData);
    const greet = await greeting;
    expect([greet.id, greet.remoteId]).toEqual([0, 1]);
    await echo.write((await echo.read())!);
    await greet.write(text('hi'));
    await greet.closeWrite();
    peer.send(closes);
    expect(await greet.read()).toBeNull();
    expect(await echo.read()).toBeNull();
    await Promise.all([greet.closed, echo.closed]);
    await settle();
    expect(hex(peer.take())).toBe(go.stream_hex.s2c);
    expect(server.channelCount).toBe(0);
  });

  test('server-opens-greeting, we are the client: accept while opening, window back per read', async () => {
    const go = goSession('server-opens-greeting');
    const [openAndConfirm, data, closeReplies] = chunksOf(go, 's2c') as [Uint8Array, Uint8Array, Uint8Array];
    const peer = new ScriptedStream();
    const client = new Session(peer, GO_OPTIONS);
    const opening = client.open();
    await settle();
    peer.send(openAndConfirm);
    const mine = await opening;
    const theirs = await client.accept();
    expect([mine.id, theirs.id]).toEqual([0, 1]);
    await mine.write(text('hello'));
    await settle();
    peer.send(data);
    expect(utf8((await theirs.read())!)).toBe('hi');
    expect(await theirs.read()).toBeNull();
    const closingTheirs = theirs.close();
    expect(utf8((await mine.read())!)).toBe('hello');
    const closingMine = mine.close();
    await settle();
    peer.send(closeReplies);
    await Promise.all([closingTheirs, closingMine]);
    expect(hex(peer.take())).toBe(withoutAdjust(go.stream_hex.c2s, 0, 2)); // 'hi' arrived with EOF
    expect(client.channelCount).toBe(0);
  });
});

