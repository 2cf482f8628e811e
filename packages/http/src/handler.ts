/**
 * The HTTP front of a server (spec/rpc.md §10): each request is one call through the server's
 * own routes, middleware and handlers, answered in the body type the client accepts.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { RpcError, allowedVerbs, dispatch, type CallContext, type Server } from '@petrichor/rpc';
import type { DecodeOptions, Value } from '@petrichor/wire';
import { peerOf } from './auth.js';
import { MEDIA, json, mediaOf } from './media.js';
import { negotiate } from './negotiate.js';
import { resolveOptions, type HttpOptions } from './options.js';
import { writeError, writeStream, writeValue } from './reply.js';
import { callTarget, hasBody, readBody, single, type CallTarget } from './request.js';

/** A request listener for `node:http` (or any framework that hands over Node's request and response). */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

const TYPES = MEDIA.map((media) => media.type).join(', ');

/**
 * Serves `server`'s routes over HTTP: `METHOD /path?query` calls verb `METHOD` on `/path` with
 * the query as `params` (another verb: `POST` with `Petrichor-Verb`), the body in
 * `application/json`, `application/sexp` or `application/x-tnetstring`, the reply in the type
 * `Accept` prefers, errors as HTTP statuses with the error model as the body, bearer tokens
 * checked by the server's `auth`. The listener never throws.
 *
 * ```ts
 * http.createServer(httpHandler(server)).listen(8080, '127.0.0.1');
 * ```
 */
export function httpHandler(server: Server, options: HttpOptions = {}): HttpHandler {
  const config = resolveOptions(options);
  const onError = options.onError ?? server.options.onError;
  const report = (error: unknown, ctx?: CallContext): void => {
    try {
      onError?.(error, ctx);
    } catch {
      // A failing hook must not take the request down with it.
    }
  };
  const shape = server.options.decode;
  const decode: DecodeOptions = {
    text: shape?.text ?? true,
    objects: shape?.objects ?? true,
    plainFloats: shape?.plainFloats ?? false,
    ...(server.options.limits === undefined ? {} : { limits: server.options.limits }),
  };

  return (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      report(error);
      if (!res.headersSent) writeError(res, json, RpcError.internal());
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const contentType = single(req, 'content-type');
    const requestMedia = contentType === undefined ? undefined : mediaOf(contentType);
    const media = negotiate(single(req, 'accept'), requestMedia);
    if (media === undefined) {
      writeError(res, json, new RpcError(406, `Accept takes none of ${TYPES}`));
      return;
    }
    let target: CallTarget | undefined;
    try {
      target = callTarget(req, config.manifestPath, config.timeoutMs);
      // HEAD is GET without the body (Node leaves it out) unless a route takes HEAD itself.
      if (target.verb === 'HEAD' && !takes(target, 'HEAD')) target.verb = 'GET';
      const peer = await peerOf(server, req, requestMedia ?? media, report);
      let body: Value = null;
      if (hasBody(req)) {
        if (requestMedia === undefined) throw new RpcError(415, `Content-Type must be one of ${TYPES}`);
        const bytes = await readBody(req, config.maxBodyBytes);
        if (bytes.length > 0) body = requestMedia.decode(bytes, decode);
      }
      const controller = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) controller.abort();
      });
      const answer = await dispatch(server.service, {
        verb: target.verb,
        path: target.path,
        body,
        timeout: target.timeout,
        header: target.header,
        peer,
        signal: controller.signal,
        onError: report,
        ...(target.iface === undefined ? {} : { iface: target.iface }),
      });
      if (answer.stream) await writeStream(res, media, answer.items, report);
      else writeValue(res, media, answer.value, report);
    } catch (error) {
      if (!(error instanceof RpcError)) report(error);
      const rpcError = error instanceof RpcError ? error : RpcError.internal();
      writeError(res, media, rpcError, errorHeaders(rpcError, req, target));
    }
  }

  /** Whether a route (or a fallback) of the target's interface takes `verb` on its path. */
  function takes(target: CallTarget, verb: string): boolean {
    const iface = server.service.interfaces.get(target.iface ?? server.service.defaultInterface);
    return iface !== undefined && (iface.fallbackHandler !== undefined || iface.router.match(verb, target.path).status === 200);
  }

  /** What an error status needs besides its body: who may authenticate, which verbs the path takes. */
  function errorHeaders(error: RpcError, req: IncomingMessage, target: CallTarget | undefined): OutgoingHttpHeaders {
    switch (error.code) {
      case 401:
        return { 'WWW-Authenticate': req.headers.authorization === undefined ? 'Bearer realm="petrichor"' : 'Bearer realm="petrichor", error="invalid_token"' };
      case 405:
        return target === undefined ? {} : { Allow: allowedVerbs(server.service, target.path, target.iface).join(', ') };
      case 413:
        // The rest of the body is not read: end the connection rather than drain it.
        return { Connection: 'close' };
      default:
        return {};
    }
  }
}
