/**
 * Signed calls (spec/rpc.md §6.7): the handshake's credentials, again on every request. For
 * links where each call must prove itself on its own (a relay forwarding calls of several
 * principals, an audit trail per call), the client puts an `auth` field in each request HEADER,
 * computed over that HEADER and the request BODY, and a middleware checks it before the handler.
 */
import type { Value } from '@petrichor/wire';
import { requestHeader } from '../envelope.js';
import { RpcError } from '../errors.js';
import { fieldsOf, type Call, type CallOptions, type OpenOptions } from '../outgoing.js';
import type { CallContext, Middleware } from '../service.js';
import type { RpcSession } from '../session.js';
import type { ClientAuth, Principal, ServerAuth } from './types.js';

/** A session's calls, each request signed. Streams resolve once the request is signed. */
export interface SignedCaller {
  call(verb: string, path: string, body?: Value, options?: CallOptions): Promise<Value>;
  stream(verb: string, path: string, body?: Value, options?: CallOptions): Promise<Call>;
  open(verb: string, path: string, body?: Value, options?: OpenOptions): Promise<Call>;
  deliver(verb: string, path: string, body?: Value, options?: Omit<CallOptions, 'signal'>): Promise<void>;
}

/**
 * Calls on `session` with `auth`'s credentials in each request HEADER (`auth` field), over the
 * HEADER exactly as it is sent and the BODY. Only a request's first message is signed.
 */
export function signedCalls(session: RpcSession, auth: ClientAuth): SignedCaller {
  /** The request's extra HEADER fields with `auth` added, signed over the HEADER as it will be sent. */
  const sign = async (verb: string, path: string, body: Value, options: CallOptions | undefined, stream: 'in' | 'both' | undefined, oneway: boolean): Promise<Readonly<Record<string, Value>>> => {
    const header = requestHeader(verb, path, fieldsOf(options, stream, oneway));
    return { ...options?.header, auth: await auth.credentials(header, body) };
  };
  return {
    call: async (verb, path, body = null, options) => session.call(verb, path, body, { ...options, header: await sign(verb, path, body, options, undefined, false) }),
    stream: async (verb, path, body = null, options) => session.stream(verb, path, body, { ...options, header: await sign(verb, path, body, options, undefined, false) }),
    open: async (verb, path, body = null, options) =>
      session.open(verb, path, body, { ...options, header: await sign(verb, path, body, options, options?.stream ?? 'both', false) }),
    deliver: async (verb, path, body = null, options) => session.deliver(verb, path, body, { ...options, header: await sign(verb, path, body, options, undefined, true) }),
  };
}

/** Options of {@link verifyCalls}. */
export interface VerifyCallsOptions {
  /** Interfaces whose calls need no signature. Default `['control']`, so tools can read the manifest. */
  except?: readonly string[];
}

const principals = new WeakMap<CallContext, Principal>();

/**
 * Middleware that checks each request's `auth` field with `auth` (for HMAC: key, clock,
 * signature and nonce, spec/rpc.md §6.3) before the handler runs; a failure answers the call
 * with the `RpcError` (401, or 503 when the nonce cache is full). {@link callPrincipal} tells the
 * handler who signed.
 */
export function verifyCalls(auth: ServerAuth, options: VerifyCallsOptions = {}): Middleware {
  const except = new Set(options.except ?? ['control']);
  return async (ctx, next) => {
    if (except.has(ctx.iface)) return next();
    const header = ctx.header instanceof Map ? Object.fromEntries(ctx.header as ReadonlyMap<string, Value>) : (ctx.header as Readonly<Record<string, Value>>);
    let principal: Principal;
    try {
      principal = await auth.authenticate(header['auth'], header, ctx.body);
    } catch (error) {
      throw error instanceof RpcError ? error : new RpcError(401, 'unauthenticated', undefined, { cause: error });
    }
    principals.set(ctx, principal);
    return next();
  };
}

/** Who signed the call, once {@link verifyCalls} has checked it; else undefined. */
export function callPrincipal(ctx: CallContext): Principal | undefined {
  return principals.get(ctx);
}
