import http from 'node:http';
import type https from 'node:https';
import type net from 'node:net';
import { TransportError } from '../errors.js';

/** Takes one WebSocket upgrade request whose path is ours. */
export type UpgradeHandler = (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => void;

/**
 * Our ws:// listeners on each server, by path. One 'upgrade' listener per server routes to them,
 * so that two of our paths on one server never both answer, and a path none of them has is left
 * to the server's other 'upgrade' listeners (the application's own WebSockets).
 */
const routes = new WeakMap<http.Server | https.Server, { paths: Map<string, UpgradeHandler>; dispatch: UpgradeHandler }>();

/**
 * Routes the server's upgrades on `pathname` to `handler` until the returned function detaches it.
 * A path already taken on this server is `TRANSPORT_ADDRESS_IN_USE`. An upgrade no route takes is
 * left to the server's other 'upgrade' listeners; with none, it is answered 404 (400 for a target
 * that is not a URL), never left hanging.
 */
export function route(server: http.Server | https.Server, url: string, pathname: string, handler: UpgradeHandler): () => void {
  let entry = routes.get(server);
  if (entry === undefined) {
    const paths = new Map<string, UpgradeHandler>();
    const dispatch: UpgradeHandler = (request, socket, head) => {
      const target = requestPath(request.url);
      const take = target === undefined ? undefined : paths.get(target);
      if (take !== undefined) take(request, socket, head);
      else if (server.listenerCount('upgrade') === 1) refuse(socket, target === undefined ? 400 : 404);
    };
    routes.set(server, (entry = { paths, dispatch }));
    server.on('upgrade', dispatch);
  }
  const { paths, dispatch } = entry;
  if (paths.has(pathname)) throw new TransportError('TRANSPORT_ADDRESS_IN_USE', `${url} is in use: another listener takes ${pathname} on this server`);
  paths.set(pathname, handler);
  return () => {
    if (paths.get(pathname) !== handler) return; // detached already
    paths.delete(pathname);
    if (paths.size > 0) return;
    server.off('upgrade', dispatch);
    routes.delete(server);
  };
}

/** Answers an upgrade with an HTTP status (and `Retry-After`, in seconds, if given) and drops the connection. */
export function refuse(socket: net.Socket, status: number, retryAfterS?: number): void {
  socket.on('error', () => {});
  const retry = retryAfterS === undefined ? '' : `retry-after: ${retryAfterS}\r\n`;
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\n${retry}content-length: 0\r\n\r\n`);
}

/** The path of an upgrade request's target, or undefined when the target is not a URL (`http://[`): a bad request, never a throw. */
function requestPath(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://x').pathname;
  } catch {
    return undefined;
  }
}
