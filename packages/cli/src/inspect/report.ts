import type { Value } from '@petrichor/wire';

/** The formats `inspect` reads. */
export const FORMATS = ['tnetstring', 'sexpr', 'msgpack', 'message', 'qmux', 'session'] as const;
/** One of {@link FORMATS}. */
export type Format = (typeof FORMATS)[number];

/**
 * One decoded piece of the input (an element, a frame, a message, a field of it), with where it
 * lies. The text and JSON renderers both walk this tree.
 */
export interface Node {
  /** Offset of its first byte in the input (absent for a datum of s-expression text, whose reader keeps no positions). */
  readonly offset?: number;
  /** Bytes it takes (absent with the offset). */
  readonly size?: number;
  /** The short column beside the size: a tnetstring's LEN, a msgpack head byte, a qmux type byte. */
  readonly tag?: string;
  /** What it is: `dict`, `key`, `fixstr`, `OPEN`, `HEADER`… */
  readonly kind: string;
  /** The rest of its line: a value, a count, named fields. */
  readonly text: string;
  /** Fields for JSON (`len`, `senderId`…), and its decoded value (`value`). */
  readonly json: Readonly<Record<string, Value>>;
  readonly children?: readonly Node[];
}

/** Where and why decoding stopped. */
export interface Failure {
  /** The error's stable code: `WIRE_MALFORMED`, `MUX_PROTOCOL`… */
  readonly code: string;
  readonly message: string;
  /** The offending byte's offset in the input (the input's length when it ended too soon). */
  readonly offset: number;
}

/** What `inspect` found: the pieces decoded before any failure, and the failure. */
export interface Report {
  readonly format: Format;
  /** More about the format: `codec msgpack`, `netstring frames`. */
  readonly variant?: string;
  /** Why this format was chosen, when it was detected rather than given. */
  readonly detected?: string;
  /** Heading of the tag column (`LEN`, `head`, `type`), when the format has one. */
  readonly tagHeading?: string;
  /** Heading of the element column. */
  readonly heading: string;
  readonly nodes: readonly Node[];
  readonly failure?: Failure;
}

/** How much of each value to show. */
export interface ShowOptions {
  /** Bytes of a byte string, characters of a value's text, before it is cut with `…`. Infinity for all. */
  readonly preview: number;
}
