/**
 * The Petrichor handshake (spec/rpc.md §1): before qmux starts, the client sends ONE tnetstring
 * message with its identity, the server answers ONE message, allowed or denied. From the next
 * byte on both sides run a qmux session over the rest of the stream.
 */
import type { ByteStream } from '@petrichor/mux';
import { tnetstringCodec, type CodecName, type Header, type Message, type Value, type ValueObject } from '@petrichor/wire';
import type { ClientAuth, Principal, ServerAuth } from '../auth/types.js';
import { HandshakeDeniedError, HandshakeError, HandshakeTimeoutError, RpcError } from '../errors.js';
import { field, textOf } from '../envelope.js';
import { PreambleStream } from './preamble.js';

/** The protocol version this package speaks: the handshake's `petrichor` field. */
export const PROTOCOL_VERSION = 1;

/** The codecs a session may use after the handshake. */
export const CODEC_NAMES: readonly CodecName[] = Object.freeze(['tnetstring', 'sexpr', 'msgpack']);

/** What the client asks for: every interface (`data`), or only the control interface. */
export type InterfaceScope = 'data' | 'control';

/** Who is on the other end of a session, as its handshake said. */
export interface Peer {
  /** The user it says it is (the server has none: ''). */
  readonly user: string;
  /** Its unique id for this connection. */
  readonly ident: string;
  /** Its application's version string. */
  readonly version: string;
  /** The codec of the session. */
  readonly codec: CodecName;
  /** `control` when the client connected for the control interface only. */
  readonly interface: InterfaceScope;
  /** What its credentials proved (`{ scheme: 'none', id: user }` without auth). */
  readonly principal: Principal;
  /** Its whole handshake HEADER. */
  readonly hello: Readonly<Record<string, Value>>;
  /** Its handshake BODY (the client's hello body; the server's welcome). */
  readonly body: Value;
  /** The transport's address for it, when the transport knows one. */
  readonly remoteAddress: string | undefined;
}

/** Handshake limits. */
export interface HandshakeLimits {
  /** Largest handshake message (HEADER and BODY), in bytes. Default 64 KiB. */
  maxHandshakeBytes?: number | undefined;
  /** How long to wait for the peer's handshake message, in ms. Default 10,000. */
  handshakeTimeoutMs?: number | undefined;
}

export const HANDSHAKE_DEFAULTS = Object.freeze({ maxHandshakeBytes: 64 * 1024, handshakeTimeoutMs: 10_000 });

/** What a completed handshake hands on: the stream for the session, and the peer. */
export interface Handshaken {
  readonly stream: ByteStream;
  readonly peer: Peer;
}

// ---- the client ----

/** What the client says about itself. */
export interface Hello extends HandshakeLimits {
  user: string;
  ident: string;
  version: string;
  codec: CodecName;
  interface?: InterfaceScope | undefined;
  auth?: ClientAuth | undefined;
  /** The hello BODY (default null). */
  body?: Value | undefined;
}

/**
 * Runs the client's side: sends the hello, waits for the answer. Rejects with
 * {@link HandshakeDeniedError}, {@link HandshakeTimeoutError} or {@link HandshakeError}, having
 * closed the stream.
 */
export async function clientHandshake(stream: ByteStream, hello: Hello): Promise<Handshaken> {
  const limits = resolveLimits(hello);
  const preamble = new PreambleStream(stream, limits.maxHandshakeBytes);
  try {
    const header: Record<string, Value> = {
      petrichor: PROTOCOL_VERSION,
      user: hello.user,
      ident: hello.ident,
      version: hello.version,
      codec: hello.codec,
    };
    if (hello.interface !== undefined) header['interface'] = hello.interface;
    const body = hello.body ?? null;
    if (hello.auth !== undefined) header['auth'] = await hello.auth.credentials(header, body);
    void Promise.resolve(stream.write(encodeMessage(header, body))).catch(ignore);
    const answer = await timed(preamble.read(), limits.handshakeTimeoutMs, 'answer');
    return { stream: preamble, peer: readAnswer(answer, hello.codec, preamble.remoteAddress) };
  } catch (error) {
    preamble.close();
    throw error;
  }
}

function readAnswer({ header, body }: Message, codec: CodecName, remoteAddress: string | undefined): Peer {
  if (field(header, 'petrichor') !== PROTOCOL_VERSION) throw new HandshakeError('the answer is not Petrichor version 1');
  const allowed = field(header, 'allowed');
  const ident = textOf(field(header, 'ident')) ?? '';
  if (allowed === false) {
    const code = field(header, 'code');
    const reason = textOf(body) ?? '';
    throw new HandshakeDeniedError(typeof code === 'number' ? code : 403, reason);
  }
  if (allowed !== true) throw new HandshakeError('the answer has no allowed: true or false');
  const answered = field(header, 'codec');
  if (answered !== codec) throw new HandshakeError(`the server answered codec ${String(answered)}, not ${codec}`);
  return {
    user: '',
    ident,
    version: textOf(field(header, 'version')) ?? '',
    codec,
    interface: 'data',
    principal: { scheme: 'none', id: ident },
    hello: header as ValueObject,
    body,
    remoteAddress,
  };
}

// ---- the server ----

/** What the server needs to answer a hello. */
export interface Answerer extends HandshakeLimits {
  ident: string;
  version: string;
  /** Codecs it accepts (default all three). */
  codecs?: readonly CodecName[] | undefined;
  auth?: ServerAuth | undefined;
  /** Allow or deny by identity: throw an `RpcError` (e.g. 403 with a reason) to deny. */
  authorize?: ((peer: Peer) => void | Promise<void>) | undefined;
  /** The welcome BODY, or a function of the peer that makes it. Default null. */
  welcome?: Value | ((peer: Peer) => Value | Promise<Value>) | undefined;
  /** Set while the server is shutting down: every hello is denied with 503. */
  refuse?: (() => RpcError | null) | undefined;
  /** Told about failures that are not the peer's fault (a hook that threw). */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * Runs the server's side: reads the hello, checks it, authenticates and authorizes the peer, and
 * answers. Resolves with the stream and peer when allowed; with `null` after answering a denial
 * (or when the stream ended or the hello never came), having closed the stream.
 */
export async function serverHandshake(stream: ByteStream, answerer: Answerer): Promise<Handshaken | null> {
  const limits = resolveLimits(answerer);
  const preamble = new PreambleStream(stream, limits.maxHandshakeBytes);
  const deny = (code: number, reason: string, ident = ''): null => {
    const header = { petrichor: PROTOCOL_VERSION, allowed: false, code, ident };
    void Promise.resolve(stream.write(encodeMessage(header, reason))).catch(ignore);
    preamble.close();
    return null;
  };
  let hello: Message;
  try {
    hello = await timed(preamble.read(), limits.handshakeTimeoutMs, 'hello');
  } catch (error) {
    if (error instanceof HandshakeTimeoutError) return deny(408, 'no handshake within the timeout');
    if (preamble.streamEnded) {
      preamble.close();
      return null;
    }
    return deny(400, (error as Error).message);
  }
  const header = hello.header as Readonly<Record<string, Value>>;
  const checked = checkHello(header, answerer.codecs ?? CODEC_NAMES);
  if (typeof checked === 'string') return deny(400, checked);
  const refusal = answerer.refuse?.();
  if (refusal != null) return deny(refusal.code, refusal.message, answerer.ident);
  let peer: Peer;
  try {
    const principal: Principal =
      answerer.auth === undefined
        ? { scheme: 'none', id: checked.user }
        : await answerer.auth.authenticate(header['auth'], header, hello.body);
    peer = { ...checked, principal, hello: header, body: hello.body, remoteAddress: preamble.remoteAddress };
  } catch (error) {
    if (error instanceof RpcError) return deny(error.code, error.message, answerer.ident);
    answerer.onError?.(error);
    return deny(401, 'unauthenticated', answerer.ident);
  }
  let welcome: Value;
  try {
    await answerer.authorize?.(peer);
    const given = answerer.welcome;
    welcome = typeof given === 'function' ? await given(peer) : (given ?? null);
  } catch (error) {
    if (error instanceof RpcError) return deny(error.code, error.message, answerer.ident);
    answerer.onError?.(error);
    return deny(500, 'internal error', answerer.ident);
  }
  const answer: Header = {
    petrichor: PROTOCOL_VERSION,
    allowed: true,
    ident: answerer.ident,
    version: answerer.version,
    codec: peer.codec,
  };
  let bytes: Uint8Array;
  try {
    bytes = encodeMessage(answer, welcome);
  } catch (error) {
    answerer.onError?.(error);
    return deny(500, 'internal error', answerer.ident);
  }
  void Promise.resolve(stream.write(bytes)).catch(ignore);
  return { stream: preamble, peer };
}

/** The hello's identity fields, or the reason it is refused (400). */
function checkHello(
  header: Readonly<Record<string, Value>>,
  accepted: readonly CodecName[],
): Pick<Peer, 'user' | 'ident' | 'version' | 'codec' | 'interface'> | string {
  if (field(header, 'petrichor') !== PROTOCOL_VERSION) return 'unsupported protocol version (petrichor must be 1)';
  const user = field(header, 'user');
  const ident = field(header, 'ident');
  const version = field(header, 'version');
  if (typeof user !== 'string') return 'the hello needs a user (text)';
  if (typeof ident !== 'string' || ident.length === 0) return 'the hello needs an ident (text)';
  if (typeof version !== 'string') return 'the hello needs a version (text)';
  const codec = field(header, 'codec');
  if (typeof codec !== 'string' || !(accepted as readonly string[]).includes(codec)) {
    return `codec must be one of ${accepted.join(', ')}`;
  }
  const scope = field(header, 'interface') ?? 'data';
  if (scope !== 'data' && scope !== 'control') return 'interface must be "data" or "control"';
  return { user, ident, version, codec: codec as CodecName, interface: scope };
}

/** `promise`, or a {@link HandshakeTimeoutError} after `ms`. */
function timed<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HandshakeTimeoutError(`no handshake ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The limits with defaults filled in; `RangeError` for a value out of range. */
export function resolveLimits(limits: HandshakeLimits): Required<{ [K in keyof HandshakeLimits]: number }> {
  const maxHandshakeBytes = limits.maxHandshakeBytes ?? HANDSHAKE_DEFAULTS.maxHandshakeBytes;
  const handshakeTimeoutMs = limits.handshakeTimeoutMs ?? HANDSHAKE_DEFAULTS.handshakeTimeoutMs;
  if (!Number.isSafeInteger(maxHandshakeBytes) || maxHandshakeBytes < 16) {
    throw new RangeError(`maxHandshakeBytes must be an integer ≥ 16, got ${maxHandshakeBytes}`);
  }
  if (!Number.isSafeInteger(handshakeTimeoutMs) || handshakeTimeoutMs < 1 || handshakeTimeoutMs > 2 ** 31 - 1) {
    throw new RangeError(`handshakeTimeoutMs must be an integer in [1, 2^31 - 1], got ${handshakeTimeoutMs}`);
  }
  return { maxHandshakeBytes, handshakeTimeoutMs };
}

function ignore(): void {}

/**
 * A handshake message: always tnetstrings (§1), whatever the session's codec. Not wire's
 * `encodeMessage`, which also resolves codec names and so would bring every codec into a bundle.
 */
function encodeMessage(header: Header, body: Value): Uint8Array {
  return tnetstringCodec.framing.encode([header as Value, body]);
}
