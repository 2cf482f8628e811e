/**
 * The byte-level examples of spec/rpc.md §1.5, §3.4 and §4.5 are what a real client and server
 * write: this test runs them over a memory pipe, captures the bytes, renders each example as it
 * appears in the spec, and checks that the spec holds exactly that text. (`SPEC_VECTORS=print`
 * prints the rendered blocks.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { MessageType, decodeFrames } from '@petrichor/mux';
import { Client, RpcError, Server, type RpcSession } from '@petrichor/rpc/all';
import type { CodecName } from '@petrichor/wire';
import { probedPipe, until, type Write } from './helpers/setup.js';

const spec = readFileSync(new URL('../../../spec/rpc.md', import.meta.url), 'utf8');

/** Bytes as spec text: printable ASCII as is; anything else as hex, 24 bytes a line. */
function render(bytes: Uint8Array, codec: CodecName | 'handshake'): string {
  if (codec !== 'msgpack') return new TextDecoder().decode(bytes);
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 24) {
    lines.push([...bytes.subarray(i, i + 24)].map((b) => b.toString(16).padStart(2, '0')).join(' '));
  }
  return lines.join('\n');
}

function block(title: string, bytes: Uint8Array, codec: CodecName | 'handshake'): string {
  return `${title} (${bytes.length} bytes):\n\n\`\`\`\n${render(bytes, codec)}\n\`\`\``;
}

/** The DATA payloads each side wrote on the channel with the given sender-side id, in order. */
function payloads(writes: readonly Write[], from: 'c' | 's'): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  for (const write of writes) {
    if (write.from !== from) continue;
    for (const message of decodeFrames(write.bytes)) {
      if (message.type !== MessageType.Data) continue;
      const list = out.get(message.recipientId) ?? [];
      list.push(message.data.slice());
      out.set(message.recipientId, list);
    }
  }
  return out;
}

const printed: string[] = [];
function check(snippet: string): void {
  if (process.env['SPEC_VECTORS'] === 'print') printed.push(snippet);
  else expect(spec).toContain(snippet);
}

function demoServer(): Server {
  const server = new Server({ ident: 'srv1', version: '2.5', welcome: 'WELCOME' });
  server.route('GET', '/users/:id', (ctx) => ({ id: Number(ctx.params['id']), name: 'ana' }));
  server.route('GET', '/count', async function* () {
    yield 1;
    yield 2;
  });
  server.route('PUT', '/sum', async (ctx) => {
    let sum = 0;
    for await (const n of ctx.messages) sum += n as number;
    return sum;
  });
  server.route('deliver', '/internal/activity', () => null);
  server.fallback(() => {
    throw RpcError.notFound('not found');
  });
  return server;
}

describe('spec/rpc.md §1.5 the handshake, byte by byte', () => {
  test('hello, allowed, denied', async () => {
    const pipe = probedPipe();
    const served = demoServer().serve(pipe.server);
    const client = await Client.connect(pipe.client, { user: 'ana', ident: '5f2b6c0d9e8a4b1c', version: '1.0' });
    await served;
    check(block('The hello', pipe.writes[0]!.bytes, 'handshake'));
    check(block('Allowed', pipe.writes.find((w) => w.from === 's')!.bytes, 'handshake'));
    await client.close();

    const denied = probedPipe();
    const server = new Server({
      ident: 'srv1',
      authorize: (peer) => {
        throw RpcError.forbidden(`${peer.user} may not connect`);
      },
    });
    void server.serve(denied.server);
    await expect(Client.connect(denied.client, { user: 'eve', ident: '77aa', version: '1.0' })).rejects.toThrow();
    check(block('Denied', denied.writes.find((w) => w.from === 's')!.bytes, 'handshake'));
  });
});

describe.each(['tnetstring', 'sexpr', 'msgpack'] as const)('spec/rpc.md §3.4, §4.5 calls in %s', (codec) => {
  test('a unary call, an error, a streamed reply, a streamed request, a one-way call', async () => {
    const pipe = probedPipe();
    const server = demoServer();
    const served = server.serve(pipe.server);
    const client = await Client.connect(pipe.client, { codec, poolSize: 1, maxPoolSize: 1 });
    const session = (await served) as RpcSession;
    const round = async (run: () => Promise<unknown>): Promise<[Uint8Array[], Uint8Array[]]> => {
      await until(() => session.mux.channelCount === 1 && client.mux.channelCount === 1);
      pipe.writes.length = 0;
      await run();
      await until(() => client.mux.channelCount === 1 && session.mux.channelCount === 1);
      const requests = [...payloads(pipe.writes, 'c').values()].filter((list) => list.length > 0);
      const replies = [...payloads(pipe.writes, 's').values()].filter((list) => list.length > 0);
      expect(requests).toHaveLength(1);
      return [requests[0]!, replies[0] ?? []];
    };

    const [unaryRequest, unaryReply] = await round(() =>
      client.call('GET', '/users/7', { fields: ['name'] }, { timeout: 5000 }),
    );
    check(block(`${codec}, a unary request`, unaryRequest[0]!, codec));
    check(block(`${codec}, its reply`, unaryReply[0]!, codec));

    const [, errorReply] = await round(() => client.call('GET', '/nope').catch(() => null));
    check(block(`${codec}, an error reply`, errorReply[0]!, codec));

    const [, streamReply] = await round(async () => {
      for await (const _ of client.stream('GET', '/count'));
    });
    expect(streamReply).toHaveLength(3);
    check(block(`${codec}, a streamed reply: the head`, streamReply[0]!, codec));
    check(block(`${codec}, an item`, streamReply[1]!, codec));

    const [streamRequest] = await round(async () => {
      const call = client.open('PUT', '/sum', null, { stream: 'in' });
      await call.send(1);
      await call.end();
      return call.result;
    });
    check(block(`${codec}, a streamed request: the first message`, streamRequest[0]!, codec));
    check(block(`${codec}, a message after it`, streamRequest[1]!, codec));

    const [oneway] = await round(() => client.deliver('deliver', '/internal/activity', { type: 'like' }));
    check(block(`${codec}, a one-way call`, oneway[0]!, codec));
    await client.close();
  });
});

test.runIf(process.env['SPEC_VECTORS'] === 'print')('print', () => {
  console.log(printed.join('\n\n'));
});
