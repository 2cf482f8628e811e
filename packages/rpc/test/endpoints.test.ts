import { memoryPipe, type ByteStream } from '@petrichor/mux';
import type { Value } from '@petrichor/wire';
import { afterEach, describe, expect, test } from 'vitest';
import {
  ConnectionLostError,
  Endpoints,
  HandshakeDeniedError,
  HandshakeTimeoutError,
  NoEndpointError,
  RpcError,
  Server,
  SessionClosedError,
  type EndpointsOptions,
} from '../src/index.js';
import { gate, tcpBackend, until, type TcpBackend } from './edge-helpers.js';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).reverse().map((thing) => thing.close()));
});

/** A server answering `GET /who` with its name, and `GET /hold` only when `release` is opened. */
function named(name: string): { server: Server; held: ReturnType<typeof gate>; entered: ReturnType<typeof gate> } {
  const server = new Server({ name });
  const held = gate();
  const entered = gate();
  server.route('GET', '/who', () => name);
  server.route('GET', '/hold', async () => {
    entered.open();
    await held.promise;
    return name;
  });
  server.route('GET', '/ticks', async function* () {
    for (let i = 0; ; i++) {
      yield i;
      if (i === 2) entered.open();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  });
  open.push(server);
  return { server, held, entered };
}

async function backends(...names: string[]): Promise<TcpBackend[]> {
  const list: TcpBackend[] = [];
  for (const name of names) {
    const backend = await tcpBackend(named(name).server);
    open.push({ close: () => backend.kill().catch(() => undefined) });
    list.push(backend);
  }
  return list;
}

function endpoints(connects: (() => ByteStream | Promise<ByteStream>)[], options: EndpointsOptions = {}): Endpoints {
  const client = new Endpoints(connects, { user: 'blog', backoffMs: 20, maxBackoffMs: 100, ...options });
  open.push(client);
  return client;
}

async function whoAnswers(client: Endpoints, n: number): Promise<Value[]> {
  const names: Value[] = [];
  for (let i = 0; i < n; i++) names.push(await client.call('GET', '/who'));
  return names;
}

describe('spec/rpc.md §8.3 several endpoints: first healthy', () => {
  test('calls go to the first endpoint while it is up', async () => {
    const [a, b] = await backends('a', 'b');
    const client = endpoints([() => a!.connect(), () => b!.connect()]);
    expect(await whoAnswers(client, 5)).toEqual(['a', 'a', 'a', 'a', 'a']);
    expect(b!.accepted).toBe(0);
    expect(client.endpoints.map((e) => e.state)).toEqual(['up', 'idle']);
  });

  test('a backend killed mid-call: the call rejects with ConnectionLostError, the next goes to the second; the first comes back after its backoff', async () => {
    const a = named('a');
    const [aTcp] = [await tcpBackend(a.server)];
    open.push({ close: () => aTcp.kill().catch(() => undefined) });
    const [b] = await backends('b');
    const client = endpoints([() => aTcp.connect(), () => b!.connect()]);
    const held = client.call('GET', '/hold');
    await a.entered.promise;
    await aTcp.kill();
    const error: unknown = await held.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as ConnectionLostError).code).toBe('RPC_CONNECTION_LOST');
    expect(await whoAnswers(client, 3)).toEqual(['b', 'b', 'b']);
    expect(client.endpoints[0]!.state).not.toBe('up');
    // Back on the same port: the background reconnect finds it, and first-healthy prefers it.
    await aTcp.restart();
    await until(() => client.endpoints[0]!.state === 'up', 3000);
    expect(await whoAnswers(client, 2)).toEqual(['a', 'a']);
  });

  test('a streamed reply in flight when its backend dies rejects with ConnectionLostError', async () => {
    const a = named('a');
    const aTcp = await tcpBackend(a.server);
    open.push({ close: () => aTcp.kill().catch(() => undefined) });
    const client = endpoints([() => aTcp.connect()]);
    const call = await client.stream('GET', '/ticks');
    const got: Value[] = [];
    const reading = (async () => {
      for await (const tick of call) got.push(tick);
    })();
    await a.entered.promise;
    await aTcp.kill();
    await expect(reading).rejects.toBeInstanceOf(ConnectionLostError);
    expect(got.length).toBeGreaterThanOrEqual(1);
  });
});

describe('spec/rpc.md §8.3 several endpoints: round robin', () => {
  test('calls take each endpoint in turn; a dead one drops out of the rotation', async () => {
    const [a, b, c] = await backends('a', 'b', 'c');
    const client = endpoints([() => a!.connect(), () => b!.connect(), () => c!.connect()], { strategy: 'round-robin' });
    await client.connect();
    await until(() => client.endpoints.every((e) => e.state === 'up'));
    const names = await whoAnswers(client, 6);
    expect([...names].sort()).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(names.slice(0, 3).sort()).toEqual(['a', 'b', 'c']);
    await b!.kill();
    await until(() => client.endpoints[1]!.state !== 'up');
    const after = await whoAnswers(client, 4);
    expect([...after].sort()).toEqual(['a', 'a', 'c', 'c']);
  });
});

describe('spec/rpc.md §8.3 several endpoints: failures', () => {
  test('none reachable: NoEndpointError at once with each failure; endpoints in backoff are skipped', async () => {
    let attempts = 0;
    const refuse = (): ByteStream => {
      attempts++;
      throw new Error('connection refused');
    };
    const client = endpoints([refuse, refuse], { backoffMs: 10_000, maxBackoffMs: 10_000 });
    const error: unknown = await client.call('GET', '/who').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoEndpointError);
    expect((error as NoEndpointError).code).toBe('RPC_NO_ENDPOINT');
    expect((error as NoEndpointError).errors.map((e) => e.message)).toEqual(['connection refused', 'connection refused']);
    expect(attempts).toBe(2);
    // Both wait out their backoff: the next call fails at once, without trying them.
    await expect(client.call('GET', '/who')).rejects.toBeInstanceOf(NoEndpointError);
    expect(attempts).toBe(2);
    expect(client.endpoints.map((e) => [e.state, e.failures])).toEqual([
      ['backoff', 1],
      ['backoff', 1],
    ]);
  });

  test('a denied handshake and a silent peer are failures too: the next endpoint serves', async () => {
    const strict = new Server({ authorize: () => Promise.reject(new RpcError(403, 'not you')) });
    open.push(strict);
    const deny = (): ByteStream => {
      const [a, b] = memoryPipe();
      void strict.serve(b);
      return a;
    };
    const silent = (): ByteStream => memoryPipe()[0]; // nobody answers
    const good = named('good');
    const serve = (): ByteStream => {
      const [a, b] = memoryPipe();
      void good.server.serve(b);
      return a;
    };
    const client = endpoints([deny, silent, serve], { connectTimeoutMs: 50 });
    expect(await client.call('GET', '/who')).toBe('good');
    const [first, second] = client.endpoints;
    expect(first!.error).toBeInstanceOf(HandshakeDeniedError);
    expect(second!.error).toBeInstanceOf(HandshakeTimeoutError);
  });

  test('reconnects back off exponentially, up to the maximum', async () => {
    let attempts = 0;
    const client = endpoints(
      [
        () => {
          attempts++;
          throw new Error('down');
        },
      ],
      { backoffMs: 10, maxBackoffMs: 40 },
    );
    await expect(client.call('GET', '/who')).rejects.toBeInstanceOf(NoEndpointError);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Delays of ~10, 20, 40, 40, … ms (±20%): about 8 attempts in 300 ms, never one per tick.
    expect(attempts).toBeGreaterThanOrEqual(4);
    expect(attempts).toBeLessThanOrEqual(12);
    const state = client.endpoints[0]!;
    expect(state.retryAt! - Date.now()).toBeLessThanOrEqual(40 * 1.2 + 1);
  });

  test('close() ends every connection and stops reconnecting; later calls reject with SessionClosedError', async () => {
    const [a] = await backends('a');
    const client = endpoints([() => a!.connect()]);
    expect(await client.call('GET', '/who')).toBe('a');
    await client.close();
    await expect(client.call('GET', '/who')).rejects.toBeInstanceOf(SessionClosedError);
    const accepted = a!.accepted;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(a!.accepted).toBe(accepted);
  });

  test('options are checked', () => {
    expect(() => new Endpoints([])).toThrow(RangeError);
    expect(() => new Endpoints([() => memoryPipe()[0]], { backoffMs: 0 })).toThrow(RangeError);
    expect(() => new Endpoints([() => memoryPipe()[0]], { strategy: 'random' as never })).toThrow(RangeError);
  });
});
