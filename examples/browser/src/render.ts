/**
 * How the page shows what comes back: values as s-expression text, errors the way the error model
 * gives them. No DOM here, so a Node test checks it too.
 */
import { HandshakeDeniedError, RpcError } from '@petrichor/rpc';
import { Float, keyword, sexpr, sym, type Value } from '@petrichor/wire';

/** An error as the page shows it. */
export interface ShownError {
  /** The numeric code of a call's error (`404`), else the stable string code (`RPC_CONNECTION_LOST`). */
  readonly code: string;
  /** One line of text: a call's error as `(err :code 404 :message "no note 9")`, else `CODE: message`. */
  readonly text: string;
}

/** Shows anything a call, a stream or `connect` can reject with. */
export function showError(error: unknown): ShownError {
  if (error instanceof RpcError) return { code: String(error.code), text: errForm(error) };
  if (error instanceof HandshakeDeniedError) return { code: error.code, text: `${error.code} ${error.status}: ${error.reason}` };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const shown = typeof code === 'string' ? code : error.name;
    return { code: shown, text: `${shown}: ${error.message}` };
  }
  return { code: 'ERROR', text: `ERROR: ${String(error)}` };
}

/**
 * A call's error as the s-expression codec carries it (spec/rpc.md §4.3):
 * `(err :code N :message "…" :data …)`; `:data` is left out when it has no s-expression form (bytes).
 */
export function errForm(error: RpcError): string {
  const list: Value[] = [sym('err'), keyword('code'), error.code, keyword('message'), error.message];
  if (error.data === undefined) return sexpr.stringify(list);
  try {
    return sexpr.stringify([...list, keyword('data'), error.data]);
  } catch {
    return sexpr.stringify(list);
  }
}

/**
 * A reply value as s-expression text: `{:id 1 :text "rain" :by "ana"}`. Bytes have no such form:
 * then the value is shown as JSON, with bytes by their size.
 */
export function showValue(value: Value): string {
  try {
    return sexpr.stringify(value);
  } catch {
    return (
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'bigint') return v.toString();
        if (v instanceof Float) return v.value;
        if (v instanceof Uint8Array) return `<${v.byteLength} bytes>`;
        return v;
      }) ?? 'null'
    );
  }
}
