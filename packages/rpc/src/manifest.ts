/**
 * The manifest (spec/rpc.md §7.2): what a server says about itself on its control interface,
 * like swagger for a socket. Every interface with its purpose, its direction and its routes, each
 * with a description and an optional BODY schema.
 */
import { isDict, type Value, type ValueObject } from '@petrichor/wire';
import { RpcProtocolError } from './errors.js';
import type { Direction, Service } from './service.js';

/** A server's description of itself: `GET /manifest` on the control interface. */
export interface Manifest {
  /** The service's name (`ServerOptions.name`). */
  readonly name: string;
  /** The server's version string. */
  readonly version: string;
  /** Every interface, the control interface included, the default data interface first. */
  readonly interfaces: readonly ManifestInterface[];
}

/** One interface of a {@link Manifest}. */
export interface ManifestInterface {
  /** What a request's `iface` names (`data`, `control`, …). */
  readonly name: string;
  /** What it is for, in one line (may be empty). */
  readonly purpose: string;
  /** `send`, `recv` or `send+recv`, from the serving side's point of view. */
  readonly direction: Direction;
  /** True when a fallback answers calls no route takes. */
  readonly fallback: boolean;
  /** Its routes, in the order they were added. */
  readonly routes: readonly ManifestRoute[];
}

/** One route of a {@link ManifestInterface}. */
export interface ManifestRoute {
  /** The verb (`GET`, `relate`, `deliver`…), or `*` for every verb. */
  readonly verb: string;
  /** The path pattern: literal segments, `:name` parameters, a trailing `*`. */
  readonly path: string;
  /** One line for people (may be empty). */
  readonly description: string;
  /** The BODY's schema (a JSON-Schema-like dict), when the route declares one. */
  readonly body?: Value;
}

/** What a manifest says about the server itself. */
export interface ManifestInfo {
  name: string;
  version: string;
}

const DIRECTIONS: readonly string[] = ['send', 'recv', 'send+recv'];

/**
 * The manifest of `service` as it stands now (routes added later appear in the next one). The
 * default data interface comes first, then the others in the order they were created.
 */
export function describeService(service: Service, info: ManifestInfo): Manifest {
  const interfaces: ManifestInterface[] = [];
  const first = service.interfaces.get(service.defaultInterface);
  const ordered = first === undefined ? [...service.interfaces.values()] : [first, ...[...service.interfaces.values()].filter((i) => i !== first)];
  for (const iface of ordered) {
    interfaces.push({
      name: iface.name,
      purpose: iface.purpose,
      direction: iface.direction,
      fallback: iface.fallbackHandler !== undefined,
      routes: iface.router.routes.map((route) => {
        const entry: { verb: string; path: string; description: string; body?: Value } = {
          verb: route.verb,
          path: route.pattern,
          description: route.description ?? '',
        };
        if (route.body !== undefined) entry.body = route.body as Value;
        return entry;
      }),
    });
  }
  return { name: info.name, version: info.version, interfaces };
}

/** The manifest as a wire value (plain objects and arrays). */
export function manifestValue(manifest: Manifest): ValueObject {
  return manifest as unknown as ValueObject;
}

/**
 * Reads a manifest from a decoded reply, in any decode shape (plain objects or `Map`s, text or
 * UTF-8 bytes). Throws {@link RpcProtocolError} naming the first field that is missing or of the
 * wrong type.
 */
export function parseManifest(value: Value): Manifest {
  const top = dict(value, '$');
  const interfaces = list(get(top, 'interfaces'), '$.interfaces').map((item, i): ManifestInterface => {
    const at = `$.interfaces[${i}]`;
    const iface = dict(item, at);
    const direction = str(get(iface, 'direction'), `${at}.direction`);
    if (!DIRECTIONS.includes(direction)) throw new RpcProtocolError(`manifest: ${at}.direction must be send, recv or send+recv`);
    const fallback = get(iface, 'fallback') ?? false;
    if (typeof fallback !== 'boolean') throw new RpcProtocolError(`manifest: ${at}.fallback must be a boolean`);
    return {
      name: str(get(iface, 'name'), `${at}.name`),
      purpose: str(get(iface, 'purpose') ?? '', `${at}.purpose`),
      direction: direction as Direction,
      fallback,
      routes: list(get(iface, 'routes'), `${at}.routes`).map((r, j): ManifestRoute => {
        const where = `${at}.routes[${j}]`;
        const route = dict(r, where);
        const body = get(route, 'body');
        return {
          verb: str(get(route, 'verb'), `${where}.verb`),
          path: str(get(route, 'path'), `${where}.path`),
          description: str(get(route, 'description') ?? '', `${where}.description`),
          ...(body === undefined || body === null ? {} : { body }),
        };
      }),
    };
  });
  return { name: str(get(top, 'name') ?? '', '$.name'), version: str(get(top, 'version') ?? '', '$.version'), interfaces };
}

type AnyDict = ReadonlyMap<string | Uint8Array, Value> | ValueObject;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function dict(value: Value | undefined, at: string): AnyDict {
  if (!isDict(value)) throw new RpcProtocolError(`manifest: ${at} must be a dict`);
  return value;
}

function list(value: Value | undefined, at: string): readonly Value[] {
  if (!Array.isArray(value)) throw new RpcProtocolError(`manifest: ${at} must be a list`);
  return value as readonly Value[];
}

function str(value: Value | undefined, at: string): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) {
    try {
      return utf8.decode(value);
    } catch {
      // falls through to the error
    }
  }
  throw new RpcProtocolError(`manifest: ${at} must be text`);
}

function get(dict: AnyDict, name: string): Value | undefined {
  if (dict instanceof Map) return dict.get(name);
  return Object.hasOwn(dict, name) ? (dict as ValueObject)[name] : undefined;
}
