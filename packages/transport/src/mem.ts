import { memoryPipe, type ByteStream } from '@petrichor/mux';
import { TransportError } from './errors.js';
import { Connections, type Listener } from './listener.js';
import { memRegistry, type MemListener } from './mem-registry.js';
import type { CloseOptions } from './options.js';

/**
 * Listens on `mem://name`; the name is free again once `close()` is called. Each connect makes a
 * {@link memoryPipe} pair, one end for each side.
 */
export function listenMemory(name: string, onStream: (stream: ByteStream) => void): Promise<Listener> {
  const names = memRegistry();
  if (names.has(name)) {
    return Promise.reject(new TransportError('TRANSPORT_ADDRESS_IN_USE', `mem://${name} is already listened on`));
  }
  const connections = new Connections(onStream);
  const entry: MemListener = {
    connect() {
      const [ours, theirs] = memoryPipe();
      connections.accept({ stream: theirs, abort: () => theirs.close() });
      return ours;
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
    close: (options?: CloseOptions) => connections.close(options, server),
  });
}
