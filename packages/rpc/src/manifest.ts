/**
 * The manifest (spec/rpc.md §7.2): what a server says about itself on its control interface,
 * like swagger for a socket. Every interface with its purpose, its direction and its routes, each
 * with a description and an optional BODY schema.
 */
import { isDict, type Value, type ValueObject } from '@petrichor/wire';
import { textOf } from './envelope.js';
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

const DIRECTIONS: readonly Direction[] = ['send', 'recv', 'send+recv'];

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
  if (!isDict(value)) throw new RpcProtocolError('manifest: $ must be a dict');
  return {
    name: take(value, '$', 'name', TEXT, ''),
    version: take(value, '$', 'version', TEXT, ''),
    interfaces: take(value, '$', 'interfaces', LIST).map((item, i): ManifestInterface => {
      const at = `$.interfaces[${i}]`;
      const iface = take(item, at, '', DICT);
      return {
        name: take(iface, at, 'name', TEXT),
        purpose: take(iface, at, 'purpose', TEXT, ''),
        direction: take(iface, at, 'direction', DIRECTION),
        fallback: take(iface, at, 'fallback', BOOLEAN, false),
        routes: take(iface, at, 'routes', LIST).map((r, j): ManifestRoute => {
          const where = `${at}.routes[${j}]`;
          const route = take(r, where, '', DICT);
          const body = get(route, 'body');
          return {
            verb: take(route, where, 'verb', TEXT),
            path: take(route, where, 'path', TEXT),
            description: take(route, where, 'description', TEXT, ''),
            ...(body === undefined || body === null ? {} : { body }),
          };
        }),
      };
    }),
  };
}

type AnyDict = ReadonlyMap<string | Uint8Array, Value> | ValueObject;

/** What a field must be, and how it reads: undefined for a value of another type. */
type Kind<T> = readonly [what: string, read: (value: Value | undefined) => T | undefined];

const TEXT: Kind<string> = ['text', textOf];
const LIST: Kind<readonly Value[]> = ['a list', (v) => (Array.isArray(v) ? (v as readonly Value[]) : undefined)];
const DICT: Kind<AnyDict> = ['a dict', (v) => (isDict(v) ? v : undefined)];
const BOOLEAN: Kind<boolean> = ['a boolean', (v) => (typeof v === 'boolean' ? v : undefined)];
const DIRECTION: Kind<Direction> = ['send, recv or send+recv', (v) => DIRECTIONS.find((d) => d === textOf(v))];

/**
 * `from[key]` (or `from` itself when `key` is '') read as `kind`, or `fallback` when absent;
 * else an `RpcProtocolError` naming the field at `at`.
 */
function take<T>(from: Value | AnyDict, at: string, key: string, [what, read]: Kind<T>, fallback?: T): T {
  const value = key === '' ? (from as Value) : get(from as AnyDict, key);
  const out = value === undefined ? fallback : read(value);
  if (out === undefined) throw new RpcProtocolError(`manifest: ${key === '' ? at : `${at}.${key}`} must be ${what}`);
  return out;
}

function get(dict: AnyDict, name: string): Value | undefined {
  if (dict instanceof Map) return dict.get(name);
  return Object.hasOwn(dict, name) ? (dict as ValueObject)[name] : undefined;
}
