import { MuxError, ProtocolError as MuxProtocolError } from '@petrichor/mux';
import { ConversionError, LimitError, MalformedError, ProtocolError, TruncatedError, WireError } from '@petrichor/wire';
import type { Failure } from './report.js';

/**
 * The {@link Failure} for a decoder's error, its offset moved by `base` (decoders count from the
 * start of the bytes they were given, `inspect` from the start of the input). Anything that is not
 * one of our typed decode errors is a bug and is rethrown.
 */
export function failureOf(error: unknown, base: number): Failure {
  if (error instanceof MalformedError) {
    const where = error.line === undefined ? '' : ` (line ${error.line}, column ${error.column ?? 0} of the text)`;
    return { code: error.code, message: error.reason + where, offset: base + error.offset };
  }
  if (error instanceof TruncatedError) {
    return { code: error.code, message: `input ended inside ${error.what} that began here`, offset: base + error.offset };
  }
  if (error instanceof LimitError) {
    return { code: error.code, message: `${error.limit} exceeded: ${error.actual} > ${error.max}`, offset: base + error.offset };
  }
  if (error instanceof ConversionError || error instanceof ProtocolError) {
    return { code: error.code, message: error.reason, offset: base + error.offset };
  }
  if (error instanceof MuxProtocolError) {
    return { code: error.code, message: error.reason, offset: base + (error.offset ?? 0) };
  }
  if (error instanceof WireError || error instanceof MuxError) return { code: error.code, message: error.message, offset: base };
  throw error;
}
