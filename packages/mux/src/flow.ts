import { UINT32_MAX } from './frame/uint32.js';

/**
 * Flow-control arithmetic (spec/qmux.md §4), kept apart so the rule is in one place.
 *
 * Send side: a channel may send min(peer's max packet, send window) bytes per DATA; the window
 * starts at the peer's advertised initial window, shrinks by each payload and grows by
 * WINDOW_ADJUST, never past 2^32 − 1.
 *
 * Receive side: the peer may send at most `receive window` bytes; every DATA shrinks it. Bytes
 * the application has consumed are returned in one WINDOW_ADJUST once they reach the threshold
 * (default half the window), so at any moment window + buffered + consumed-not-returned equals
 * the window we advertised: we never hold more than that.
 */

/** The send window after adding `additional` bytes, or −1 when it would pass 2^32 − 1. */
export function growWindow(window: number, additional: number): number {
  const grown = window + additional;
  return grown > UINT32_MAX ? -1 : grown;
}

/** Bytes one DATA may carry now: limited by what is left to send, the window and the peer's max packet. */
export function sendable(remaining: number, window: number, maxPacket: number): number {
  return Math.min(remaining, window, maxPacket);
}
