import { tnetstring, type Value } from '@petrichor/wire';
import { failureOf } from './failure.js';
import { bytesPreview, valuePreview } from './preview.js';
import type { Node, Report, ShowOptions } from './report.js';

const COLON = 0x3a;

/** Type bytes (spec/wire.md §2.1) and their names. */
const TYPE_NAMES: Readonly<Record<number, string>> = {
  0x2c: 'bytes',
  0x23: 'integer',
  0x5e: 'float',
  0x21: 'boolean',
  0x7e: 'null',
  0x5d: 'list',
  0x7d: 'dict',
};

/**
 * Every tnetstring of `bytes`, back to back (spec/wire.md §2), each with its nested elements.
 * `tnetstring.decodeFirst` checks each top-level element whole; its children, already valid,
 * are then walked with `decodeFirst` again, one element at a time, for their offsets.
 */
export function inspectTnetstrings(bytes: Uint8Array, show: ShowOptions): Pick<Report, 'nodes' | 'failure'> {
  const nodes: Node[] = [];
  let at = 0;
  while (at < bytes.length) {
    let size: number;
    try {
      size = elementSize(bytes, at, bytes.length);
    } catch (error) {
      return { nodes, failure: failureOf(error, at) };
    }
    nodes.push(element(bytes, at, size, show, false));
    at += size;
  }
  return { nodes };
}

/** Inspects one whole tnetstring occupying `bytes[at, at + size)`, already known to be valid. */
export function element(bytes: Uint8Array, at: number, size: number, show: ShowOptions, isKey: boolean): Node {
  const end = at + size;
  const dataStart = bytes.indexOf(COLON, at) + 1;
  const len = end - 1 - dataStart;
  const type = bytes[end - 1]!;
  const name = TYPE_NAMES[type]!;
  const json: Record<string, Value> = isKey ? { type: name, role: 'key', len } : { type: name, len };
  const base = { offset: at, size, tag: String(len), json };
  if (type === 0x5d || type === 0x7d) {
    const children: Node[] = [];
    for (let child = dataStart; child < end - 1; ) {
      const childSize = elementSize(bytes, child, end - 1);
      children.push(element(bytes, child, childSize, show, type === 0x7d && children.length % 2 === 0));
      child += childSize;
    }
    const count = type === 0x5d ? children.length : children.length / 2;
    const text = type === 0x5d ? `${count} ${count === 1 ? 'item' : 'items'}` : `${count} ${count === 1 ? 'pair' : 'pairs'}`;
    return { ...base, kind: name, text, children };
  }
  const value = tnetstring.decode(bytes.subarray(at, end));
  json.value = value;
  const text = value instanceof Uint8Array ? bytesPreview(value, show.preview) : valuePreview(value, show.preview);
  return { ...base, kind: isKey ? 'key' : name, text };
}

/** Size of the valid tnetstring at `at`, which must end by `end`. Throws the decoder's errors (offsets from `at`). */
export function elementSize(bytes: Uint8Array, at: number, end: number): number {
  const { rest } = tnetstring.decodeFirst(bytes.subarray(at, end));
  return end - at - rest.length;
}
