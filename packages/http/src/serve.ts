import { createServer, type Server as NodeHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@petrichor/rpc';
import { httpHandler } from './handler.js';
import type { HttpOptions } from './options.js';

/** Options of {@link serveHttp}. */
export interface ServeHttpOptions extends HttpOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /**
   * The longest a client may take to send a whole request (headers and body), in ms; past it the
   * connection gets 408 and is closed (Node's `requestTimeout`), so slow senders cannot hold
   * connections. Default 60,000.
   */
  requestTimeoutMs?: number;
}

/** A listening HTTP front, from {@link serveHttp}. */
export interface HttpServerHandle {
  /** `http://host:port`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The `node:http` server underneath. */
  readonly server: NodeHttpServer;
  /**
   * Stops listening and closes idle connections; requests in flight get `deadlineMs` (default
   * 10,000) before their connections are cut. Resolves when every connection has closed.
   */
  close(options?: { deadlineMs?: number }): Promise<void>;
}

/** Serves `server`'s routes over HTTP on `host:port` (see {@link httpHandler}). */
export async function serveHttp(server: Server, options: ServeHttpOptions = {}): Promise<HttpServerHandle> {
  const listener = httpHandler(server, options);
  const requestTimeout = options.requestTimeoutMs ?? 60_000;
  if (!Number.isSafeInteger(requestTimeout) || requestTimeout < 1) throw new RangeError(`requestTimeoutMs must be a positive integer, got ${requestTimeout}`);
  // Node looks for overdue requests every connectionsCheckingInterval (30 s by default): often
  // enough that a short limit holds.
  const http = createServer({ requestTimeout, headersTimeout: Math.min(60_000, requestTimeout), connectionsCheckingInterval: Math.min(30_000, Math.max(10, Math.floor(requestTimeout / 4))) }, listener);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    server: http,
    close({ deadlineMs = 10_000 } = {}) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => http.closeAllConnections(), deadlineMs);
        http.close(() => {
          clearTimeout(timer);
          resolve();
        });
        http.closeIdleConnections();
      });
    },
  };
}
