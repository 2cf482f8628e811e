/**
 * A peer that opens connections without end, against an rpc server whose listener has
 * `maxConnections` (spec/transports.md §3.3), over tcp:// and ws://: past the cap every new
 * connection is refused at once and never reaches the rpc server (no handshake deadline, no
 * session), `listener.refused` counts them, a bystander connected before the flood keeps calling
 * without a failure, and once the flood goes its slots are free for an honest client.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { ByteStream } from '@petrichor/mux';
import { Client, Server, type RpcSession } from '@petrichor/rpc';
import { connect, listen, type Listener } from '@petrichor/transport/node';
import { Bystander } from './helpers/bystander.js';
import { until } from './helpers/wait.js';

const CAP = 16;
/** Connections the flood opens, one after another (the loop is bounded by this). */
const FLOOD = 200;

/** One flood connection: refused (connect rejected, or the stream ended at once), or held open. */
interface Attempt {
  stream?: ByteStream;
  refused: boolean;
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe.each(['tcp://127.0.0.1:0', 'ws://127.0.0.1:0/rpc'])('a flood of connections to %s with maxConnections', (url) => {
  test(`past ${CAP} connections every new one is refused before the rpc server sees it; a bystander goes on`, async () => {
    const server = new Server({ name: 'flood' });
    server.route('PUT', '/echo', (ctx) => ctx.body);
    const handshakes: Promise<RpcSession | null>[] = [];
    const listener: Listener = await listen(url, { maxConnections: CAP }, (stream) => void handshakes.push(server.serve(stream)));
    const attempts: Attempt[] = [];
    let bystander: Bystander | undefined;
    cleanup = async () => {
      for (const attempt of attempts) attempt.stream?.close();
      await bystander?.stop();
      await server.close({ deadlineMs: 100 });
      await listener.close({ graceMs: 100 });
    };

    bystander = await Bystander.start(listener.url);
    await bystander.progress(3, 5000);

    // The flood: connections that never say hello, each held open as long as the server lets it.
    for (let i = 0; i < FLOOD; i++) {
      const attempt: Attempt = { refused: false };
      attempts.push(attempt);
      try {
        const stream = await connect(listener.url);
        attempt.stream = stream;
        stream.start({ data: () => {}, end: () => void (attempt.refused = true) });
      } catch (error) {
        expect(error).toMatchObject({ code: 'TRANSPORT_REFUSED' }); // ws: 503
        attempt.refused = true;
      }
    }
    const held = CAP - 1; // the bystander has one slot
    await until(() => attempts.filter((a) => a.refused).length === FLOOD - held, 5000, 'every connection past the cap refused');
    expect(listener.refused).toBe(FLOOD - held);
    expect(listener.connections).toBe(CAP);
    expect(handshakes).toHaveLength(CAP); // the refused ones made no session, started no handshake clock
    await bystander.progress(10, 5000);

    // The flood goes: its slots are free again, and an honest client is served.
    for (const attempt of attempts) attempt.stream?.close();
    await until(() => listener.connections === 1, 5000, 'the flood connections ended on the server');
    let client: Client | undefined;
    for (let i = 0; i < 50 && client === undefined; i++) {
      // A slot is free once the server's socket has closed, a moment after its stream ended.
      client = await connect(listener.url)
        .then((stream) => Client.connect(stream, { user: 'after' }))
        .catch(() => undefined);
    }
    expect(client).toBeDefined();
    expect(await client!.call('PUT', '/echo', 'served')).toBe('served');
    await client!.close();
    await bystander.progress(3, 5000);
    const seen = await bystander.stop();
    bystander = undefined;
    expect(seen.failures).toEqual([]);
  });
});
