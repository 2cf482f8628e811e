/**
 * The envelope of a call (spec/rpc.md §3, §4): the fields of request and reply HEADERs, and the
 * error BODY `(err :code N :message "…")` / `{ err: { code, message, data? } }`.
 */
import { Keyword, Sym, isDict, keyword, sym, type Codec, type Header, type Value, type ValueObject } from '@petrichor/wire';
import { RpcError, RpcProtocolError } from './errors.js';

/** `stream` in a request HEADER: the caller sends more messages after the first. */
export type RequestStream = 'in' | 'both';

/** A request HEADER's fields, checked (spec/rpc.md §3). */
export interface Request {
  verb: string;
  path: string;
  /** Relative deadline in ms, if any. */
  timeout: number | undefined;
  stream: RequestStream | undefined;
  oneway: boolean;
  iface: string | undefined;
  meta: Header | undefined;
}

/** What a caller may set on a request besides verb and path. */
export interface RequestFields {
  timeout?: number | undefined;
  stream?: RequestStream | undefined;
  oneway?: boolean | undefined;
  iface?: string | undefined;
  meta?: Header | undefined;
  /** More top-level HEADER fields (for example the mesh's `params`); the reserved names win. */
  header?: Readonly<Record<string, Value>> | undefined;
}

/** Reserved request HEADER field names. */
const RESERVED = new Set(['verb', 'path', 'timeout', 'stream', 'oneway', 'iface', 'meta']);

/** Builds a request HEADER, fields in the order of spec/rpc.md §3. */
export function requestHeader(verb: string, path: string, fields: RequestFields | undefined): ValueObject {
  if (fields === undefined) return { verb, path };
  const header: Record<string, Value> = { verb, path };
  if (fields.timeout !== undefined) header['timeout'] = fields.timeout;
  if (fields.stream !== undefined) header['stream'] = fields.stream;
  if (fields.oneway === true) header['oneway'] = true;
  if (fields.iface !== undefined) header['iface'] = fields.iface;
  if (fields.meta !== undefined) header['meta'] = fields.meta;
  if (fields.header !== undefined) {
    for (const key of Object.keys(fields.header)) {
      if (!RESERVED.has(key)) header[key] = fields.header[key]!;
    }
  }
  return header;
}

/**
 * A HEADER field, whether the HEADER decoded as a plain object or as a `Map`. Only for the
 * protocol's own field names, none of which `Object.prototype` has, so a plain lookup is exact.
 */
export function field(header: Header, name: string): Value | undefined {
  if (header instanceof Map) return (header as ReadonlyMap<string | Uint8Array, Value>).get(name);
  return (header as ValueObject)[name];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text from a `string`, or from UTF-8 bytes (a lossless tnetstring decode); else undefined. */
export function textOf(value: Value | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) {
    try {
      return utf8.decode(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Reads and checks a request HEADER. Throws `RpcError` 400 naming the bad field. */
export function parseRequest(header: Header): Request {
  const verb = textOf(field(header, 'verb'));
  if (verb === undefined || verb.length === 0) throw RpcError.badRequest('the request has no verb');
  const path = textOf(field(header, 'path'));
  if (path === undefined || path.charCodeAt(0) !== 0x2f) throw RpcError.badRequest('the request path must start with "/"');
  const timeout = field(header, 'timeout');
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && timeout <= 2 ** 31 - 1)) {
    throw RpcError.badRequest('timeout must be a number of milliseconds');
  }
  const streamField = field(header, 'stream');
  let stream: RequestStream | undefined;
  if (streamField !== undefined) {
    const text = textOf(streamField);
    if (text !== 'in' && text !== 'both') throw RpcError.badRequest('stream must be "in" or "both"');
    stream = text;
  }
  const oneway = field(header, 'oneway');
  if (oneway !== undefined && typeof oneway !== 'boolean') throw RpcError.badRequest('oneway must be a boolean');
  const ifaceField = field(header, 'iface');
  const iface = ifaceField === undefined ? undefined : textOf(ifaceField);
  if (ifaceField !== undefined && iface === undefined) throw RpcError.badRequest('iface must be text');
  const meta = field(header, 'meta');
  if (meta !== undefined && !isDict(meta)) throw RpcError.badRequest('meta must be a dict');
  return {
    verb,
    path,
    timeout: timeout as number | undefined,
    stream,
    oneway: oneway === true,
    iface,
    meta: meta as Header | undefined,
  };
}

// ---- replies ----

/** The HEADER of a successful unary reply. */
export const OK: ValueObject = Object.freeze({ status: 200 });
/** The HEADER that starts a streaming reply. */
export const OK_STREAM: ValueObject = Object.freeze({ status: 200, stream: true });
/** The HEADER of a stream item (a reply item, or a request message after the first). */
export const ITEM: ValueObject = Object.freeze({});

/** A reply HEADER read: its status and whether a stream of items follows. */
export interface ReplyHead {
  status: number;
  stream: boolean;
}

/** Reads a reply HEADER; a HEADER without a numeric status breaks the protocol. */
export function parseReplyHead(header: Header): ReplyHead {
  const status = field(header, 'status');
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 999) {
    throw new RpcProtocolError('the reply HEADER has no valid status');
  }
  return { status, stream: field(header, 'stream') === true };
}

/** The HEADER of an error reply. */
export function errorHeader(code: number): ValueObject {
  return { status: code };
}

// ---- the error BODY ----

const ERR = 'err';

/**
 * The error BODY of `error` in `codec`: the list `(err :code N :message "…" :data …)` for
 * s-expressions, the dict `{ err: { code, message, data? } }` otherwise.
 */
export function errorBody(error: RpcError, codec: Codec): Value {
  if (codec.name === 'sexpr') {
    const list: Value[] = [sym(ERR), keyword('code'), error.code, keyword('message'), error.message];
    if (error.data !== undefined) list.push(keyword('data'), error.data);
    return list;
  }
  const err: Record<string, Value> = { code: error.code, message: error.message };
  if (error.data !== undefined) err['data'] = error.data;
  return { err };
}

/**
 * The {@link RpcError} an error reply stands for. The HEADER's status is the code; message and
 * data come from the BODY in either form (and either decode shape). A BODY of another shape
 * still yields an error with the status and its default message.
 */
export function errorFromReply(status: number, body: Value): RpcError {
  let message: Value | undefined;
  let data: Value | undefined;
  if (Array.isArray(body)) {
    const list = body as readonly Value[];
    const head = list[0];
    if (head instanceof Sym && head.name === ERR) {
      for (let i = 1; i + 1 < list.length; i += 2) {
        const key = list[i];
        if (!(key instanceof Keyword)) break;
        if (key.name === 'message') message = list[i + 1];
        else if (key.name === 'data') data = list[i + 1];
      }
    }
  } else if (isDict(body)) {
    const err = field(body, ERR);
    if (err !== undefined && isDict(err)) {
      message = field(err, 'message');
      data = field(err, 'data');
    }
  }
  return new RpcError(status, textOf(message), data);
}
