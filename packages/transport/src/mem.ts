import { memoryPipe, type ByteStream } from '@petrichor/mux';
import { TransportError } from './errors.js';
import { connectionCap, Connections, type Listener } from './listener.js';
import { memRegistry, type MemListener } from './mem-registry.js';
import type { CloseOptions, ListenOptions } from './options.js';

/**
 * Listens on `mem://name`; the name is free again once `close()` is called. Each connect makes a
 * {@link memoryPipe} pair, one end for each side; past `maxConnections` streams open, `connect`
 * rejects with `TRANSPORT_REFUSED`.
 */
export function listenMemory(name: string, options: ListenOptions, onStream: (stream: ByteStream) => void): Promise<Listener> {
  const names = memRegistry();
  const cap = connectionCap(options.maxConnections);
  if (names.has(name)) {
    return Promise.reject(new TransportError('TRANSPORT_ADDRESS_IN_USE', `mem://${name} is already listened on`));
  }
  const connections = new Connections(onStream);
  let refused = 0;
  const entry: MemListener = {
    connect() {
      if (connections.size >= cap) {
        refused++;
        return Promise.reject(new TransportError('TRANSPORT_REFUSED', `mem://${name} is at its ${cap} connections (maxConnections)`));
      }
      const [ours, theirs] = memoryPipe();
      connections.accept({ stream: theirs, abort: () => theirs.close() });
      return Promise.resolve(ours);
    },
  };
  names.set(name, entry);
  const server = {
    stop(): void {
      if (names.get(name) === entry) names.delete(name);
    },
    released: () => Promise.resolve(),
  };
  return Promise.resolve({
    url: `mem://${name}`,
    get connections() {
      return connections.size;
    },
    get refused() {
      return refused;
    },
    close: (options?: CloseOptions) => connections.close(options, server),
  });
}
