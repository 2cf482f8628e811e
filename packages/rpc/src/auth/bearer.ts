import { isDict, type Value } from '@petrichor/wire';
import { RpcError } from '../errors.js';
import { field, text } from './fields.js';
import type { ClientAuth, Principal, ServerAuth } from './types.js';

/** Checks a bearer token; resolves with who it stands for. */
export type BearerVerify = (token: string, header: Readonly<Record<string, Value>>) => Principal | Promise<Principal>;

/**
 * OAuth-style bearer credentials for public clients (spec/rpc.md §6.5): `auth = { scheme:
 * "bearer", token }`. The token is fixed, or fetched before each handshake (so it can be
 * refreshed).
 */
export function bearerClient(token: string | (() => string | Promise<string>)): ClientAuth {
  return {
    async credentials() {
      const value = typeof token === 'string' ? token : await token();
      if (typeof value !== 'string' || value.length === 0) throw new RangeError('bearerClient: the token must be a non-empty string');
      return new Map<string, Value>([
        ['scheme', 'bearer'],
        ['token', value],
      ]);
    },
  };
}

/**
 * Checks bearer credentials with `verify`, which resolves with the {@link Principal} (its
 * `scheme` is set to `'bearer'`) or throws. An {@link RpcError} from `verify` reaches the client
 * as it is (throw 403 for a valid token that may not connect); anything else it throws, or a
 * missing or malformed token, is a 401.
 */
export function bearerServer(verify: BearerVerify): ServerAuth {
  return {
    async authenticate(auth, header): Promise<Principal> {
      if (auth === undefined || auth === null) throw new RpcError(401, 'missing credentials');
      if (!isDict(auth) || text(field(auth, 'scheme')) !== 'bearer') throw new RpcError(401, 'expected bearer credentials');
      const token = text(field(auth, 'token'));
      if (token === undefined || token.length === 0) throw new RpcError(401, 'malformed bearer credentials: token');
      let principal: Principal;
      try {
        principal = await verify(token, header);
      } catch (error) {
        if (error instanceof RpcError) throw error;
        throw new RpcError(401, 'bearer token rejected');
      }
      if (principal === null || typeof principal !== 'object' || typeof principal.id !== 'string') {
        throw new RpcError(401, 'bearer token rejected');
      }
      return { ...principal, scheme: 'bearer' };
    },
  };
}

/**
 * One {@link ServerAuth} per scheme, chosen by the credentials' `scheme`: for a server that
 * takes HMAC from internal services and bearer tokens from public clients. Missing credentials
 * or an unlisted scheme are a 401.
 */
export function authSchemes(schemes: Readonly<Partial<Record<Principal['scheme'], ServerAuth>>>): ServerAuth {
  return {
    authenticate(auth, header, body) {
      if (auth === undefined || auth === null) return Promise.reject(new RpcError(401, 'missing credentials'));
      const scheme = text(field(auth, 'scheme'));
      const chosen = scheme !== undefined && Object.hasOwn(schemes, scheme) ? schemes[scheme as Principal['scheme']] : undefined;
      if (chosen === undefined) return Promise.reject(new RpcError(401, 'unsupported auth scheme'));
      return chosen.authenticate(auth, header, body);
    },
  };
}
