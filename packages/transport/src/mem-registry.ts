import type { ByteStream } from '@petrichor/mux';
import { TransportError } from './errors.js';

/**
 * `mem://name`: listeners inside this process, by name. The registry lives on `globalThis` under a
 * registered symbol, so two copies of this package in one process (ESM and CJS) still meet.
 *
 * Connecting needs only this file: each listener carries its own `connect`, which makes the pair.
 * So a browser client that never listens on `mem://` holds no memory pipe (issue 5).
 */
export interface MemListener {
  /**
   * A new connected pair: the listener takes one end, the caller gets the other (or
   * `TRANSPORT_REFUSED` when the listener is full).
   */
  connect(): Promise<ByteStream>;
}

// v3: `connect` returns a promise (v2 returned the stream itself).
const KEY = Symbol.for('@petrichor/transport mem registry v3');

/** The process's `mem://` names. */
export function memRegistry(): Map<string, MemListener> {
  const holder = globalThis as { [KEY]?: Map<string, MemListener> };
  return (holder[KEY] ??= new Map());
}

/** Connects to the `mem://` listener of that name. */
export function connectMemory(name: string): Promise<ByteStream> {
  const listener = memRegistry().get(name);
  return listener === undefined
    ? Promise.reject(new TransportError('TRANSPORT_REFUSED', `nothing listens on mem://${name}`))
    : listener.connect();
}
