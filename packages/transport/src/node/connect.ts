import type { ByteStream } from '@petrichor/mux';
import { listenArguments, withEndpoint } from '../connect.js';
import type { Listener } from '../listener.js';
import { listenMemory } from '../mem.js';
import { connectMemory } from '../mem-registry.js';
import { connectSocket, listenSocket } from './net.js';
import type { NodeConnectOptions, NodeListenOptions } from './options.js';
import { connectWs, listenWs } from './ws.js';

/**
 * Connects to `url` (`tcp://`, `unix://`, `tls://`, `ws://`, `wss://`, `mem://`) and resolves with
 * the byte stream a mux `Session` runs over. Rejects with a {@link TransportError}.
 */
export function connect(url: string | URL, options: NodeConnectOptions = {}): Promise<ByteStream> {
  return withEndpoint(url, (endpoint) => {
    switch (endpoint.scheme) {
      case 'mem':
        return connectMemory(endpoint.name);
      case 'ws':
      case 'wss':
        return connectWs(endpoint, options);
      default:
        return connectSocket(endpoint, options);
    }
  });
}

/**
 * Listens on `url` and hands every accepted stream to `onStream` (start a `Session` on it).
 * `tcp://host:0` and `ws://host:0/path` listen on a free port: {@link Listener.url} says which.
 * `ws://`/`wss://` with `options.server` take upgrades on an HTTP(S) server you run instead, on
 * its port, next to its own requests.
 * Rejects with a {@link TransportError}.
 */
export function listen(url: string | URL, onStream: (stream: ByteStream) => void): Promise<Listener>;
export function listen(url: string | URL, options: NodeListenOptions, onStream: (stream: ByteStream) => void): Promise<Listener>;
export function listen(
  url: string | URL,
  optionsOrOnStream: NodeListenOptions | ((stream: ByteStream) => void),
  maybeOnStream?: (stream: ByteStream) => void,
): Promise<Listener> {
  const [options = {}, onStream] = listenArguments(optionsOrOnStream, maybeOnStream);
  return withEndpoint(url, (endpoint) => {
    switch (endpoint.scheme) {
      case 'mem':
        return listenMemory(endpoint.name, options, onStream);
      case 'ws':
      case 'wss':
        return listenWs(endpoint, options, onStream);
      default:
        return listenSocket(endpoint, options, onStream);
    }
  });
}
