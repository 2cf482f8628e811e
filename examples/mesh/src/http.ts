/**
 * The baseline: the same mesh over plain `node:http` with JSON, written as a careful team would
 * write it: keep-alive agents (one per peer, sockets reused), explicit Content-Length (no chunked
 * encoding), HMAC-signed headers checked on every request (./http-auth.ts), errors as HTTP
 * statuses with a JSON body `{"error": {"code": 404, "message": "…"}}`, fragments and pages as
 * `text/html`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestVerifier, signRequest } from './http-auth.js';
import { fields } from './input.js';
import { counted, lookup, MeshError, newStats, PATHS, type Activity, type Data, type Fields, type MeshClient, type ServiceName, type ServiceTable } from './mesh.js';

/** The largest request body a service reads; past it, 413. */
const MAX_BODY = 1 << 20;

/** Sockets per peer, unless `MESH_HTTP_MAX_SOCKETS` says otherwise (the bench's tuning knob). */
const MAX_SOCKETS = Number(process.env['MESH_HTTP_MAX_SOCKETS'] ?? 64) || 64;

/** A running HTTP service. */
export interface HttpService {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html; charset=utf-8';

function send(res: http.ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: http.ServerResponse, status: number, message: string): void {
  send(res, status, JSON_TYPE, JSON.stringify({ error: { code: status, message } }));
}

/** The `params` query parameter, JSON. */
function paramsOf(query: string): Fields {
  const raw = new URLSearchParams(query).get('params');
  return raw === null ? {} : fields(JSON.parse(raw), 'params');
}

/** Serves `table` on 127.0.0.1 (a free port), accepting callers whose keys are in `keys`. */
export async function serveHttp(table: ServiceTable, keys: Readonly<Record<string, string>>): Promise<HttpService> {
  const verify = requestVerifier(keys);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> => {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const caller = verify(method, target, req.headers, body);
    if (typeof caller !== 'string') return sendError(res, caller.status, caller.message);
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const query = q < 0 ? '' : target.slice(q + 1);
    const under = (prefix: string): string | null => (path.startsWith(prefix) && path.length > prefix.length ? decodeURIComponent(path.slice(prefix.length)) : null);
    try {
      let name: string | null;
      if ((name = under(PATHS.data)) !== null && method === 'GET') {
        const reply = await lookup(table.data, 'query', name)({ caller, input: paramsOf(query) });
        return send(res, 200, JSON_TYPE, JSON.stringify(reply));
      }
      if ((name = under(PATHS.fragments)) !== null && method === 'GET') {
        return send(res, 200, HTML_TYPE, await lookup(table.fragments, 'fragment', name)({ caller, input: paramsOf(query) }));
      }
      if ((name = under(PATHS.pages)) !== null && method === 'GET') {
        return send(res, 200, HTML_TYPE, await lookup(table.pages, 'page', name)({ caller, input: paramsOf(query) }));
      }
      if ((name = under(PATHS.httpActions)) !== null && method === 'POST') {
        const reply = await lookup(table.actions, 'action', name)({ caller, input: fields(JSON.parse(body), 'payload') });
        return send(res, 200, JSON_TYPE, JSON.stringify(reply));
      }
      if (path === PATHS.activity && method === 'POST') {
        const activity = fields(JSON.parse(body), 'activity');
        if (!['type', 'actor', 'object'].every((key) => typeof activity[key] === 'string')) throw MeshError.badRequest('activity: type, actor and object must be text');
        // Recorded (cheap, synchronous), then 202: the caller does not wait for a result.
        table.activity(activity as Activity, caller);
        return send(res, 202, JSON_TYPE, 'null');
      }
      return sendError(res, 404, `no route for ${method} ${path}`);
    } catch (error) {
      if (error instanceof MeshError) return sendError(res, error.status, error.message);
      if (error instanceof SyntaxError || error instanceof URIError) return sendError(res, 400, 'malformed JSON or URL');
      return sendError(res, 500, 'internal error');
    }
  };

  const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A caller that goes away mid-request: the socket is gone, nothing to answer.
    req.on('error', () => undefined);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return sendError(res, 413, 'request body too large');
      void handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Options of {@link httpClient}. */
export interface HttpClientOptions {
  /** This side's key id (its service name, or `frontend`) and secret. */
  readonly key: string;
  readonly secret: string;
  /** Where each peer listens (`http://127.0.0.1:PORT`). */
  readonly peers: Readonly<Partial<Record<ServiceName, string>>>;
  /** Sockets each peer's agent opens at most. Default 64. */
  readonly maxSockets?: number;
}

/** A reply: its status, content type and text. */
interface Reply {
  readonly status: number;
  readonly type: string;
  readonly text: string;
}

/** A {@link MeshClient} over HTTP+JSON: one keep-alive agent per peer. */
export function httpClient(options: HttpClientOptions): MeshClient {
  const peers = new Map<ServiceName, { host: string; port: number; agent: http.Agent }>();
  for (const [name, url] of Object.entries(options.peers) as [ServiceName, string][]) {
    const { hostname, port } = new URL(url);
    peers.set(name, { host: hostname, port: Number(port), agent: new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? MAX_SOCKETS, scheduling: 'lifo' }) });
  }

  const request = (service: ServiceName, method: string, path: string, body: string): Promise<Reply> => {
    const peer = peers.get(service);
    if (peer === undefined) return Promise.reject(new MeshError(503, `no address for ${service}`));
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: peer.agent,
          host: peer.host,
          port: peer.port,
          method,
          path,
          headers: { ...signRequest(options.key, options.secret, method, path, body), 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', (error) => reject(new MeshError(503, `${service}: ${error.message}`)));
      req.end(body);
    });
  };

  /** A reply's value: JSON or text for 2xx, else its error body as a `MeshError`. */
  const value = async (reply: Promise<Reply>): Promise<Data> => {
    const { status, type, text } = await reply;
    if (status >= 200 && status < 300) return type.startsWith(JSON_TYPE) ? (JSON.parse(text) as Data) : text;
    let message = `HTTP ${status}`;
    try {
      const parsed = JSON.parse(text) as { error?: { message?: unknown } };
      if (typeof parsed.error?.message === 'string') message = parsed.error.message;
    } catch {
      // Not our error body: the status says enough.
    }
    throw new MeshError(status, message);
  };
  const text = async (reply: Promise<Data>): Promise<string> => {
    const got = await reply;
    if (typeof got !== 'string') throw new MeshError(502, 'a fragment that is not text');
    return got;
  };
  const query = (params: Fields): string => `?params=${encodeURIComponent(JSON.stringify(params))}`;

  const stats = newStats();
  return {
    stats,
    fetchData: (service, name, params = {}) => counted(stats, value(request(service, 'GET', `${PATHS.data}${name}${query(params)}`, ''))),
    callAction: (service, action, payload = {}) => counted(stats, value(request(service, 'POST', `${PATHS.httpActions}${action}`, JSON.stringify(payload)))),
    fetchFragment: (service, fragment, params = {}) => counted(stats, text(value(request(service, 'GET', `${PATHS.fragments}${fragment}${query(params)}`, '')))),
    fetchPage: (page, params) => counted(stats, text(value(request('blog', 'GET', `${PATHS.pages}${page}${query(params)}`, '')))),
    sendActivity(service, activity) {
      counted(stats, value(request(service, 'POST', PATHS.activity, JSON.stringify(activity)))).catch(() => undefined);
    },
    async close() {
      for (const peer of peers.values()) peer.agent.destroy();
    },
  };
}
