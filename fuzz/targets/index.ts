/** Every fuzz target, in the order `pnpm fuzz` runs them. */
import type { Target } from '../harness.js';
import { messagesTarget } from './messages.js';
import { msgpackTarget } from './msgpack.js';
import { muxSessionTarget } from './mux-session.js';
import { netstringTarget } from './netstring.js';
import { qmuxFramesTarget } from './qmux-frames.js';
import { rpcEnvelopeTarget } from './rpc-envelope.js';
import { rpcHandshakeTarget } from './rpc-handshake.js';
import { sexprTarget } from './sexpr.js';
import { tnetstringTarget } from './tnetstring.js';

export const targets: readonly Target<never>[] = [
  tnetstringTarget,
  sexprTarget,
  netstringTarget,
  msgpackTarget,
  messagesTarget,
  qmuxFramesTarget,
  muxSessionTarget,
  rpcHandshakeTarget,
  rpcEnvelopeTarget,
] as unknown as readonly Target<never>[];
