import { TlsError, TransportError } from '../errors.js';

/** OpenSSL's certificate verification failures, as Node reports them in `error.code`. */
const VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

/** Codes that mean nobody took the connection. */
const REFUSED_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EHOSTUNREACH', 'ENETUNREACH', 'EACCES', 'ECONNRESET', 'EPIPE', 'ENOTSOCK']);

export function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** True for an error of the TLS layer: a verification failure, a TLS alert, a bad handshake. */
export function isTlsFailure(error: unknown): boolean {
  const code = codeOf(error);
  if (code === undefined) return false;
  return VERIFY_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.startsWith('ERR_OSSL_');
}

/**
 * The typed error for a failed connection attempt to `url`. `inHandshake`: the TCP connection was
 * up and the TLS handshake under way, so any failure (the server hanging up included) is a TLS one.
 */
export function connectError(url: string, error: unknown, inHandshake = false): TransportError {
  if (error instanceof TransportError) return error;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (inHandshake || isTlsFailure(error)) {
    return new TlsError(code ?? 'TLS_HANDSHAKE', `the TLS handshake with ${url} failed: ${message}`, { cause: error });
  }
  if (code === 'ETIMEDOUT') return new TransportError('TRANSPORT_TIMEOUT', `connecting to ${url} timed out: ${message}`, { cause: error });
  if (code === 'ENAMETOOLONG') return new TransportError('TRANSPORT_PATH_TOO_LONG', `${url}: ${message}`, { cause: error });
  const why = code !== undefined && REFUSED_CODES.has(code) ? message : `${message}${code === undefined ? '' : ` (${code})`}`;
  return new TransportError('TRANSPORT_REFUSED', `could not connect to ${url}: ${why}`, { cause: error });
}

/** The typed error for a failed `listen` on `url`. */
export function listenError(url: string, error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'EADDRINUSE') return new TransportError('TRANSPORT_ADDRESS_IN_USE', `${url} is in use: ${message}`, { cause: error });
  if (code === 'ENAMETOOLONG') return new TransportError('TRANSPORT_PATH_TOO_LONG', `${url}: ${message}`, { cause: error });
  return new TransportError('TRANSPORT_ADDRESS_UNAVAILABLE', `cannot listen on ${url}: ${message}`, { cause: error });
}
