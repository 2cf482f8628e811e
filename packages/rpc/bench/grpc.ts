/**
 * `@grpc/grpc-js`: the unary echo service of echo.proto (a `bytes` field), loaded by
 * `@grpc/proto-loader`, over one insecure HTTP/2 connection on 127.0.0.1. Default options; the
 * client shares one channel between all concurrent callers, as a grpc-js user would.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { Client, Server } from './workload.js';

interface Body {
  body: Uint8Array;
}
type EchoClient = grpc.Client & {
  echo(request: Body, callback: (error: grpc.ServiceError | null, reply?: Body) => void): grpc.ClientUnaryCall;
};
interface EchoConstructor {
  new (address: string, credentials: grpc.ChannelCredentials): EchoClient;
  service: grpc.ServiceDefinition;
}

const definition = loadSync(fileURLToPath(new URL('./echo.proto', import.meta.url)));
const Echo = (grpc.loadPackageDefinition(definition) as unknown as { petrichor: { bench: { Echo: EchoConstructor } } }).petrichor.bench.Echo;

export async function grpcServer(): Promise<Server> {
  const server = new grpc.Server();
  server.addService(Echo.service, {
    echo(call: grpc.ServerUnaryCall<Body, Body>, callback: grpc.sendUnaryData<Body>) {
      callback(null, { body: call.request.body });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

export async function grpcClient(port: number): Promise<Client> {
  const client = new Echo(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  await new Promise<void>((resolve, reject) => client.waitForReady(Date.now() + 10_000, (error) => (error ? reject(error) : resolve())));
  return {
    echo: (body) =>
      new Promise((resolve, reject) => {
        client.echo({ body }, (error, reply) => {
          if (error) reject(error);
          else if (reply === undefined) reject(new Error('bench: grpc: no reply'));
          else resolve(reply.body);
        });
      }),
    async close() {
      client.close();
    },
  };
}
