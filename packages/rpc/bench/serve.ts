/** Starts either side of any candidate, in whichever process runs it. */
import { capnwebClient, capnwebServer } from './capnweb.js';
import { floorClient, floorServer } from './floor.js';
import { grpcClient, grpcServer } from './grpc.js';
import { jsonrpcClient, jsonrpcServer } from './jsonrpc.js';
import { oursClient, oursServer } from './ours.js';
import type { Client, ClientSpec, Kind, Server } from './workload.js';

/** The serving side: the echo service of `kind`, listening on 127.0.0.1. */
export function serve(kind: Kind): Promise<Server> {
  switch (kind) {
    case 'floor':
      return floorServer();
    case 'grpc':
      return grpcServer();
    case 'capnweb':
      return capnwebServer();
    case 'jsonrpc':
      return jsonrpcServer();
    case 'ours':
      return oursServer();
  }
}

/** The calling side, connected to a server started by {@link serve} for the same kind. */
export function dial(spec: ClientSpec, port: number): Promise<Client> {
  switch (spec.kind) {
    case 'floor':
      return floorClient(port);
    case 'grpc':
      return grpcClient(port);
    case 'capnweb':
      return capnwebClient(port);
    case 'jsonrpc':
      return jsonrpcClient(port);
    case 'ours':
      return oursClient(port, spec.codec);
  }
}
