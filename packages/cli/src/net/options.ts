import type { ParseArgsConfig } from 'node:util';

/** Command-line options of every command that connects to a service (`call`, `manifest`). */
export const CONNECT_OPTIONS = {
  user: { type: 'string', short: 'u' },
  'hmac-key': { type: 'string' },
  'hmac-secret': { type: 'string' },
  bearer: { type: 'string' },
  codec: { type: 'string', short: 'c' },
  timeout: { type: 'string', short: 't' },
  ca: { type: 'string' },
  insecure: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** Their help lines, shared by the commands' help texts. */
export const CONNECT_HELP = `Connection:
  -u, --user NAME          who we are, in the handshake (default: $PETRICHOR_USER, else "cli")
      --hmac-key ID        sign the handshake with HMAC-SHA256 under key ID ($PETRICHOR_HMAC_KEY)
      --hmac-secret S      the key's shared secret ($PETRICHOR_HMAC_SECRET)
      --bearer TOKEN       send a bearer token ($PETRICHOR_BEARER)
  -c, --codec CODEC        tnetstring (default), sexpr or msgpack, for the session
  -t, --timeout MS         bound the connect, the handshake and the call, in milliseconds
      --ca FILE            tls:// and wss://: trust the certificates in FILE (PEM)
      --insecure           tls:// and wss://: accept any server certificate`;

/** The environment variables the connection options read. */
export const CONNECT_ENV_HELP = `Environment:
  PETRICHOR_USER, PETRICHOR_BEARER, PETRICHOR_HMAC_KEY, PETRICHOR_HMAC_SECRET
                           defaults of --user, --bearer, --hmac-key, --hmac-secret (flags win)`;

/** What URLs look like, for help texts. */
export const URL_HELP = `URL: tcp://HOST:PORT, unix:///PATH.sock, tls://HOST:PORT, ws://HOST:PORT/PATH, wss://HOST:PORT/PATH`;
