/**
 * The s-expression call form of a request HEADER (spec/rpc.md §9): with the sexpr codec,
 * `{verb: "GET", path: "/internal/data/q", params: {id: 42}}` travels as
 * `(GET "/internal/data/q" :params {:id 42})`, so the wire reads as the mesh's own language.
 */
import { Keyword, ProtocolError, Sym, keyword, sym, type Codec, type Header, type HeaderForm, type Value } from '@petrichor/wire';

// The s-expression identifier grammar (spec/wire.md §3.1, §3.5): what reads back as a symbol.
const IDENTIFIER = /^[A-Za-z_~!?*+\-/<>=&%$^.][A-Za-z0-9_~!?*+\-/<>=&%$^.:#]*$/;
const NUMBER_LIKE = /^(?:[0-9]|[+\-.][0-9]|[+-]\.[0-9])/;
const RESERVED = new Set(['true', 'false', 'nil']);

function isSymbolName(name: string): boolean {
  return IDENTIFIER.test(name) && !NUMBER_LIKE.test(name) && !RESERVED.has(name);
}

/** A header's pairs, from a `Map` or a plain object. */
function pairs(header: Header): Iterable<[string | Uint8Array, Value]> {
  return header instanceof Map ? header.entries() : Object.entries(header);
}

/**
 * Writes a HEADER with a text `verb` that is a symbol name and a text `path` as
 * `(VERB "PATH" :key value …)`, the other fields in order; any other HEADER (a reply's
 * `{status: 200}`, a stream item's `{}`, a field name that is not an identifier) stays a dict.
 */
function write(header: Header): Value {
  let verb: Value | undefined;
  let path: Value | undefined;
  const rest: Value[] = [];
  for (const [key, value] of pairs(header)) {
    if (typeof key !== 'string' || !IDENTIFIER.test(key)) return header;
    if (key === 'verb') verb = value;
    else if (key === 'path') path = value;
    else rest.push(keyword(key), value);
  }
  if (typeof verb !== 'string' || typeof path !== 'string' || !isSymbolName(verb)) return header;
  return [sym(verb), path, ...rest];
}

/**
 * Reads `(VERB "PATH" :key value …)` back into `{verb, path, key: value, …}` (a plain object
 * with the `objects` option, else a `Map`). A dict passes through. A list that is not a call
 * form is a `ProtocolError` saying why; any other value is left for the dict check.
 */
function read(value: Value, options: { objects?: boolean }): Value {
  if (!Array.isArray(value)) return value;
  const items = value as readonly Value[];
  const [verb, path] = items;
  if (!(verb instanceof Sym)) throw new ProtocolError('a call-form HEADER starts with the verb as a symbol', 0);
  if (typeof path !== 'string') throw new ProtocolError('a call-form HEADER has the path as a string after the verb', 0);
  if (items.length % 2 !== 0) throw new ProtocolError('a call-form HEADER has a value after each keyword', 0);
  const fields = new Map<string, Value>([
    ['verb', verb.name],
    ['path', path],
  ]);
  for (let i = 2; i < items.length; i += 2) {
    const key = items[i];
    if (!(key instanceof Keyword)) throw new ProtocolError('a call-form HEADER has a keyword before each value', 0);
    if (fields.has(key.name)) throw new ProtocolError(`a call-form HEADER repeats the field ${key.name}`, 0);
    fields.set(key.name, items[i + 1]!);
  }
  if (options.objects !== true) return fields;
  const object: Record<string, Value> = {};
  for (const [key, item] of fields) {
    // An own property even for `__proto__`, as the codecs' objects are.
    Object.defineProperty(object, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

/** The call form as a wire {@link HeaderForm}. */
export const callForm: HeaderForm = Object.freeze({ write, read });

/** `codec` as a session uses it: an sexpr codec without a HEADER form gets the call form. */
export function withCallForm(codec: Codec): Codec {
  return codec.name === 'sexpr' && codec.header === undefined ? Object.freeze({ ...codec, header: callForm }) : codec;
}
