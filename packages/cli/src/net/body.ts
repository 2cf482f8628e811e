import { MalformedError, WireError, sexpr, type Value } from '@petrichor/wire';
import { badInput } from '../errors.js';

/**
 * A BODY (or a streamed message) as the user wrote it: one s-expression datum, or one JSON value
 * with `json`. `what` names it in errors (`BODY`, `stdin line 3`). Bad text is bad input (exit 4).
 */
export function parseBody(text: string, json: boolean, what: string): Value {
  if (json) {
    try {
      return JSON.parse(text) as Value;
    } catch (error) {
      throw badInput(`${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  try {
    return sexpr.parse(text);
  } catch (error) {
    if (error instanceof MalformedError) {
      const at = error.line === undefined ? '' : ` at line ${error.line}, column ${error.column ?? 0}`;
      throw badInput(`${what} is not an s-expression: ${error.reason}${at}`, { code: error.code, cause: error });
    }
    if (error instanceof WireError) throw badInput(`${what}: ${error.message}`, { code: error.code, cause: error });
    throw error;
  }
}
