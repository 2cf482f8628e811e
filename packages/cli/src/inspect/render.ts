import type { Value } from '@petrichor/wire';
import { jsonText } from '../render/json.js';
import type { Style } from '../style.js';
import { dumpAround } from './hex.js';
import type { Failure, Node, Report } from './report.js';

/** The report's first line: the format, the size, and why the format was chosen. */
export function headline(report: Report, size: number, style: Style): string {
  const variant = report.variant === undefined ? '' : ` ${report.variant}`;
  const detected = report.detected === undefined ? '' : style.dim(` (detected: ${report.detected})`);
  return `${style.bold(report.format + variant)}, ${size} ${size === 1 ? 'byte' : 'bytes'}${detected}`;
}

/** The decoded pieces as an aligned table, nested pieces indented under their parent. */
export function tableLines(report: Report, style: Style): string[] {
  const rows: { node: Node; depth: number }[] = [];
  const walk = (nodes: readonly Node[], depth: number): void => {
    for (const node of nodes) {
      rows.push({ node, depth });
      if (node.children !== undefined) walk(node.children, depth + 1);
    }
  };
  walk(report.nodes, 0);
  const positioned = rows.some(({ node }) => node.offset !== undefined);
  // Widths by a loop: spreading a million rows into Math.max would overflow the call stack.
  let offsetWidth = 6;
  let sizeWidth = 4;
  let tagWidth = report.tagHeading?.length ?? 0;
  for (const { node } of rows) {
    offsetWidth = Math.max(offsetWidth, String(node.offset ?? '').length);
    sizeWidth = Math.max(sizeWidth, String(node.size ?? '').length);
    if (tagWidth > 0) tagWidth = Math.max(tagWidth, (node.tag ?? '').length);
  }
  const columns = (offset: string, size: string, tag: string, rest: string): string =>
    (positioned ? `${offset.padStart(offsetWidth)}  ${size.padStart(sizeWidth)}  ` : '') + (tagWidth > 0 ? `${tag}  ` : '') + rest;
  const lines = [style.dim(columns('offset', 'size', (report.tagHeading ?? '').padStart(tagWidth), report.heading))];
  for (const { node, depth } of rows) {
    const kind = node.kind === 'key' ? style.magenta(node.kind) : style.cyan(node.kind);
    const rest = '  '.repeat(depth) + kind + (node.text === '' ? '' : ' ' + node.text);
    lines.push(columns(String(node.offset ?? ''), String(node.size ?? ''), style.dim((node.tag ?? '').padStart(tagWidth)), rest));
  }
  return lines;
}

/** The failure, pointing at the offending byte: a line with its code, then a hex dump with a caret. */
export function failureLines(failure: Failure, bytes: Uint8Array, style: Style): string[] {
  const at = failure.offset >= bytes.length ? `at byte ${failure.offset} (the end of the input)` : `at byte ${failure.offset}`;
  return [`${style.red(style.bold(failure.code))} ${at}: ${failure.message}`, ...dumpAround(bytes, failure.offset, style)];
}

/** The report as one JSON document. */
export function reportJson(report: Report, size: number): string {
  const document: Record<string, Value> = { format: report.format };
  if (report.variant !== undefined) document.variant = report.variant;
  if (report.detected !== undefined) document.detected = report.detected;
  document.size = size;
  document.elements = report.nodes.map(nodeJson);
  document.error = report.failure === undefined ? null : { code: report.failure.code, message: report.failure.message, offset: report.failure.offset };
  return jsonText(document, 2);
}

function nodeJson(node: Node): Value {
  const out: Record<string, Value> = {};
  if (node.offset !== undefined) out.offset = node.offset;
  if (node.size !== undefined) out.size = node.size;
  out.kind = node.kind;
  Object.assign(out, node.json);
  if (node.children !== undefined) out.children = node.children.map(nodeJson);
  return out;
}
