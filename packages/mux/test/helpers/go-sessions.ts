import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Go captures (`../shared/qmux/go_sessions.json` beside the repository): bytes qtalk-go's mux
 * exchanged with itself on loopback, recorded by a relay.
 */
export interface GoMessage {
  seq: number;
  direction: 'c2s' | 's2c';
  hex: string;
  decoded: {
    type: string;
    code: number;
    sender_channel?: number;
    recipient_channel?: number;
    initial_window?: number;
    max_packet?: number;
    bytes_to_add?: number;
    length?: number;
    payload_hex?: string;
  };
}

export interface GoSession {
  name: string;
  description: string;
  messages: GoMessage[];
  tcp_chunks: { direction: 'c2s' | 's2c'; hex: string }[];
  stream_hex: { c2s: string; s2c: string };
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Where the captures live: the shared folder next to the repository checkout. */
export const GO_SESSIONS_PATH = path.resolve(repoRoot, '../shared/qmux/go_sessions.json');

export function loadGoSessions(): GoSession[] {
  const data = JSON.parse(readFileSync(GO_SESSIONS_PATH, 'utf8')) as { sessions: GoSession[] };
  return data.sessions;
}

export function goSession(name: string): GoSession {
  const session = loadGoSessions().find((s) => s.name === name);
  if (session === undefined) throw new Error(`no Go session named ${name}`);
  return session;
}

/** qtalk-go's advertised defaults, so our bytes can equal Go's exactly. */
export const GO_OPTIONS = { windowSize: 2 ** 30, maxPacketSize: 2 ** 24, windowUpdateThreshold: 1 } as const;
