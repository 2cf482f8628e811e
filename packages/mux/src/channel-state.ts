/**
 * Channel states (spec/qmux.md §3). Half-closes are the two EOF flags, orthogonal to these. The
 * plain constants are for this package's code: a bundler inlines them (not an object's fields).
 */

/** We sent OPEN and wait for OPEN_CONFIRM or OPEN_FAILURE. */
export const OPENING = 0;
/** Confirmed (either way): DATA, WINDOW_ADJUST and EOF flow. */
export const OPEN = 1;
/** We sent CLOSE and wait for the peer's; we send nothing more on the channel. */
export const CLOSING = 2;
/** Both CLOSEs seen (or the session ended): the id is free. */
export const CLOSED = 3;

/** The states by name (for tests and diagnostics: `MuxChannel.state`). */
export const ChannelState = { Opening: OPENING, Open: OPEN, Closing: CLOSING, Closed: CLOSED } as const;
export type ChannelState = (typeof ChannelState)[keyof typeof ChannelState];
