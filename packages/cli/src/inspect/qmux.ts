import { FrameDecoder, MessageType, ProtocolError, frame, type Message } from '@petrichor/mux';
import type { Value } from '@petrichor/wire';
import { ChannelFailure, type ChannelMessages } from './channels.js';
import { failureOf } from './failure.js';
import { bytesPreview } from './preview.js';
import type { Node, Report, ShowOptions } from './report.js';

/** The spec's names: `OPEN_CONFIRM`, `WINDOW_ADJUST`… */
function typeName(type: MessageType): string {
  return frame.MESSAGE_NAMES[type].toUpperCase().replace('-', '_');
}

/** A byte count with its power-of-two unit when it has one: `1048576 (1 MiB)`. */
function amount(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= size && n % size === 0) return `${n} (${n / size} ${unit})`;
  }
  return String(n);
}

/**
 * A qmux capture, one direction of a session, message by message (spec/qmux.md §2) with every
 * field named, as mux's own `FrameDecoder` reads it (no max packet: a capture may come from any
 * peer). With `channels`, the rpc messages the DATA payloads carry are shown too, each under the
 * DATA that completes it. `base` is the capture offset of `bytes[0]`.
 */
export function inspectQmux(bytes: Uint8Array, show: ShowOptions, channels?: ChannelMessages, base = 0): Pick<Report, 'nodes' | 'failure'> {
  const decoder = new FrameDecoder();
  const nodes: Node[] = [];
  try {
    decoder.push(bytes, (message) => {
      const offset = base + decoder.messageOffset;
      const node = messageNode(message, offset, show);
      if (channels === undefined) {
        nodes.push(node);
      } else if (message.type === MessageType.Data) {
        const carried = channels.data(message.recipientId, message.data, offset + frame.DATA_HEADER_SIZE);
        nodes.push(carried.length === 0 ? node : { ...node, children: carried });
      } else {
        nodes.push(node);
        if (message.type === MessageType.Eof) channels.end(message.recipientId, offset);
        else if (message.type === MessageType.Close) channels.forget(message.recipientId);
      }
    });
    if (!decoder.idle) throw new ProtocolError('input ended inside a message', decoder.messageOffset);
  } catch (error) {
    return { nodes, failure: error instanceof ChannelFailure ? error.failure : failureOf(error, base) };
  }
  return { nodes };
}

function messageNode(message: Message, offset: number, show: ShowOptions): Node {
  const kind = typeName(message.type);
  const tag = message.type.toString(16);
  /** Each field: its label, its text, its JSON key, its value. */
  const fields: [string, string, string, Value][] = [];
  switch (message.type) {
    case MessageType.Open:
      fields.push(['sender', String(message.senderId), 'senderId', message.senderId]);
      fields.push(['window', amount(message.windowSize), 'windowSize', message.windowSize]);
      fields.push(['max packet', amount(message.maxPacketSize), 'maxPacketSize', message.maxPacketSize]);
      break;
    case MessageType.OpenConfirm:
      fields.push(['recipient', String(message.recipientId), 'recipientId', message.recipientId]);
      fields.push(['sender', String(message.senderId), 'senderId', message.senderId]);
      fields.push(['window', amount(message.windowSize), 'windowSize', message.windowSize]);
      fields.push(['max packet', amount(message.maxPacketSize), 'maxPacketSize', message.maxPacketSize]);
      break;
    case MessageType.WindowAdjust:
      fields.push(['recipient', String(message.recipientId), 'recipientId', message.recipientId]);
      fields.push(['adds', amount(message.additionalBytes), 'additionalBytes', message.additionalBytes]);
      break;
    case MessageType.Data:
      fields.push(['recipient', String(message.recipientId), 'recipientId', message.recipientId]);
      fields.push(['length', String(message.data.length), 'length', message.data.length]);
      break;
    default:
      fields.push(['recipient', String(message.recipientId), 'recipientId', message.recipientId]);
  }
  const json: Record<string, Value> = { type: message.type, name: kind };
  for (const [, , key, value] of fields) json[key] = value;
  let text = fields.map(([name, shown]) => `${name} ${shown}`).join(', ');
  let size = frame.headerSize(message.type);
  if (message.type === MessageType.Data) {
    size += message.data.length;
    json.data = message.data;
    if (message.data.length > 0) text += ': ' + bytesPreview(message.data, show.preview);
  }
  return { offset, size, tag, kind, text, json };
}
