import { chmod } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { socketStream } from '@petrichor/mux/node';
import type { ByteStream } from '@petrichor/mux';
import { TransportError } from '../errors.js';
import { connectionCap, Connections, type Listener } from '../listener.js';
import { checkOption, TRANSPORT_DEFAULTS, type CloseOptions } from '../options.js';
import { formatUrl } from '../url.js';
import { connectError, listenError } from './errors.js';
import type { NodeConnectOptions, NodeListenOptions, TlsOptions } from './options.js';
import { checkSocketPath, removeStaleSocket } from './unix.js';

type NetEndpoint = { scheme: 'tcp' | 'tls'; host: string; port: number } | { scheme: 'unix'; path: string };

/**
 * Connects over TCP, TLS or a Unix socket and resolves with {@link socketStream} over the socket
 * once it is up (for TLS: once the handshake has verified the server).
 */
export function connectSocket(endpoint: NetEndpoint, options: NodeConnectOptions): Promise<ByteStream> {
  const url = formatUrl(endpoint);
  const timeoutMs = checkOption('timeoutMs', options.timeoutMs, TRANSPORT_DEFAULTS.timeoutMs, 0, 2 ** 31 - 1);
  if (endpoint.scheme === 'unix') checkSocketPath(url, endpoint.path);
  const socket =
    endpoint.scheme === 'unix'
      ? net.connect({ path: endpoint.path })
      : endpoint.scheme === 'tcp'
        ? net.connect({ host: endpoint.host, port: endpoint.port })
        : tls.connect({ host: endpoint.host, port: endpoint.port, ...clientTls(endpoint.host, options) });
  const ready = endpoint.scheme === 'tls' ? 'secureConnect' : 'connect';
  return new Promise((resolve, reject) => {
    let tcpUp = false;
    const onTcp = (): void => void (tcpUp = true);
    const onError = (error: Error): void => fail(connectError(url, error, endpoint.scheme === 'tls' && tcpUp));
    const timer =
      timeoutMs === 0
        ? undefined
        : setTimeout(() => fail(new TransportError('TRANSPORT_TIMEOUT', `no connection to ${url} within ${timeoutMs} ms`)), timeoutMs);
    const settle = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('connect', onTcp);
      socket.off(ready, onReady);
    };
    const fail = (error: TransportError): void => {
      settle();
      socket.destroy();
      reject(error);
    };
    const onReady = (): void => {
      settle();
      const stream = socketStream(socket);
      if (options.noDelay === false) socket.setNoDelay(false);
      resolve(stream);
    };
    socket.once('connect', onTcp);
    socket.once(ready, onReady);
    socket.on('error', onError);
  });
}

/** Client TLS settings: the server's name defaults to the URL's host unless it is an IP address. */
function clientTls(host: string, options: TlsOptions): tls.ConnectionOptions {
  const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined);
  return {
    ...pick(options),
    ...(servername === undefined ? {} : { servername }),
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  };
}

/** The TLS options Node takes as they are. */
export function pick(options: TlsOptions): tls.SecureContextOptions {
  const out: tls.SecureContextOptions = {};
  if (options.cert !== undefined) out.cert = options.cert;
  if (options.key !== undefined) out.key = options.key;
  if (options.ca !== undefined) out.ca = options.ca;
  return out;
}

/** Server TLS settings; a certificate and key are required. */
export function serverTls(url: string, options: TlsOptions): tls.TlsOptions {
  if (options.cert === undefined || options.key === undefined) {
    throw new TypeError(`listening on ${url} needs options.cert and options.key`);
  }
  return { ...pick(options), requestCert: options.requestCert ?? false, rejectUnauthorized: options.rejectUnauthorized ?? true };
}

/** Listens over TCP, TLS or a Unix socket; every accepted socket becomes a stream for `onStream`. */
export async function listenSocket(
  endpoint: NetEndpoint,
  options: NodeListenOptions,
  onStream: (stream: ByteStream) => void,
): Promise<Listener> {
  let url = formatUrl(endpoint);
  const connections = new Connections(onStream);
  const noDelay = options.noDelay ?? TRANSPORT_DEFAULTS.noDelay;
  const cap = connectionCap(options.maxConnections);
  const accept = (socket: net.Socket): void => {
    const stream = socketStream(socket);
    if (!noDelay) socket.setNoDelay(false);
    connections.accept({ stream, abort: () => socket.destroy() });
  };
  const server = endpoint.scheme === 'tls' ? tls.createServer(serverTls(url, options), accept) : net.createServer(accept);
  // A client that fails its TLS handshake is dropped; nothing for the application to see.
  server.on('tlsClientError', () => {});
  // Node's own cap counts every open socket (TLS ones in their handshake too) and closes the
  // handle of one over it before making a socket of it: no TLS handshake, no session.
  let refused = 0;
  if (cap !== Infinity) server.maxConnections = cap;
  server.on('drop', () => void refused++);
  // Every raw socket, handshaking or not, so that shutdown can drop them all.
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  if (endpoint.scheme === 'unix') {
    checkSocketPath(url, endpoint.path);
    try {
      await bind({ path: endpoint.path });
    } catch (error) {
      if (!(error instanceof TransportError && error.code === 'TRANSPORT_ADDRESS_IN_USE')) throw error;
      await removeStaleSocket(url, endpoint.path);
      await bind({ path: endpoint.path });
    }
    if (options.mode !== undefined) {
      const mode = checkOption('mode', options.mode, 0, 0, 0o7777);
      await chmod(endpoint.path, mode).catch((error: unknown) => {
        server.close();
        throw listenError(url, error);
      });
    }
  } else {
    await bind({ host: endpoint.host, port: endpoint.port });
    const address = server.address() as net.AddressInfo;
    url = formatUrl({ scheme: endpoint.scheme, host: endpoint.host, port: address.port });
  }

  function bind(target: net.ListenOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(listenError(url, error));
      server.once('error', onError);
      server.listen(target, () => {
        server.off('error', onError);
        resolve();
      });
    });
  }

  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  const control = {
    stop: () => void server.close(),
    released: async (): Promise<void> => {
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
  return {
    url,
    get connections() {
      return connections.size;
    },
    get refused() {
      return refused;
    },
    close: (closeOptions?: CloseOptions) => connections.close(closeOptions, control),
  };
}
