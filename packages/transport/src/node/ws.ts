import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { ByteStream } from '@petrichor/mux';
import { WebSocket, WebSocketServer } from 'ws';
import { TransportError } from '../errors.js';
import { Connections, type Listener } from '../listener.js';
import { checkOption, TRANSPORT_DEFAULTS, type CloseOptions } from '../options.js';
import { formatUrl } from '../url.js';
import { connectError, listenError } from './errors.js';
import { pick, serverTls } from './net.js';
import type { NodeConnectOptions, NodeListenOptions } from './options.js';
import { address, NodeWebSocketStream } from './ws-stream.js';

type WsEndpoint = { scheme: 'ws' | 'wss'; url: string; host: string; port: number; path: string };

const MAX = Number.MAX_SAFE_INTEGER;

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
 * Listens for WebSocket upgrades on an HTTP (ws) or HTTPS (wss) server of its own. Upgrades on the
 * URL's path become streams; other paths get 404, plain HTTP requests 426.
 */
export async function listenWs(endpoint: WsEndpoint, options: NodeListenOptions, onStream: (stream: ByteStream) => void): Promise<Listener> {
  const highWaterMark = checkOption('highWaterMark', options.highWaterMark, TRANSPORT_DEFAULTS.highWaterMark, 1, MAX);
  const maxPayload = checkOption('maxPayload', options.maxPayload, TRANSPORT_DEFAULTS.maxPayload, 1, MAX);
  let url = formatUrl(endpoint);
  const pathname = new URL(endpoint.path, 'http://x').pathname;
  const connections = new Connections(onStream);
  const server = endpoint.scheme === 'wss' ? https.createServer(serverTls(url, options)) : http.createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {});
  server.on('request', (_request, response: http.ServerResponse) => {
    response.writeHead(426, { connection: 'close', upgrade: 'websocket', 'content-type': 'text/plain' });
    response.end('this endpoint speaks WebSocket only\n');
  });
  server.on('upgrade', (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    socket.on('error', () => {});
    const target = requestPath(request.url);
    const status = connections.closing ? 503 : target === undefined ? 400 : target === pathname ? 0 : 404;
    if (status !== 0) {
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const addresses = { local: address(socket.localAddress, socket.localPort), remote: address(socket.remoteAddress, socket.remotePort) };
      const stream = new NodeWebSocketStream(ws, highWaterMark, addresses);
      connections.accept({ stream, abort: (error) => stream.abort(error, 1001, 'server shutting down') });
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(listenError(url, error));
    server.once('error', onError);
    server.listen({ host: endpoint.host, port: endpoint.port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  url = formatUrl({ ...endpoint, port: (server.address() as net.AddressInfo).port });

  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  const control = {
    stop: () => void server.close(),
    released: async (): Promise<void> => {
      // Give close frames a moment to leave, then drop whatever is left.
      for (const socket of sockets) socket.destroySoon();
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, 1_000);
      await closed;
      clearTimeout(timer);
      wss.close();
    },
  };
  return {
    url,
    get connections() {
      return connections.size;
    },
    close: (closeOptions?: CloseOptions) => connections.close(closeOptions, control),
  };
}

/** The path of an upgrade request's target, or undefined when the target is not a URL (`http://[`): a bad request, never a throw. */
function requestPath(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://x').pathname;
  } catch {
    return undefined;
  }
}
