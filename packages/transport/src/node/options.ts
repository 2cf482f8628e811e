import type http from 'node:http';
import type https from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import type { ConnectOptions, ListenOptions } from '../options.js';

/** TLS settings for `tls://` and `wss://`, on either side (spec/transports.md §4). */
export interface TlsOptions {
  /** Our certificate chain, PEM. Required to listen; a client sends it only when the server asks. */
  cert?: SecureContextOptions['cert'];
  /** The private key of `cert`, PEM. Required to listen. */
  key?: SecureContextOptions['key'];
  /** Certificates trusted to vouch for the peer, PEM. Default: Node's bundled root CAs. */
  ca?: SecureContextOptions['ca'];
  /** Client: the name the server's certificate must carry (also sent as SNI). Default: the URL's host. */
  servername?: string;
  /**
   * Refuse a peer whose certificate `ca` does not vouch for. Default true. On a server it applies
   * to client certificates, so only with `requestCert`.
   */
  rejectUnauthorized?: boolean;
  /** Server: ask each client for a certificate (mutual TLS). Default false. */
  requestCert?: boolean;
}

/** Options of `connect()` from `@petrichor/transport/node`. */
export interface NodeConnectOptions extends ConnectOptions, TlsOptions {
  /** tcp/tls/unix: disable Nagle's algorithm. Default true. */
  noDelay?: boolean;
  /** ws/wss: the largest message accepted, in bytes; a larger one closes with 1009. Default 4 MiB. */
  maxPayload?: number;
}

/** Options of `listen()` from `@petrichor/transport/node`. */
export interface NodeListenOptions extends ListenOptions, TlsOptions {
  /** tcp/tls/unix: disable Nagle's algorithm on accepted sockets. Default true. */
  noDelay?: boolean;
  /** ws/wss: the largest message accepted, in bytes; a larger one closes with 1009. Default 4 MiB. */
  maxPayload?: number;
  /**
   * unix: permission bits of the socket file (e.g. `0o660`), set before `listen()` resolves.
   * Default: left as the process umask makes it.
   */
  mode?: number;
  /**
   * ws/wss: take upgrades on an HTTP server the application already runs (an `http.Server` for
   * ws://, an `https.Server` for wss://) instead of starting one: the page, HTTP routes and
   * WebSocket streams on one port. Upgrades on the URL's path are ours; other paths are left to the
   * server's other 'upgrade' listeners (404 when it has none); plain requests are the server's.
   * The URL's host and port are not bound (the server is): `listener.url` gives the server's
   * port. `close()` stops taking upgrades and ends our streams, and leaves the server running.
   * TLS settings are the server's own: `cert` and `key` here are a `TypeError`.
   */
  server?: http.Server | https.Server;
}
