import { lstat, unlink } from 'node:fs/promises';
import net from 'node:net';
import { TransportError } from '../errors.js';
import { codeOf, listenError } from './errors.js';

/**
 * The longest Unix socket path, in bytes: `sun_path` holds 108 bytes on Linux and 104 on macOS
 * and the BSDs, the terminating NUL included.
 */
export function maxSocketPathBytes(platform: string = process.platform): number {
  return platform === 'linux' || platform === 'android' ? 107 : 103;
}

/** Throws `TRANSPORT_PATH_TOO_LONG` for a path the kernel would cut short or refuse. */
export function checkSocketPath(url: string, path: string): void {
  const bytes = Buffer.byteLength(path);
  const max = maxSocketPathBytes();
  if (bytes > max) {
    throw new TransportError(
      'TRANSPORT_PATH_TOO_LONG',
      `${url}: the socket path is ${bytes} bytes; this platform allows at most ${max} (use a shorter directory, e.g. under /tmp or $XDG_RUNTIME_DIR)`,
    );
  }
}

/** How long probing an existing socket file may take before we call it live. */
const PROBE_TIMEOUT_MS = 1_000;

/**
 * Clears the way to listen on `path` after EADDRINUSE (spec/transports.md §3.2): the file is removed
 * only if it is a socket AND connecting to it is refused (the server that made it is gone), and
 * only if it is still the same file after the probe. A socket something answers on, anything that
 * is not a socket, or a probe that cannot tell, is left alone: `TRANSPORT_ADDRESS_IN_USE`.
 */
export async function removeStaleSocket(url: string, path: string): Promise<void> {
  const stats = await lstat(path).catch((error: unknown) => {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw listenError(url, error);
  });
  if (stats === undefined) return; // gone meanwhile: the retry will tell
  if (!stats.isSocket()) throw inUse(url, 'the path exists and is not a socket (left alone)');
  const answer = await probe(path);
  if (answer === 'gone') return;
  if (answer !== 'refused') throw inUse(url, answer === 'live' ? 'a server is listening on it' : 'it could not be probed (left alone)');
  const now = await lstat(path).catch(() => undefined);
  if (now === undefined) return;
  if (now.ino !== stats.ino || now.dev !== stats.dev) throw inUse(url, 'the socket file was replaced while it was probed');
  await unlink(path).catch((error: unknown) => {
    if (codeOf(error) !== 'ENOENT') throw listenError(url, error);
  });
}

function probe(path: string): Promise<'live' | 'refused' | 'gone' | 'unknown'> {
  return new Promise((resolve) => {
    const socket = net.connect({ path });
    const done = (answer: 'live' | 'refused' | 'gone' | 'unknown'): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done('live'), PROBE_TIMEOUT_MS);
    socket.once('connect', () => done('live'));
    socket.once('error', (error) => {
      const code = codeOf(error);
      done(code === 'ECONNREFUSED' ? 'refused' : code === 'ENOENT' ? 'gone' : 'unknown');
    });
  });
}

function inUse(url: string, why: string): TransportError {
  return new TransportError('TRANSPORT_ADDRESS_IN_USE', `${url} is in use: ${why}`);
}
