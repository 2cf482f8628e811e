/**
 * Routing by verb and path (spec/rpc.md §5.1). A pattern is a path whose segments are literal
 * text, `:name` (one segment, captured as `params.name`) or, last, `*` (the rest of the path,
 * possibly empty, captured as `params['*']`). A route's verb is any text, or `*` for every verb.
 *
 * Precedence: a pattern without parameters matches before any other; otherwise routes are tried
 * in the order they were added. A path that matches a pattern only under other verbs is a 405;
 * a path no pattern matches is a 404.
 */

/** Parameters captured from the path: `:name` segments, and `*` for a trailing wildcard. */
export type Params = Record<string, string>;

/** What a route declares about itself (the manifest shows it). */
export interface RouteInfo<H> {
  readonly verb: string;
  readonly pattern: string;
  readonly handler: H;
  /** One line for people reading the manifest. */
  readonly description?: string;
  /** The BODY's schema (a JSON-Schema-like dict), for the manifest. */
  readonly body?: unknown;
}

/** The outcome of {@link Router.match}. */
export type Match<H> =
  | { readonly status: 200; readonly route: RouteInfo<H>; readonly params: Params }
  | { readonly status: 404 | 405 };

const NOT_FOUND = Object.freeze({ status: 404 as const });
const VERB_NOT_ALLOWED = Object.freeze({ status: 405 as const });
const NO_PARAMS: Params = Object.freeze(Object.create(null) as Params);

interface Compiled<H> {
  readonly info: RouteInfo<H>;
  /** Literal segments as text; parameters as `{ name }`. */
  readonly segments: readonly (string | { readonly name: string })[];
  readonly rest: boolean;
}

/** The routes of one interface. */
export class Router<H> {
  /** Patterns without parameters, by path, then by verb. */
  readonly #exact = new Map<string, Map<string, RouteInfo<H>>>();
  readonly #patterns: Compiled<H>[] = [];
  readonly #all: RouteInfo<H>[] = [];

  /** Every route, in the order added. */
  get routes(): readonly RouteInfo<H>[] {
    return this.#all;
  }

  /** Adds a route. Throws `RangeError` for a malformed pattern or a verb+pattern already taken. */
  add(info: RouteInfo<H>): void {
    const { verb, pattern } = info;
    if (verb.length === 0) throw new RangeError('a route needs a verb (or "*")');
    if (pattern.charCodeAt(0) !== 0x2f) throw new RangeError(`route pattern "${pattern}" must start with "/"`);
    const parts = pattern.split('/').slice(1);
    const segments: (string | { name: string })[] = [];
    let rest = false;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part === '*') {
        if (i !== parts.length - 1) throw new RangeError(`route pattern "${pattern}": "*" must be the last segment`);
        rest = true;
      } else if (part.startsWith(':')) {
        if (part.length === 1) throw new RangeError(`route pattern "${pattern}": a parameter needs a name`);
        segments.push({ name: part.slice(1) });
      } else {
        segments.push(part);
      }
    }
    if (!rest && segments.every((segment) => typeof segment === 'string')) {
      let verbs = this.#exact.get(pattern);
      if (verbs === undefined) this.#exact.set(pattern, (verbs = new Map()));
      if (verbs.has(verb)) throw new RangeError(`route ${verb} ${pattern} is already defined`);
      verbs.set(verb, info);
    } else {
      if (this.#patterns.some((p) => p.info.verb === verb && p.info.pattern === pattern)) {
        throw new RangeError(`route ${verb} ${pattern} is already defined`);
      }
      this.#patterns.push({ info, segments, rest });
    }
    this.#all.push(info);
  }

  /** The route for `verb` on `path`, with its parameters; else 404 or 405. */
  match(verb: string, path: string): Match<H> {
    let pathKnown = false;
    const verbs = this.#exact.get(path);
    if (verbs !== undefined) {
      const info = verbs.get(verb) ?? verbs.get('*');
      if (info !== undefined) return { status: 200, route: info, params: NO_PARAMS };
      pathKnown = true;
    }
    if (this.#patterns.length > 0) {
      const parts = path.split('/');
      for (const compiled of this.#patterns) {
        const params = matchSegments(compiled, parts);
        if (params === null) continue;
        const routeVerb = compiled.info.verb;
        if (routeVerb === verb || routeVerb === '*') return { status: 200, route: compiled.info, params };
        pathKnown = true;
      }
    }
    return pathKnown ? VERB_NOT_ALLOWED : NOT_FOUND;
  }
}

/** Matches `parts` (the path split on "/", with the empty string before the first "/"). */
function matchSegments<H>(compiled: Compiled<H>, parts: readonly string[]): Params | null {
  const { segments, rest } = compiled;
  const n = segments.length;
  if (rest ? parts.length < n + 2 : parts.length !== n + 1) return null;
  let params: Params | null = null;
  for (let i = 0; i < n; i++) {
    const segment = segments[i]!;
    const part = parts[i + 1]!;
    if (typeof segment === 'string') {
      if (segment !== part) return null;
    } else {
      if (part.length === 0) return null;
      (params ??= {})[segment.name] = part;
    }
  }
  if (rest) (params ??= {})['*'] = parts.slice(n + 1).join('/');
  return params ?? NO_PARAMS;
}
