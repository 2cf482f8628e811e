import { DEFAULT_LIMITS, MessageDecoder, type Codec, type Value } from '@petrichor/wire';
import { failureOf } from './failure.js';
import { valuePreview } from './preview.js';
import type { Failure, Node, Report, ShowOptions } from './report.js';

/**
 * Petrichor messages, HEADER frame then BODY frame, back to back (spec/wire.md §6), read by a
 * `MessageDecoder` for `codec`. The codec's own frame scanner says where each frame ends, so
 * that each message's place is known; the decoder does all the checking, and reports errors
 * at stream offsets.
 */
export function inspectMessages(bytes: Uint8Array, codec: Codec, show: ShowOptions): Pick<Report, 'nodes' | 'failure'> {
  const decoder = new MessageDecoder({ codec });
  const scanner = codec.framing.scanner(DEFAULT_LIMITS);
  const nodes: Node[] = [];
  let at = 0;
  let headerAt = 0;
  let bodyAt = 0;
  let failure: Failure | undefined;
  try {
    while (at < bytes.length) {
      scanner.reset(bytes.length, 'maxMessageBytes');
      let end: number;
      try {
        end = scanner.feed(bytes, at, bytes.length);
      } catch {
        end = -1; // the decoder reports it, with the limits that apply to this frame
      }
      if (end < 0) {
        decoder.push(bytes.subarray(at));
        break;
      }
      const messages = decoder.push(bytes.subarray(at, end));
      const message = messages[0];
      if (message === undefined) {
        headerAt = at;
        bodyAt = end;
      } else {
        nodes.push(messageNode(nodes.length + 1, headerAt, bodyAt, end, message.header, message.body, show));
      }
      at = end;
    }
    decoder.end();
  } catch (error) {
    failure = failureOf(error, 0);
  }
  return failure === undefined ? { nodes } : { nodes, failure };
}

function messageNode(n: number, headerAt: number, bodyAt: number, end: number, header: Value, body: Value, show: ShowOptions): Node {
  return {
    offset: headerAt,
    size: end - headerAt,
    kind: 'message',
    text: `#${n}`,
    json: { index: n },
    children: [
      { offset: headerAt, size: bodyAt - headerAt, kind: 'HEADER', text: valuePreview(header, show.preview), json: { value: header } },
      { offset: bodyAt, size: end - bodyAt, kind: 'BODY', text: valuePreview(body, show.preview), json: { value: body } },
    ],
  };
}
