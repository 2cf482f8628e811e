/** Starts either side of any candidate, in whichever process runs it. */
import { libp2pClient, libp2pServer } from './libp2p.js';
import { qmuxClient, qmuxServer } from './qmux.js';
import { tcpClient, tcpServer } from './tcp.js';
import type { Client, Server, ServerSpec } from './workload.js';

/** The accepting side. */
export function serve(spec: ServerSpec): Promise<Server> {
  switch (spec.kind) {
    case 'tcp':
      return tcpServer(spec.mode, spec.ackEvery);
    case 'qmux':
      return qmuxServer(spec.mode, spec.qmux);
    case 'yamux':
    case 'mplex':
      return libp2pServer(spec.kind, spec.mode, spec.manyStreams);
  }
}

/** The connecting side, for a server started from the same spec. */
export function dial(spec: ServerSpec, port: number): Promise<Client> {
  switch (spec.kind) {
    case 'tcp':
      return tcpClient(port);
    case 'qmux':
      return qmuxClient(port, spec.qmux);
    case 'yamux':
    case 'mplex':
      return libp2pClient(spec.kind, port, spec.manyStreams);
  }
}
