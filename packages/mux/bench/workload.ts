/**
 * The mux benchmark's workload, shared by every candidate (ours, yamux, mplex, plain TCP) so that
 * each one does exactly the same work over one loopback TCP connection.
 */
import type { SessionOptions } from '../src/index.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** (a) bytes carried by one channel, in {@link CHUNK}-sized writes. */
export const SINK_TOTAL = 256 * MiB;
/** The size of every bulk write in (a) and (b). */
export const CHUNK = 64 * KiB;
/** (b) channels echoing at once, and bytes each one echoes. */
export const ECHO_CHANNELS = 100;
export const ECHO_BYTES = 1 * MiB;
/** (c) sequential open / echo / close rounds, and the size of the echoed message. */
export const PINGS = 10_000;
export const PING_BYTES = 64;
/** Idle channels held open on one session for the memory figure. */
export const IDLE_CHANNELS = 10_000;

/** Which implementation runs the connection. */
export type Kind = 'tcp' | 'qmux' | 'yamux' | 'mplex';

/**
 * What the accepting side does with each channel (or, for plain TCP, with the socket):
 * - `sink`: read to the end and answer one byte (TCP: one byte per `ackEvery` bytes received);
 * - `echo`: write back everything it reads, and close once the peer has finished;
 * - `hold`: keep the channel open and idle, never reading (the memory figure).
 */
export type Mode = 'sink' | 'echo' | 'hold';

export interface ServerSpec {
  kind: Kind;
  mode: Mode;
  /** Options of our session (qmux only). */
  qmux?: SessionOptions;
  /** Plain TCP sink: bytes per acknowledgement (the size of one run). */
  ackEvery?: number;
  /** libp2p muxers: raise their stream limits (the idle-channel figure). */
  manyStreams?: boolean;
}

/** A listening server, wherever it runs. */
export interface Server {
  port: number;
  close(): Promise<void>;
}

/** The connecting side of one candidate: one connection, set up before timing starts. */
export interface Client {
  /** (a) one channel carries `total` bytes in {@link CHUNK} writes; resolves on the server's answer. */
  sink(total: number): Promise<void>;
  /** (b) `channels` channels each echo `bytes` bytes, all at once. */
  echo(channels: number, bytes: number): Promise<void>;
  /** (c) `count` times in a row: open, echo {@link PING_BYTES} bytes, close. */
  pingPong(count: number): Promise<void>;
  /** Opens `count` channels and leaves them idle; the returned function closes them. */
  idle?(count: number): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** One 64 KiB block of random bytes, written again and again (no candidate copies it twice). */
export const block = crypto.getRandomValues(new Uint8Array(CHUNK));
export const ping = block.subarray(0, PING_BYTES);

export function fail(message: string): never {
  throw new Error(`bench: ${message}`);
}
