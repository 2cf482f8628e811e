/**
 * The soak's own control calls, on a connection of their own beside the measured ones: the
 * server's heap and, at the end, what it served. Shared by the driver and the server. The types
 * are `type`s, not interfaces: they travel as rpc values, which must be plain data.
 */
import type { Served } from './workload.js';

/** `SAMPLE /heap`, body `{ calls }`: the server's memory after a full collection (a `HeapSample`). */
export const HEAP = { verb: 'SAMPLE', path: '/heap' } as const;

/** `GET /stats`, body {@link StatsRequest}: what the server served ({@link Finished}). */
export const STATS = { verb: 'GET', path: '/stats' } as const;

/** What `GET /stats` waits for: the deliveries sent, and how long they may take to arrive. */
export type StatsRequest = {
  deliveries: number;
  waitMs: number;
};

/** The server's figures at the end of a run. */
export type Finished = {
  served: Served;
  /** Most channels open at once, over every session, as seen when a handler started. */
  peakChannels: number;
  /** Most calls being served at once, over every session. */
  peakInFlight: number;
  /** Sessions open (the measured connections and the control one). */
  sessions: number;
  /** How long the deliveries took to arrive after the call, in ms. */
  waitedMs: number;
};

/** The line the server prints on stdout once it listens: `soak server listening <url>`. */
export const LISTENING = 'soak server listening ';
