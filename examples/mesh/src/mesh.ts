/**
 * The mesh's vocabulary, written once and shared by both stacks: the services, the four kinds of
 * inter-service call (after the sexpr:// seed), the error a handler throws, what a handler sees,
 * a service's handler table, and the calling side's interface.
 *
 * | call | Petrichor (s-expression call form) | HTTP+JSON (the baseline) |
 * |---|---|---|
 * | fetch_data | `(GET "/internal/data/{query}" :params {…})` | `GET /internal/data/{query}?params={json}` |
 * | call_action | `({action} "/internal/")`, the payload as BODY | `POST /internal/actions/{action}`, JSON body |
 * | fetch_fragment | `(GET "/internal/fragments/{fragment}" :params {…})` | `GET /internal/fragments/{fragment}?params={json}` |
 * | send_internal_activity | `(deliver "/internal/activity" :to "events" :oneway true)`, the activity as BODY | `POST /internal/activity`, answered 202 |
 * | a page (front end → blog) | `(GET "/pages/{page}" :params {…})` | `GET /pages/{page}?params={json}` |
 */

/** The services of the mesh. */
export const SERVICES = ['blog', 'relations', 'events', 'market'] as const;

/** One of {@link SERVICES}. */
export type ServiceName = (typeof SERVICES)[number];

/** The key id of the load driver, the mesh's front end (it asks the blog for pages). */
export const FRONTEND = 'frontend';

/** What crosses the mesh: JSON's data model with integers only, which both stacks carry exactly. */
export type Data = null | boolean | number | string | readonly Data[] | { readonly [key: string]: Data };

/** A dict of {@link Data}: params, payloads, activities. */
export type Fields = { readonly [key: string]: Data };

/** An activity sent with send_internal_activity (`view`, `like`, `follow`, …). */
export interface Activity extends Fields {
  readonly type: string;
  readonly actor: string;
  readonly object: string;
}

/**
 * A call's failure as both stacks carry it: an HTTP status on one, `(err :code N :message …)` on
 * the other. Handlers throw it; both clients reject with it.
 */
export class MeshError extends Error {
  override readonly name = 'MeshError';
  constructor(
    /** 404 not found, 401 bad credentials, 400 a bad request, 500 the handler failed… */
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** 404: the item asked for does not exist. */
  static notFound(message: string): MeshError {
    return new MeshError(404, message);
  }

  /** 400: the request lacks something the handler needs. */
  static badRequest(message: string): MeshError {
    return new MeshError(400, message);
  }
}

/** What a handler sees, whichever stack carried the call. */
export interface MeshRequest {
  /** The service (or the front end) that called, as its credentials proved. */
  readonly caller: string;
  /** fetch_data, fetch_fragment and pages: the params; call_action: the payload. */
  readonly input: Fields;
}

/** A handler: returns the reply or throws a {@link MeshError}. */
export type MeshHandler = (request: MeshRequest) => Data | Promise<Data>;

/** A handler whose reply is text: a fragment's or a page's HTML. */
export type TextHandler = (request: MeshRequest) => string | Promise<string>;

/**
 * A service, independent of the stack that carries it: the same table is served over Petrichor
 * and over HTTP+JSON. Lookups go through `Map`s, so a query named `constructor` is just unknown.
 */
export interface ServiceTable {
  readonly name: ServiceName;
  readonly data: ReadonlyMap<string, MeshHandler>;
  readonly actions: ReadonlyMap<string, MeshHandler>;
  readonly fragments: ReadonlyMap<string, TextHandler>;
  /** Pages, for the front end (only the blog has any). */
  readonly pages: ReadonlyMap<string, TextHandler>;
  /** send_internal_activity lands here; nothing is answered. */
  activity(activity: Activity, caller: string): void;
}

/** Counters of the calls one process made (fetch_data, call_action, fetch_fragment, deliver, pages). */
export interface CallStats {
  /** Calls made. */
  calls: number;
  /** Calls answered 404: a normal outcome a page handles. */
  notFound: number;
  /** Calls that failed any other way (including deliveries that could not be sent). */
  errors: number;
}

/** The calling side: the four calls of the seed, to any service, over one stack. */
export interface MeshClient {
  /** fetch_data: a query's result. */
  fetchData(service: ServiceName, query: string, params?: Fields): Promise<Data>;
  /** call_action: runs an action with a payload and returns its result. */
  callAction(service: ServiceName, action: string, payload?: Fields): Promise<Data>;
  /** fetch_fragment: a piece of HTML rendered by the service that owns its data. */
  fetchFragment(service: ServiceName, fragment: string, params?: Fields): Promise<string>;
  /** send_internal_activity: fire and forget; a failure is counted, never thrown. */
  sendActivity(service: ServiceName, activity: Activity): void;
  /** A page from the blog (`GET /pages/{page}`), for the front end. */
  fetchPage(page: string, params: Fields): Promise<string>;
  /** What this client has done so far. */
  readonly stats: CallStats;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** The paths both stacks use. */
export const PATHS = {
  data: '/internal/data/',
  fragments: '/internal/fragments/',
  /** Petrichor: the action is the verb on this path. */
  action: '/internal/',
  /** HTTP: POST to this prefix plus the action. */
  httpActions: '/internal/actions/',
  activity: '/internal/activity',
  pages: '/pages/',
} as const;

/** Fresh zeroed counters. */
export function newStats(): CallStats {
  return { calls: 0, notFound: 0, errors: 0 };
}

/** Counts one call's outcome into `stats` and passes it on (a 404 is counted, then still thrown). */
export async function counted<T>(stats: CallStats, call: Promise<T>): Promise<T> {
  stats.calls++;
  try {
    return await call;
  } catch (error) {
    if (error instanceof MeshError && error.status === 404) stats.notFound++;
    else stats.errors++;
    throw error;
  }
}

/** The handler for `name` in `table`, or a 404 naming what is missing. */
export function lookup<H>(table: ReadonlyMap<string, H>, kind: string, name: string): H {
  const handler = table.get(name);
  if (handler === undefined) throw MeshError.notFound(`no ${kind} ${name}`);
  return handler;
}
