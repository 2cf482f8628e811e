/**
 * The mesh over Petrichor: a service's table served by an rpc `Server` (HMAC in the handshake:
 * a connection proves its key once, then every call on it is that service's), and a
 * {@link MeshClient} holding one rpc `Client` per peer service, made once and reused.
 */
import { callPrincipal, Client, hmacClient, hmacServer, RpcError, Server, signedCalls, verifyCalls, type CallContext, type SignedCaller } from '@petrichor/rpc';
import { nodeHmac } from '@petrichor/rpc/node';
import { codecs, type CodecName } from '@petrichor/wire';
import { connect, listen, type Listener } from '@petrichor/transport/node';
import { MAX_NONCES, REPLAY_WINDOW_MS } from './http-auth.js';
import { fields } from './input.js';
import { counted, lookup, MeshError, newStats, PATHS, type Activity, type Data, type Fields, type MeshClient, type ServiceName, type ServiceTable } from './mesh.js';

/** A running Petrichor service. */
export interface PetrichorService {
  /** `tcp://127.0.0.1:PORT`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The caller the call's signature proved, else the one the handshake proved (an HMAC key id). */
const caller = (ctx: CallContext): string => (callPrincipal(ctx) ?? ctx.peer.principal).id;

/** A handler's `MeshError` as the rpc error model's `(err :code N :message …)`. */
function asRpc(error: unknown): never {
  throw error instanceof MeshError ? new RpcError(error.status, error.message) : error;
}

/** A delivered activity, checked: the fields every activity has are text. */
function activityOf(body: unknown): Activity {
  const input = fields(body, 'activity');
  for (const name of ['type', 'actor', 'object']) {
    if (typeof input[name] !== 'string') throw MeshError.badRequest(`activity: ${name} must be text`);
  }
  return input as Activity;
}

/** Options of {@link servePetrichor}. */
export interface ServeOptions {
  /** Where to listen. Default a free port on 127.0.0.1. */
  readonly url?: string;
  /** Check every call's own signature too. Default false. */
  readonly signed?: boolean;
}

/** Serves `table`, accepting callers whose keys are in `keys`. */
export async function servePetrichor(table: ServiceTable, keys: Readonly<Record<string, string>>, options: ServeOptions = {}): Promise<PetrichorService> {
  const server = new Server({ name: table.name, version: '1', auth: hmacServer({ keys, hmac: nodeHmac }) });
  if (options.signed === true) server.use(verifyCalls(hmacServer({ keys, replayWindowMs: REPLAY_WINDOW_MS, maxNonces: MAX_NONCES, hmac: nodeHmac })));
  /** The call form's `:params` (only ever read inside `run`, which maps a bad one to 400). */
  const params = (ctx: CallContext): Fields => fields((ctx.header as Readonly<Record<string, unknown>>)['params'], 'params');
  const run = async (handler: () => Data | Promise<Data>): Promise<Data> => {
    try {
      return await handler();
    } catch (error) {
      return asRpc(error);
    }
  };
  server.route('GET', `${PATHS.data}:query`, (ctx) => run(() => lookup(table.data, 'query', ctx.params.query!)({ caller: caller(ctx), input: params(ctx) })));
  server.route('GET', `${PATHS.fragments}:fragment`, (ctx) =>
    run(() => lookup(table.fragments, 'fragment', ctx.params.fragment!)({ caller: caller(ctx), input: params(ctx) })),
  );
  server.route('GET', `${PATHS.pages}:page`, (ctx) => run(() => lookup(table.pages, 'page', ctx.params.page!)({ caller: caller(ctx), input: params(ctx) })));
  // call_action: the action is the verb, `({action} "/internal/")`.
  for (const [action, handler] of table.actions) {
    server.route(action, PATHS.action, (ctx) => run(() => handler({ caller: caller(ctx), input: fields(ctx.body, 'payload') })));
  }
  // One-way: nothing goes back, but a bad activity is still refused (400), never a crash.
  server.route('deliver', PATHS.activity, (ctx) =>
    run(() => {
      table.activity(activityOf(ctx.body), caller(ctx));
      return null;
    }),
  );

  const listener: Listener = await listen(options.url ?? 'tcp://127.0.0.1:0', (stream) => void server.serve(stream));
  return {
    url: listener.url,
    async close() {
      await server.close({ deadlineMs: 1_000 });
      await listener.close({ graceMs: 500 });
    },
  };
}

/** Options of {@link petrichorClient}. */
export interface PetrichorClientOptions {
  /** This side's key id (its service name, or `frontend`) and secret. */
  readonly key: string;
  readonly secret: string;
  /** Where each peer listens. */
  readonly peers: Readonly<Partial<Record<ServiceName, string>>>;
  /** The session codec. Default `sexpr`: requests travel as `(GET "/internal/data/q" :params {…})`. */
  readonly codec?: CodecName;
  /** Sign every call (for servers started with `signed`). Default false. */
  readonly signed?: boolean;
}

/** A {@link MeshClient} over Petrichor: connects to every peer now, one session each. */
export async function petrichorClient(options: PetrichorClientOptions): Promise<MeshClient> {
  const clients = new Map<ServiceName, Client>();
  const callers = new Map<ServiceName, Client | SignedCaller>();
  try {
    for (const [name, url] of Object.entries(options.peers) as [ServiceName, string][]) {
      clients.set(
        name,
        await Client.connect(await connect(url), {
          user: options.key,
          codec: codecs[options.codec ?? 'sexpr'],
          auth: hmacClient({ key: options.key, secret: options.secret, hmac: nodeHmac }),
        }),
      );
    }
  } catch (error) {
    await Promise.all([...clients.values()].map((client) => client.close()));
    throw error;
  }
  const auth = hmacClient({ key: options.key, secret: options.secret, hmac: nodeHmac });
  for (const [name, client] of clients) callers.set(name, options.signed === true ? signedCalls(client, auth) : client);
  const to = (service: ServiceName): Client | SignedCaller => {
    const client = callers.get(service);
    if (client === undefined) throw new MeshError(503, `no connection to ${service}`);
    return client;
  };
  const stats = newStats();
  /** The rpc error model back into the mesh's: `(err :code 404 …)` is a 404 `MeshError`. */
  const call = async (run: () => Promise<unknown>): Promise<Data> => {
    try {
      return (await run()) as Data;
    } catch (error) {
      throw error instanceof RpcError ? new MeshError(error.code, error.message) : error;
    }
  };
  const text = async (reply: Promise<Data>): Promise<string> => {
    const value = await reply;
    if (typeof value !== 'string') throw new MeshError(502, 'a fragment that is not text');
    return value;
  };
  return {
    stats,
    fetchData: (service, query, params = {}) =>
      counted(stats, call(() => to(service).call('GET', `${PATHS.data}${query}`, null, { header: { params } }))),
    callAction: (service, action, payload = {}) => counted(stats, call(() => to(service).call(action, PATHS.action, payload))),
    fetchFragment: (service, fragment, params = {}) =>
      counted(stats, text(call(() => to(service).call('GET', `${PATHS.fragments}${fragment}`, null, { header: { params } })))),
    fetchPage: (page, params) => counted(stats, text(call(() => to('blog').call('GET', `${PATHS.pages}${page}`, null, { header: { params } })))),
    // `(deliver "/internal/activity" :to "events" :oneway true)`: no reply; a failure to send is counted.
    sendActivity(service, activity) {
      counted(stats, call(() => to(service).deliver('deliver', PATHS.activity, activity, { header: { to: service } }))).catch(() => undefined);
    },
    async close() {
      await Promise.all([...clients.values()].map((client) => client.close()));
    },
  };
}
