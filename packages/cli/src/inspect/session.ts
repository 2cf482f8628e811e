import { codecs, isDict, type Codec, type CodecName, type Value } from '@petrichor/wire';
import { ChannelMessages } from './channels.js';
import { inspectMessages } from './message.js';
import { inspectQmux } from './qmux.js';
import type { Node, Report, ShowOptions } from './report.js';

const CODECS: readonly string[] = ['tnetstring', 'sexpr', 'msgpack'];

/**
 * One direction of a whole Petrichor connection (spec/rpc.md §1, §2): the handshake message
 * (always tnetstring), then qmux, with the rpc messages of every channel decoded in the codec
 * the handshake names. `sessionCodec` gives the codec sessions use for a name (with sexpr,
 * request HEADERs in the call form).
 */
export function inspectSession(bytes: Uint8Array, show: ShowOptions, sessionCodec: (name: CodecName) => Codec): Pick<Report, 'nodes' | 'failure'> {
  const handshake = inspectMessages(bytes, codecs.tnetstring, show, 1);
  const hello = handshake.messages[0];
  const nodes: Node[] = handshake.nodes.map((node) => ({ ...node, kind: 'handshake', text: '' }));
  if (hello === undefined) return handshake.failure === undefined ? { nodes } : { nodes, failure: handshake.failure };
  const name = codecName(hello.header);
  const channels = name === undefined ? undefined : new ChannelMessages(sessionCodec(name), show);
  const session = inspectQmux(bytes.subarray(handshake.end), show, channels, handshake.end);
  nodes.push(...session.nodes);
  return session.failure === undefined ? { nodes } : { nodes, failure: session.failure };
}

/** The handshake's `codec` field, when it names a codec. */
function codecName(header: Value): CodecName | undefined {
  if (!isDict(header)) return undefined;
  const value = header instanceof Map ? header.get('codec') : (header as Record<string, Value>)['codec'];
  const text = value instanceof Uint8Array ? new TextDecoder().decode(value) : value;
  return typeof text === 'string' && CODECS.includes(text) ? (text as CodecName) : undefined;
}

/** True when `value` (a first tnetstring) is a handshake HEADER: a dict with a `petrichor` field. */
export function isHandshake(value: Value): boolean {
  return value instanceof Map && value.has('petrichor');
}
