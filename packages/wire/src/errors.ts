/**
 * Every failure `@petrichor/wire` reports is one of these classes. Each has a stable `code`
 * (documented in the package README); nothing else is thrown on bad input.
 */

/** Stable codes of {@link WireError} and its subclasses. */
export type WireErrorCode =
  | 'WIRE_MALFORMED'
  | 'WIRE_TRUNCATED'
  | 'WIRE_LIMIT'
  | 'WIRE_UNENCODABLE'
  | 'WIRE_CONVERSION'
  | 'WIRE_PROTOCOL';

/** Base class of every error this package throws. */
export abstract class WireError extends Error {
  abstract readonly code: WireErrorCode;
  /** Written out in each class: a minifier renames classes, so `constructor.name` would not do. */
  override get name(): string {
    return 'WireError';
  }
}

/** Where in the input a decode error was found. `line` and `column` are 1-based (text formats). */
export interface Position {
  offset: number;
  line?: number;
  column?: number;
}

function where(position: Position): string {
  return position.line === undefined
    ? `at byte ${position.offset}`
    : `at line ${position.line}, column ${position.column ?? 0} (byte ${position.offset})`;
}

/** The input breaks the format's grammar. `offset` points at the offending byte. */
export class MalformedError extends WireError {
  readonly code = 'WIRE_MALFORMED' as const;
  override get name(): string {
    return 'MalformedError';
  }
  declare readonly offset: number;
  declare readonly line: number | undefined;
  declare readonly column: number | undefined;
  /** Why, without the position: for example `leading zero in length`. */
  declare readonly reason: string;
  constructor(reason: string, position: Position) {
    super(`${reason} ${where(position)}`);
    this.reason = reason;
    this.offset = position.offset;
    this.line = position.line;
    this.column = position.column;
  }
}

/** `new MalformedError(reason, { offset })`, the decoders' most common error, in one place. @internal */
export function malformed(reason: string, offset: number): MalformedError {
  return new MalformedError(reason, { offset });
}

/** The input ended inside a value: more bytes were needed. `offset` is where the value began. */
export class TruncatedError extends WireError {
  readonly code = 'WIRE_TRUNCATED' as const;
  override get name(): string {
    return 'TruncatedError';
  }
  declare readonly offset: number;
  /** What was cut short, for example `a tnetstring`. */
  declare readonly what: string;
  constructor(what: string, offset: number) {
    super(`input ended inside ${what} that began at byte ${offset}`);
    this.what = what;
    this.offset = offset;
  }
}

/** Names of the limits in {@link Limits}. */
export type LimitName = 'maxMessageBytes' | 'maxHeaderBytes' | 'maxElementBytes' | 'maxDepth' | 'maxCollectionLength';

/** A size, depth or count went past a configured limit. Raised before the excess is buffered. */
export class LimitError extends WireError {
  readonly code = 'WIRE_LIMIT' as const;
  override get name(): string {
    return 'LimitError';
  }
  declare readonly limit: LimitName;
  declare readonly max: number;
  declare readonly actual: number;
  declare readonly offset: number;
  constructor(limit: LimitName, max: number, actual: number, offset: number) {
    super(`${limit} exceeded: ${actual} > ${max} at byte ${offset}`);
    this.limit = limit;
    this.max = max;
    this.actual = actual;
    this.offset = offset;
  }
}

/** A value cannot be written in the chosen format (NaN, a cycle, a type the format lacks…). */
export class UnencodableError extends WireError {
  readonly code = 'WIRE_UNENCODABLE' as const;
  override get name(): string {
    return 'UnencodableError';
  }
  /** Where in the value: a path such as `$.items[3].name`. */
  declare readonly path: string;
  constructor(reason: string, path: string) {
    super(`cannot encode ${path}: ${reason}`);
    this.path = path;
  }
}

/** A decoded value cannot take the convenient form asked for (bytes that are not UTF-8 as text…). */
export class ConversionError extends WireError {
  readonly code = 'WIRE_CONVERSION' as const;
  override get name(): string {
    return 'ConversionError';
  }
  declare readonly offset: number;
  /** Why, without the position. */
  declare readonly reason: string;
  constructor(reason: string, offset: number) {
    super(`${reason} at byte ${offset}`);
    this.reason = reason;
    this.offset = offset;
  }
}

/** The message stream broke Petrichor's rules (a HEADER that is not a dict, a stream cut mid-message). */
export class ProtocolError extends WireError {
  readonly code = 'WIRE_PROTOCOL' as const;
  override get name(): string {
    return 'ProtocolError';
  }
  declare readonly offset: number;
  /** Why, without the position. */
  declare readonly reason: string;
  constructor(reason: string, offset: number) {
    super(`${reason} at byte ${offset}`);
    this.reason = reason;
    this.offset = offset;
  }
}

/**
 * The same error with its offset moved by `delta` bytes: a decoder that reads one element of a
 * stream reports offsets from the element's start, and the stream reader shifts them to count from
 * the stream's start. Errors without an offset are returned unchanged.
 *
 * @internal
 */
export function shiftOffset(error: unknown, delta: number): unknown {
  if (delta === 0 || !(error instanceof WireError)) return error;
  if (error instanceof MalformedError) {
    const position: Position = { offset: error.offset + delta };
    if (error.line !== undefined) position.line = error.line;
    if (error.column !== undefined) position.column = error.column;
    return new MalformedError(error.reason, position);
  }
  if (error instanceof TruncatedError) return new TruncatedError(error.what, error.offset + delta);
  if (error instanceof LimitError) return new LimitError(error.limit, error.max, error.actual, error.offset + delta);
  if (error instanceof ConversionError) return new ConversionError(error.reason, error.offset + delta);
  if (error instanceof ProtocolError) return new ProtocolError(error.reason, error.offset + delta);
  return error;
}
