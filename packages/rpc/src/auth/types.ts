/**
 * The auth hooks (spec/rpc.md §6). The core calls them during the handshake (and, with
 * `signCalls`, for each call); the schemes themselves (HMAC, bearer) implement them.
 */
import type { Value } from '@petrichor/wire';

/** What the server learned about the peer from its credentials. */
export interface Principal {
  scheme: 'hmac' | 'bearer' | 'none';
  id: string;
  claims?: Readonly<Record<string, Value>>;
}

/** Client side: produces the `auth` field for the handshake (and, with signCalls, for each call). */
export interface ClientAuth {
  credentials(header: Readonly<Record<string, Value>>, body: Value): Promise<Value>;
}

/** Server side: checks a message's `auth` field; resolves with the Principal or rejects with RpcError 401/403. */
export interface ServerAuth {
  authenticate(auth: Value | undefined, header: Readonly<Record<string, Value>>, body: Value): Promise<Principal>;
}
