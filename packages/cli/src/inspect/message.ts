import { DEFAULT_LIMITS, MessageDecoder, type Codec, type Value } from '@petrichor/wire';
import { failureOf } from './failure.js';
import { valuePreview } from './preview.js';
import type { Failure, Node, ShowOptions } from './report.js';

/** What {@link inspectMessages} read: the messages, where it stopped, and why if not at the end. */
export interface MessagesRead {
  readonly nodes: Node[];
  /** Offset just past the last whole message. */
  readonly end: number;
  /** The messages themselves (lossless), in order. */
  readonly messages: { header: Value; body: Value }[];
  readonly failure?: Failure;
}

/**
 * Petrichor messages, HEADER frame then BODY frame, back to back (spec/wire.md §6), read by a
 * `MessageDecoder` for `codec`. The codec's own frame scanner says where each frame ends, so
 * that each message's place is known; the decoder does all the checking, and reports errors
 * at stream offsets. Stops after `max` messages (the rest of `bytes` is left unread).
 */
export function inspectMessages(bytes: Uint8Array, codec: Codec, show: ShowOptions, max = Infinity): MessagesRead {
  const decoder = new MessageDecoder({ codec });
  const scanner = codec.framing.scanner(DEFAULT_LIMITS);
  const nodes: Node[] = [];
  const messages: { header: Value; body: Value }[] = [];
  let at = 0;
  let end = 0;
  let headerAt = 0;
  let bodyAt = 0;
  try {
    while (at < bytes.length && messages.length < max) {
      scanner.reset(bytes.length, 'maxMessageBytes');
      let frameEnd: number;
      try {
        frameEnd = scanner.feed(bytes, at, bytes.length);
      } catch {
        frameEnd = -1; // the decoder reports it, with the limits that apply to this frame
      }
      if (frameEnd < 0) {
        decoder.push(bytes.subarray(at));
        break;
      }
      const message = decoder.push(bytes.subarray(at, frameEnd))[0];
      if (message === undefined) {
        headerAt = at;
        bodyAt = frameEnd;
      } else {
        messages.push(message);
        nodes.push(messageNode(`#${messages.length}`, headerAt, bodyAt, frameEnd, message.header, message.body, show));
        end = frameEnd;
      }
      at = frameEnd;
    }
    if (messages.length < max) decoder.end();
  } catch (error) {
    return { nodes, end, messages, failure: failureOf(error, 0) };
  }
  return { nodes, end, messages };
}

/** A message and its HEADER and BODY, placed in the input (`end` is just past the BODY). */
export function messageNode(label: string, headerAt: number, bodyAt: number, end: number, header: Value, body: Value, show: ShowOptions): Node {
  return {
    offset: headerAt,
    size: end - headerAt,
    kind: 'message',
    text: label,
    json: {},
    children: [
      { offset: headerAt, size: bodyAt - headerAt, kind: 'HEADER', text: valuePreview(header, show.preview), json: { value: header } },
      { offset: bodyAt, size: end - bodyAt, kind: 'BODY', text: valuePreview(body, show.preview), json: { value: body } },
    ],
  };
}
