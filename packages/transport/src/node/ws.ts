import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import type { ByteStream } from '@petrichor/mux';
import { WebSocket, WebSocketServer } from 'ws';
import { TransportError } from '../errors.js';
import { connectionCap, Connections, type Listener } from '../listener.js';
import { checkOption, TRANSPORT_DEFAULTS, type CloseOptions } from '../options.js';
import { formatUrl } from '../url.js';
import { connectError, listenError } from './errors.js';
import { pick, serverTls } from './net.js';
import type { NodeConnectOptions, NodeListenOptions } from './options.js';
import { refuse, route } from './upgrades.js';
import { address, NodeWebSocketStream } from './ws-stream.js';

type WsEndpoint = { scheme: 'ws' | 'wss'; url: string; host: string; port: number; path: string };

const MAX = Number.MAX_SAFE_INTEGER;

/**
 * `Retry-After` on an upgrade refused for `maxConnections`, in seconds: slots free as sessions
 * end, so soon, but not at once (a client retrying at once would only be refused again).
 */
const RETRY_AFTER_S = 5;

/** Connects with the `ws` client; resolves once the WebSocket is open. */
export function connectWs(endpoint: WsEndpoint, options: NodeConnectOptions): Promise<ByteStream> {
  const url = endpoint.url;
  const timeoutMs = checkOption('timeoutMs', options.timeoutMs, TRANSPORT_DEFAULTS.timeoutMs, 0, 2 ** 31 - 1);
  const highWaterMark = checkOption('highWaterMark', options.highWaterMark, TRANSPORT_DEFAULTS.highWaterMark, 1, MAX);
  const maxPayload = checkOption('maxPayload', options.maxPayload, TRANSPORT_DEFAULTS.maxPayload, 1, MAX);
  const ws = new WebSocket(url, {
    maxPayload,
    perMessageDeflate: false,
    ...(endpoint.scheme === 'wss'
      ? {
          ...pick(options),
          ...(options.servername === undefined ? {} : { servername: options.servername }),
          rejectUnauthorized: options.rejectUnauthorized ?? true,
        }
      : {}),
  });
  return new Promise((resolve, reject) => {
    let addresses: { local?: string | undefined; remote?: string | undefined } = {};
    const fail = (error: TransportError): void => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {}); // late errors of a socket we gave up on
      ws.terminate();
      reject(error);
    };
    const timer =
      timeoutMs === 0
        ? undefined
        : setTimeout(() => fail(new TransportError('TRANSPORT_TIMEOUT', `no WebSocket connection to ${url} within ${timeoutMs} ms`)), timeoutMs);
    ws.once('upgrade', (response: http.IncomingMessage) => {
      const socket = response.socket;
      addresses = { local: address(socket.localAddress, socket.localPort), remote: address(socket.remoteAddress, socket.remotePort) };
    });
    ws.once('unexpected-response', (request: http.ClientRequest, response: http.IncomingMessage) => {
      request.destroy();
      fail(new TransportError('TRANSPORT_REFUSED', `the WebSocket handshake with ${url} was refused: HTTP ${response.statusCode ?? '?'}`));
    });
    ws.once('error', (error) => fail(connectError(url, error)));
    ws.once('open', () => {
      clearTimeout(timer);
      ws.removeAllListeners();
      resolve(new NodeWebSocketStream(ws, highWaterMark, addresses));
    });
  });
}

/**
 * Listens for WebSocket upgrades on the URL's path, on an HTTP (ws) or HTTPS (wss) server: its own,
 * or `options.server`, the application's, which it shares (see {@link NodeListenOptions.server}).
 */
export async function listenWs(endpoint: WsEndpoint, options: NodeListenOptions, onStream: (stream: ByteStream) => void): Promise<Listener> {
  const highWaterMark = checkOption('highWaterMark', options.highWaterMark, TRANSPORT_DEFAULTS.highWaterMark, 1, MAX);
  const maxPayload = checkOption('maxPayload', options.maxPayload, TRANSPORT_DEFAULTS.maxPayload, 1, MAX);
  const cap = connectionCap(options.maxConnections);
  const url = formatUrl(endpoint);
  const shared = options.server;
  if (shared !== undefined && (shared instanceof tls.Server) !== (endpoint.scheme === 'wss')) {
    throw new TypeError(`${url} needs ${endpoint.scheme === 'wss' ? 'an https.Server' : 'an http.Server, not an https one'} as options.server`);
  }
  if (shared !== undefined && (options.cert !== undefined || options.key !== undefined)) {
    throw new TypeError(`listening on ${url} with options.server: its certificate is the server's own, not options.cert and key`);
  }
  const server = shared ?? (endpoint.scheme === 'wss' ? https.createServer(serverTls(url, options)) : http.createServer());
  const connections = new Connections(onStream);
  let taken = 0;
  let refused = 0;
  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
  // Sockets to drop on shutdown: on our own server every one; on a shared one only those upgraded to us.
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const detach = route(server, url, new URL(endpoint.path, 'http://x').pathname, (request, socket, head) => {
    socket.on('error', () => {});
    if (shared !== undefined) track(socket);
    if (connections.closing) return refuse(socket, 503);
    if (socket.destroyed) return; // gone already (its 'close' may have fired): it takes no slot
    // Upgrades taken, from the request to the socket's close: the WebSocket handshake counts too.
    if (taken >= cap) {
      refused++;
      return refuse(socket, 503, RETRY_AFTER_S);
    }
    taken++;
    socket.once('close', () => void taken--);
    wss.handleUpgrade(request, socket, head, (ws) => {
      const addresses = { local: address(socket.localAddress, socket.localPort), remote: address(socket.remoteAddress, socket.remotePort) };
      const stream = new NodeWebSocketStream(ws, highWaterMark, addresses);
      connections.accept({ stream, abort: (error) => stream.abort(error, 1001, 'server shutting down') });
    });
  });

  let closed: Promise<unknown>;
  if (shared === undefined) {
    server.on('connection', track);
    server.on('tlsClientError', () => {});
    // Sockets that never upgrade (idle, or plain requests) are bounded too, at twice the cap:
    // room for the 503s and 426s, and past it they are closed unread, as on tcp://.
    if (cap !== Infinity) server.maxConnections = 2 * cap;
    server.on('drop', () => void refused++);
    server.on('request', (_request, response: http.ServerResponse) => {
      response.writeHead(426, { connection: 'close', upgrade: 'websocket', 'content-type': 'text/plain' });
      response.end('this endpoint speaks WebSocket only\n');
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => reject(listenError(url, error));
      server.once('error', onError);
      server.listen({ host: endpoint.host, port: endpoint.port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  }
  // Read when asked: a shared server may start listening after we attach.
  const actualUrl = (): string => {
    const bound = server.address();
    return bound !== null && typeof bound === 'object' ? formatUrl({ ...endpoint, port: bound.port }) : url;
  };

  const control = {
    // A shared server goes on serving: only upgrades to our path stop (503 until released, then no route).
    stop: () => void (shared === undefined && server.close()),
    released: async (): Promise<void> => {
      // Give close frames a moment to leave, then drop whatever is left.
      const ends = shared === undefined ? [closed] : [...sockets].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
      for (const socket of sockets) socket.destroySoon();
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, 1_000);
      await Promise.all(ends);
      clearTimeout(timer);
      detach();
      wss.close();
    },
  };
  return {
    get url() {
      return actualUrl();
    },
    get connections() {
      return connections.size;
    },
    get refused() {
      return refused;
    },
    close: (closeOptions?: CloseOptions) => connections.close(closeOptions, control),
  };
}
