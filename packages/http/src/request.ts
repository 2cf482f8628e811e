/**
 * An HTTP request as a call (spec/rpc.md §10.1, §10.2): the verb, the path, the query as
 * `params`, the deadline, the interface, and the body read under its limit.
 */
import type { IncomingMessage } from 'node:http';
import { CONTROL, MANIFEST_PATH, RpcError } from '@petrichor/rpc';
import type { Value } from '@petrichor/wire';

/** The call an HTTP request stands for. */
export interface CallTarget {
  verb: string;
  path: string;
  iface: string | undefined;
  /** Extra request HEADER fields (`params` from the query). */
  header: Record<string, Value>;
  /** Relative deadline in ms. */
  timeout: number;
}

/** A verb in `Petrichor-Verb`: an HTTP token, as the s-expression call form also needs. */
const VERB = /^[A-Za-z_~!?*+\-/<>=&%$^.][A-Za-z0-9_~!?*+\-/<>=&%$^.:#]*$/;
const TIMEOUT = /^\d{1,10}$/;

/** The call of `req`. Throws `RpcError` 400 for a malformed verb, path or header. */
export function callTarget(req: IncomingMessage, manifestPath: string, maxTimeout: number): CallTarget {
  const url = targetUrl(req.url ?? '/');
  const method = req.method ?? 'GET';
  const header: Record<string, Value> = {};
  if (url.search.length > 1) header['params'] = queryParams(url.searchParams);
  let timeout = maxTimeout;
  const asked = single(req, 'petrichor-timeout');
  if (asked !== undefined) {
    if (!TIMEOUT.test(asked) || Number(asked) > 2 ** 31 - 1) throw RpcError.badRequest('Petrichor-Timeout must be a number of milliseconds');
    timeout = Math.min(timeout, Number(asked));
  }
  if (url.pathname === manifestPath && (method === 'GET' || method === 'HEAD')) {
    return { verb: 'GET', path: MANIFEST_PATH, iface: CONTROL, header, timeout };
  }
  const named = single(req, 'petrichor-verb');
  let verb = method;
  if (named !== undefined) {
    if (method !== 'POST') throw RpcError.badRequest('Petrichor-Verb goes with POST only');
    if (!VERB.test(named)) throw RpcError.badRequest('Petrichor-Verb must be a verb (a symbol name)');
    verb = named;
  }
  if (/%2f/i.test(url.pathname)) throw RpcError.badRequest('the path may not hold an encoded "/"');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    throw RpcError.badRequest('the path is not valid percent-encoded UTF-8');
  }
  const iface = single(req, 'petrichor-interface');
  return { verb, path, iface: iface === undefined || iface === '' ? undefined : iface, header, timeout };
}

/**
 * The request target as a URL. An origin-form target is read as a path (so `//x/y` stays the
 * path `//x/y`, never a host); an absolute form is taken as it is. Anything else is 400.
 */
function targetUrl(target: string): URL {
  try {
    return new URL(target.startsWith('/') ? `http://petrichor.invalid${target}` : target);
  } catch {
    throw RpcError.badRequest('the request target is not a path or a URL');
  }
}

/** The query as the socket form's `params`: text values; a repeated name gives a list. */
function queryParams(query: URLSearchParams): Record<string, Value> {
  const params: Record<string, Value> = {};
  for (const [name, value] of query) {
    const had = Object.hasOwn(params, name) ? params[name] : undefined;
    const next: Value = had === undefined ? value : Array.isArray(had) ? [...(had as Value[]), value] : [had, value];
    Object.defineProperty(params, name, { value: next, enumerable: true, writable: true, configurable: true });
  }
  return params;
}

/** One header's value (a repeated header is joined by Node; `undefined` when absent). */
export function single(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Whether `req` carries a body (a length above 0, or chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * The whole body, at most `max` bytes: 413 as soon as it is known to be more (from
 * `Content-Length`, or while reading; the rest is left unread). 499 if the client goes away.
 */
export function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return Promise.reject(tooLarge(max));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onGone);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        done();
        reject(tooLarge(max));
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onGone = (): void => {
      done();
      reject(RpcError.cancelled('the client went away'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onGone);
  });
}

function tooLarge(max: number): RpcError {
  return RpcError.tooLarge(`the body is larger than ${max} bytes`);
}
