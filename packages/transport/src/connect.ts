import type { ByteStream } from '@petrichor/mux';
import type { Listener } from './listener.js';
import { listenMemory } from './mem.js';
import { connectMemory } from './mem-registry.js';
import type { ConnectOptions, ListenOptions } from './options.js';
import { checkWebUrl, formatUrl, needsNode, parseUrl, type Endpoint } from './url.js';
import { connectWebSocket } from './websocket.js';

/**
 * Connects to `url` and resolves with the byte stream a mux `Session` runs over. In this entry
 * (browsers, any runtime): `ws://`, `wss://` over the WebSocket constructor, and `mem://`. Node
 * users import `connect` from `@petrichor/transport/node`, which adds tcp, unix and tls.
 * Rejects with a {@link TransportError}.
 */
export async function connect(url: string | URL, options: ConnectOptions = {}): Promise<ByteStream> {
  const checked = checkWebUrl(url); // inside the async function: a bad URL rejects
  return checked.protocol === 'mem:' ? connectMemory(checked.host) : connectWebSocket(checked.href, options);
}

/**
 * Listens on `url` and hands every accepted stream to `onStream`. In this entry only `mem://`
 * (servers need Node: `@petrichor/transport/node`). Rejects with a {@link TransportError}.
 */
export function listen(url: string | URL, onStream: (stream: ByteStream) => void): Promise<Listener>;
export function listen(url: string | URL, options: ListenOptions, onStream: (stream: ByteStream) => void): Promise<Listener>;
export function listen(
  url: string | URL,
  optionsOrOnStream: ListenOptions | ((stream: ByteStream) => void),
  maybeOnStream?: (stream: ByteStream) => void,
): Promise<Listener> {
  const [options = {}, onStream] = listenArguments(optionsOrOnStream, maybeOnStream);
  return withEndpoint(url, (endpoint) => {
    if (endpoint.scheme === 'mem') return listenMemory(endpoint.name, options, onStream);
    throw needsNode(formatUrl(endpoint), 'listen on');
  });
}

/** Sorts out `listen(url, onStream)` from `listen(url, options, onStream)`. */
export function listenArguments<O>(
  optionsOrOnStream: O | ((stream: ByteStream) => void),
  maybeOnStream: ((stream: ByteStream) => void) | undefined,
): [O | undefined, (stream: ByteStream) => void] {
  if (typeof optionsOrOnStream === 'function') return [undefined, optionsOrOnStream as (stream: ByteStream) => void];
  if (typeof maybeOnStream !== 'function') throw new TypeError('listen(url, options, onStream): onStream must be a function');
  return [optionsOrOnStream, maybeOnStream];
}

/** Parses the URL and runs `body`; anything either throws becomes the promise's rejection. */
export async function withEndpoint<T>(url: string | URL, body: (endpoint: Endpoint) => Promise<T>): Promise<T> {
  return body(parseUrl(url));
}
