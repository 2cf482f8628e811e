import { memoryPipe, type ByteStream } from '@petrichor/mux';
import { TransportError } from './errors.js';
import { Connections, type Listener } from './listener.js';
import type { CloseOptions } from './options.js';

/**
 * `mem://name`: listeners inside this process, by name. The registry lives on `globalThis` under a
 * registered symbol, so two copies of this package in one process (ESM and CJS) still meet.
 */
type Registry = Map<string, Connections>;
const KEY = Symbol.for('@petrichor/transport mem registry');

function registry(): Registry {
  const holder = globalThis as { [KEY]?: Registry };
  return (holder[KEY] ??= new Map());
}

/** Connects to the `mem://` listener of that name: a {@link memoryPipe} pair, one end each. */
export function connectMemory(name: string): Promise<ByteStream> {
  const connections = registry().get(name);
  if (connections === undefined) {
    return Promise.reject(new TransportError('TRANSPORT_REFUSED', `nothing listens on mem://${name}`));
  }
  const [ours, theirs] = memoryPipe();
  connections.accept({ stream: theirs, abort: () => theirs.close() });
  return Promise.resolve(ours);
}

/** Listens on `mem://name`; the name is free again once `close()` is called. */
export function listenMemory(name: string, onStream: (stream: ByteStream) => void): Promise<Listener> {
  const names = registry();
  if (names.has(name)) {
    return Promise.reject(new TransportError('TRANSPORT_ADDRESS_IN_USE', `mem://${name} is already listened on`));
  }
  const connections = new Connections(onStream);
  names.set(name, connections);
  const server = {
    stop(): void {
      if (names.get(name) === connections) names.delete(name);
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
