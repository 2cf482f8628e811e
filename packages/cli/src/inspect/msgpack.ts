import { msgpack, type Value } from '@petrichor/wire';
import { failureOf } from './failure.js';
import { bytesPreview, valuePreview } from './preview.js';
import type { Node, Report, ShowOptions } from './report.js';

/** The msgpack format a head byte starts (spec/wire.md §4.1). */
export function headName(head: number): string {
  if (head <= 0x7f) return 'positive fixint';
  if (head <= 0x8f) return 'fixmap';
  if (head <= 0x9f) return 'fixarray';
  if (head <= 0xbf) return 'fixstr';
  if (head >= 0xe0) return 'negative fixint';
  return NAMED_HEADS[head - 0xc0]!;
}

const NAMED_HEADS = [
  'nil', 'never used', 'false', 'true', 'bin 8', 'bin 16', 'bin 32', 'ext 8', 'ext 16', 'ext 32', 'float 32', 'float 64',
  'uint 8', 'uint 16', 'uint 32', 'uint 64', 'int 8', 'int 16', 'int 32', 'int 64', 'fixext 1', 'fixext 2', 'fixext 4',
  'fixext 8', 'fixext 16', 'str 8', 'str 16', 'str 32', 'array 16', 'array 32', 'map 16', 'map 32',
] as const;

/** For an array or map head: the bytes before its first item (head and count), else 0. */
function containerHeader(head: number): number {
  if ((head >= 0x80 && head <= 0x9f)) return 1;
  if (head === 0xdc || head === 0xde) return 3;
  if (head === 0xdd || head === 0xdf) return 5;
  return 0;
}

function isMap(head: number): boolean {
  return (head >= 0x80 && head <= 0x8f) || head === 0xde || head === 0xdf;
}

/**
 * Every msgpack value of `bytes`, back to back (spec/wire.md §4), with nested items.
 * `msgpack.decodeFirst` checks each top-level value whole, under the Petrichor profile; the
 * items of arrays and maps, already valid, are walked with `decodeFirst` again for their offsets.
 */
export function inspectMsgpack(bytes: Uint8Array, show: ShowOptions): Pick<Report, 'nodes' | 'failure'> {
  const nodes: Node[] = [];
  let at = 0;
  while (at < bytes.length) {
    let size: number;
    try {
      size = valueSize(bytes, at, bytes.length);
    } catch (error) {
      return { nodes, failure: failureOf(error, at) };
    }
    nodes.push(valueNode(bytes, at, size, show, false));
    at += size;
  }
  return { nodes };
}

function valueNode(bytes: Uint8Array, at: number, size: number, show: ShowOptions, isKey: boolean): Node {
  const head = bytes[at]!;
  const format = headName(head);
  const json: Record<string, Value> = isKey ? { format, role: 'key', head } : { format, head };
  const base = { offset: at, size, tag: head.toString(16).padStart(2, '0'), json };
  const header = containerHeader(head);
  if (header > 0) {
    const map = isMap(head);
    const children: Node[] = [];
    for (let child = at + header; child < at + size; ) {
      const childSize = valueSize(bytes, child, at + size);
      children.push(valueNode(bytes, child, childSize, show, map && children.length % 2 === 0));
      child += childSize;
    }
    const count = map ? children.length / 2 : children.length;
    const text = map ? `${count} ${count === 1 ? 'pair' : 'pairs'}` : `${count} ${count === 1 ? 'item' : 'items'}`;
    return { ...base, kind: format, text, children };
  }
  const value = msgpack.decode(bytes.subarray(at, at + size));
  json.value = value;
  const shown = value instanceof Uint8Array ? bytesPreview(value, show.preview) : valuePreview(value, show.preview);
  return { ...base, kind: isKey ? 'key' : format, text: isKey ? `${shown} (${format})` : shown };
}

/** Size of the valid msgpack value at `at`, which must end by `end`. Throws the decoder's errors. */
function valueSize(bytes: Uint8Array, at: number, end: number): number {
  const { rest } = msgpack.decodeFirst(bytes.subarray(at, end));
  return end - at - rest.length;
}
