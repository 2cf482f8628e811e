import { TransportError } from './errors.js';

/** Where a URL points, one shape per transport (spec/transports.md §1). */
export type Endpoint =
  /** `tcp://host:port`, `tls://host:port`: the host without IPv6 brackets. */
  | { readonly scheme: 'tcp' | 'tls'; readonly host: string; readonly port: number }
  /** `unix:///absolute/path.sock`: the path, percent-decoded. */
  | { readonly scheme: 'unix'; readonly path: string }
  /** `ws://host[:port]/path`, `wss://…`: the whole URL, and the path (with its query) upgrades are taken on. */
  | { readonly scheme: 'ws' | 'wss'; readonly url: string; readonly host: string; readonly port: number; readonly path: string }
  /** `mem://name`: a name in this process's registry (case-sensitive). */
  | { readonly scheme: 'mem'; readonly name: string };

/** The schemes {@link parseUrl} knows. */
export type Scheme = Endpoint['scheme'];

/** The endpoints every runtime dials (spec/transports.md §1): the browser-safe `connect` parses only these. */
export type WebEndpoint = Extract<Endpoint, { scheme: 'ws' | 'wss' | 'mem' }>;

/**
 * Parses a transport URL. Throws {@link TransportError} `TRANSPORT_UNSUPPORTED_URL` for anything
 * that is not one of the forms of spec/transports.md §1: an unknown scheme, a missing host or port,
 * a relative or host-qualified Unix path, credentials, a path where none belongs.
 */
export function parseUrl(input: string | URL): Endpoint {
  const url = toUrl(input);
  const text = url.href;
  const scheme = url.protocol.slice(0, -1);
  switch (scheme) {
    case 'tcp':
    case 'tls': {
      if (url.pathname !== '' && url.pathname !== '/') throw unsupported(text, `${scheme}:// takes no path`);
      if (url.search !== '' || url.hash !== '') throw unsupported(text, `${scheme}:// takes no query or fragment`);
      if (url.hostname === '') throw unsupported(text, 'a host is required');
      if (url.port === '') throw unsupported(text, 'a port is required (0 to listen on any free port)');
      return { scheme, host: bare(url.hostname), port: Number(url.port) }; // the URL parser has checked 0 … 65535
    }
    case 'unix': {
      if (url.host !== '') throw unsupported(text, 'write unix:///absolute/path (three slashes: no host)');
      if (url.search !== '' || url.hash !== '') throw unsupported(text, 'unix:// takes no query or fragment');
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch (error) {
        throw unsupported(text, 'the path is not valid percent-encoding', error);
      }
      if (!path.startsWith('/') || path.length < 2 || path.endsWith('/')) throw unsupported(text, 'the socket path must be an absolute file path');
      if (path.includes('\0')) throw unsupported(text, 'the socket path contains a NUL byte');
      return { scheme, path };
    }
    default:
      return webEndpoint(url, scheme);
  }
}

/**
 * Checks `input` for the browser-safe `connect`: only ws, wss and mem, so that a browser bundle
 * holds no parser for the rest; tcp, unix and tls are refused with a pointer to
 * `@petrichor/transport/node`. Returns the URL, whose `href` (ws, wss) or `host` (mem: the name)
 * is all `connect` needs. @internal
 */
export function checkWebUrl(input: string | URL): URL {
  const url = toUrl(input);
  const scheme = url.protocol.slice(0, -1);
  if (scheme === 'tcp' || scheme === 'tls' || scheme === 'unix') throw needsNode(url.href, 'connect to');
  checkWeb(url, scheme);
  return url;
}

/** The URL, refused if it does not parse or carries credentials (rule 1). */
function toUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input) : input;
  } catch (error) {
    throw unsupported(String(input), 'not a URL', error);
  }
  if (url.username !== '' || url.password !== '') throw unsupported(url.href, 'credentials do not belong in a transport URL');
  return url;
}

/** The rules of spec/transports.md §1 for ws, wss and mem; any other scheme is unknown. */
function checkWeb(url: URL, scheme: string): void {
  const text = url.href;
  if (scheme === 'ws' || scheme === 'wss') {
    // A special scheme: the URL parser has already refused an empty host and a bad port.
    if (url.hash !== '') throw unsupported(text, 'a WebSocket URL takes no fragment');
  } else if (scheme === 'mem') {
    if (url.host === '') throw unsupported(text, 'write mem://name');
    if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '' || url.port !== '') {
      throw unsupported(text, 'mem:// takes a name only');
    }
  } else {
    throw unsupported(text, `unknown scheme "${scheme}:" (known: tcp, unix, tls, ws, wss, mem)`);
  }
}

function webEndpoint(url: URL, scheme: string): WebEndpoint {
  checkWeb(url, scheme);
  if (scheme === 'mem') return { scheme, name: url.host };
  const ws = scheme as 'ws' | 'wss';
  const port = url.port === '' ? (ws === 'ws' ? 80 : 443) : Number(url.port);
  return { scheme: ws, url: url.href, host: bare(url.hostname), port, path: `${url.pathname}${url.search}` };
}

/** The URL of an endpoint, in the form {@link parseUrl} reads (what `Listener.url` reports). */
export function formatUrl(endpoint: Endpoint): string {
  switch (endpoint.scheme) {
    case 'tcp':
    case 'tls':
      return `${endpoint.scheme}://${hostPart(endpoint.host)}:${endpoint.port}`;
    case 'ws':
    case 'wss':
      return `${endpoint.scheme}://${hostPart(endpoint.host)}:${endpoint.port}${endpoint.path}`;
    case 'unix':
      return `unix://${endpoint.path.split('/').map(encodeURIComponent).join('/')}`;
    case 'mem':
      return `mem://${endpoint.name}`;
  }
}

function hostPart(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** A host name without IPv6 brackets. */
function bare(name: string): string {
  return name.startsWith('[') ? name.slice(1, -1) : name;
}

function unsupported(url: string, why: string, cause?: unknown): TransportError {
  return new TransportError('TRANSPORT_UNSUPPORTED_URL', `unsupported transport URL ${url}: ${why}`, cause === undefined ? undefined : { cause });
}

/** For transports that exist only in Node: the error a browser-safe `connect`/`listen` gives. */
export function needsNode(url: string, what: 'connect to' | 'listen on'): TransportError {
  return unsupported(url, `cannot ${what} it here: import connect/listen from @petrichor/transport/node`);
}
