/**
 * A hostile peer: a bare `node:net` socket that writes whatever bytes a test gives it (a hello,
 * qmux frames, garbage) and records what the server sends back, decoded as the handshake answer
 * and then as qmux frames. Nothing here is a well-behaved client: it never returns window, never
 * answers a CLOSE, and reads only if told to.
 */
import net from 'node:net';
import { FrameDecoder, encodeFrame, type Message } from '@petrichor/mux';
import { MessageDecoder, encodeMessage, type Message as WireMessage, type Value } from '@petrichor/wire';
import { until, within } from './wait.js';

/** Frames of a qmux session, by the spec's names (spec/qmux.md §2), for readable tests. */
export const frames = {
  open: (senderId: number, windowSize = 1 << 20, maxPacketSize = 1 << 16): Uint8Array =>
    encodeFrame({ type: 100, senderId, windowSize, maxPacketSize }),
  data: (recipientId: number, data: Uint8Array): Uint8Array => encodeFrame({ type: 104, recipientId, data }),
  /** A DATA header claiming `length` payload bytes, without the payload. */
  dataHeader: (recipientId: number, length: number): Uint8Array => {
    const out = new Uint8Array(9);
    const view = new DataView(out.buffer);
    out[0] = 104;
    view.setUint32(1, recipientId);
    view.setUint32(5, length);
    return out;
  },
  eof: (recipientId: number): Uint8Array => encodeFrame({ type: 105, recipientId }),
  close: (recipientId: number): Uint8Array => encodeFrame({ type: 106, recipientId }),
  windowAdjust: (recipientId: number, additionalBytes: number): Uint8Array =>
    encodeFrame({ type: 103, recipientId, additionalBytes }),
};

/** The hello a client sends (spec/rpc.md §1.1), as bytes. */
export function helloBytes(user: string, codec = 'tnetstring'): Uint8Array {
  return encodeMessage({ petrichor: 1, user, ident: `hostile-${user}`, version: '0', codec }, null);
}

/** A request message in tnetstrings (spec/rpc.md §3.1): what a caller writes as a call's DATA. */
export function requestBytes(verb: string, path: string, body: Value, extra: Record<string, Value> = {}): Uint8Array {
  return encodeMessage({ verb, path, ...extra }, body);
}

/** Byte length of one tnetstring frame at the front of `bytes`, or -1 while it is incomplete. */
function frameLength(bytes: Uint8Array, at: number): number {
  let n = 0;
  let i = at;
  for (; i < bytes.length && bytes[i] !== 0x3a; i++) n = n * 10 + (bytes[i]! - 0x30);
  if (i >= bytes.length) return -1;
  const end = i + 1 + n + 1;
  return end <= bytes.length ? end - at : -1;
}

export class RawPeer {
  readonly socket: net.Socket;
  /** Resolves when the socket has closed (either side), with whether the server ended it. */
  readonly closed: Promise<void>;
  /** Bytes received so far. */
  receivedBytes = 0;
  /** The handshake answer, once it has fully arrived. */
  answer: WireMessage | null = null;
  /** qmux frames received after the answer. */
  readonly frames: Message[] = [];
  /** Bytes before the answer is complete (nothing once it is). */
  #head = new Uint8Array(0);
  readonly #decoder = new FrameDecoder();

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', () => {}); // a reset is an expected way for the server to end us
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
  }

  /** Connects to a `tcp://127.0.0.1:port` URL. */
  static connect(url: string): Promise<RawPeer> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname);
      socket.once('connect', () => resolve(new RawPeer(socket)));
      socket.once('error', reject);
    });
  }

  /** Connects and completes a handshake as `user`; resolves once the answer allowed it. */
  static async handshaken(url: string, user: string): Promise<RawPeer> {
    const peer = await RawPeer.connect(url);
    peer.write(helloBytes(user));
    const answer = await peer.waitAnswer();
    if ((answer.header as Record<string, Value>)['allowed'] !== true) throw new Error(`${user} was not allowed`);
    return peer;
  }

  /** Writes `bytes`; resolves when the socket took them (false if it is gone). */
  write(bytes: Uint8Array): Promise<boolean> {
    if (this.socket.destroyed) return Promise.resolve(false);
    return new Promise((resolve) => this.socket.write(bytes, (error) => resolve(error == null)));
  }

  /** The handshake answer, within `ms`. */
  async waitAnswer(ms = 5000): Promise<WireMessage> {
    await until(() => this.answer !== null || this.socket.destroyed, ms, 'the handshake answer');
    await until(() => this.answer !== null, 200, 'the handshake answer before the socket closed');
    return this.answer!;
  }

  /** The first received frame matching `match`, within `ms`. */
  async waitFrame(match: (frame: Message) => boolean, ms: number, what: string): Promise<Message> {
    let found: Message | undefined;
    await until(() => (found = this.frames.find(match)) !== undefined, ms, what);
    return found!;
  }

  /** Resolves once the server has closed the connection, within `ms`. */
  waitClosed(ms: number): Promise<void> {
    return within(this.closed, ms, 'the server closing the hostile connection');
  }

  /**
   * Resolves once the server has dropped the connection, seen without reading (a peer that does
   * not read never sees the FIN): a byte written every 100 ms fails once the server's socket is
   * gone. Rejects after `ms`.
   */
  async waitDropped(ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (!this.socket.destroyed) {
      if (performance.now() > deadline) throw new Error(`the server dropping the connection: not within ${ms} ms`);
      this.socket.write(new Uint8Array([0]));
      await within(this.closed, 100, 'probe').catch(() => {});
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  #receive(chunk: Buffer): void {
    this.receivedBytes += chunk.length;
    let rest = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.answer === null) {
      const joined = new Uint8Array(this.#head.length + rest.length);
      joined.set(this.#head);
      joined.set(rest, this.#head.length);
      const head = frameLength(joined, 0);
      const body = head < 0 ? -1 : frameLength(joined, head);
      if (body < 0) {
        this.#head = joined;
        return;
      }
      this.#head = new Uint8Array(0);
      const decoder = new MessageDecoder({ codec: 'tnetstring', text: true, objects: true });
      this.answer = decoder.push(joined.subarray(0, head + body))[0] ?? null;
      rest = joined.subarray(head + body);
    }
    if (rest.length > 0) this.#decoder.push(rest, (frame: Message) => void this.frames.push(frame));
  }
}
