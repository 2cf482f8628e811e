import { netstring, sexpr, type Value } from '@petrichor/wire';
import { sexprText } from '../render/sexpr.js';
import { failureOf } from './failure.js';
import { cut } from './preview.js';
import type { Node, Report, ShowOptions } from './report.js';

/**
 * S-expression netstring frames back to back (spec/wire.md §3.10): each frame's place and LEN,
 * and its payload read as one datum, shown in canonical text. Frames are cut by
 * `netstring.decodeFrame` and payloads read by `sexpr.parse`.
 */
export function inspectFrames(bytes: Uint8Array, show: ShowOptions): Pick<Report, 'nodes' | 'failure'> {
  const nodes: Node[] = [];
  let at = 0;
  while (at < bytes.length) {
    let payload: Uint8Array;
    let size: number;
    try {
      const frame = netstring.decodeFrame(bytes.subarray(at));
      payload = frame.payload;
      size = bytes.length - at - frame.rest.length;
    } catch (error) {
      return { nodes, failure: failureOf(error, at) };
    }
    const payloadAt = at + size - 1 - payload.length;
    let value: Value;
    try {
      value = sexpr.parse(payload);
    } catch (error) {
      return { nodes, failure: failureOf(error, payloadAt) };
    }
    nodes.push({
      offset: at,
      size,
      tag: String(payload.length),
      kind: 'frame',
      text: cut(sexprText(value), show.preview),
      json: { len: payload.length, value },
    });
    at += size;
  }
  return { nodes };
}

/** S-expression text that is not framed (what people type): every datum, in order, via `sexpr.parseAll`. */
export function inspectText(bytes: Uint8Array, show: ShowOptions): Pick<Report, 'nodes' | 'failure'> {
  let values: Value[];
  try {
    values = sexpr.parseAll(bytes);
  } catch (error) {
    return { nodes: [], failure: failureOf(error, 0) };
  }
  return {
    nodes: values.map((value) => ({ kind: 'datum', text: cut(sexprText(value), show.preview), json: { value } })),
  };
}
