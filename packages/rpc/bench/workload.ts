/**
 * The rpc benchmark's workload, shared by every candidate: an echo service (the body goes to the
 * server, which hands it to a handler as bytes and returns it) reached through one connection.
 */
import { Buffer } from 'node:buffer';

const KiB = 1024;
const MiB = 1024 * KiB;

/** (i) sequential unary calls per run, and their body size. */
export const SEQ_CALLS = 5_000;
export const SEQ_BYTES = 64;
/** (ii) concurrent callers, calls each (one after another), and the body size. */
export const CALLERS = 100;
export const CALLS_PER_CALLER = 200;
export const CONC_BYTES = 1 * KiB;
/** (iii) the body of the one big call, echoed back whole. */
export const BIG_BYTES = 1 * MiB;

/** Which implementation runs the connection. */
export type Kind = 'floor' | 'ours' | 'grpc' | 'capnweb' | 'jsonrpc';

/** The session codec of our candidate, agreed in the handshake. */
export type OursCodec = 'tnetstring' | 'sexpr' | 'msgpack';

/** How to connect: the server's kind, and for ours the codec the client asks for. */
export interface ClientSpec {
  kind: Kind;
  codec?: OursCodec;
}

/** A listening server, wherever it runs. */
export interface Server {
  port: number;
  close(): Promise<void>;
}

/** The calling side of one candidate: one connection, set up before timing starts. */
export interface Client {
  /** One unary call of the echo service: resolves with the body the server returned. */
  echo(body: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A random body of `bytes` bytes (random, so no layer can compress it away). */
export function body(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  // getRandomValues fills at most 64 KiB per call.
  for (let at = 0; at < bytes; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(bytes, at + 65_536)));
  return out;
}

/** Throws unless the server echoed exactly what was sent: no candidate may skip work. */
export function check(sent: Uint8Array, got: Uint8Array, who: string): void {
  const a = Buffer.from(sent.buffer, sent.byteOffset, sent.byteLength);
  const b = Buffer.from(got.buffer, got.byteOffset, got.byteLength);
  if (!a.equals(b)) fail(`${who}: echoed ${got.byteLength} bytes that differ from the ${sent.byteLength} sent`);
}

export function fail(message: string): never {
  throw new Error(`bench: ${message}`);
}
