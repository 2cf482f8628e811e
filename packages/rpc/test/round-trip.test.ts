import { describe, expect, test } from 'vitest';
import { MessageType, decodeFrames, type Message } from '@petrichor/mux';
import { Client, Server } from '@petrichor/rpc';
import { probedPipe, tick, type Write } from './helpers/setup.js';

/** The qmux messages of one transport write. */
function frames(write: Write): Message[] {
  return decodeFrames(write.bytes);
}

function kinds(write: Write): MessageType[] {
  return frames(write).map((message) => message.type);
}

describe('spec/rpc.md §2.4 one round trip per call', () => {
  test('a unary call is one write each way: DATA+EOF out, then DATA+EOF+CLOSE back, no OPEN wait', async () => {
    const server = new Server();
    server.route('GET', '/ping', () => 'pong');
    const pipe = probedPipe();
    void server.serve(pipe.server);
    const client = await Client.connect(pipe.client, { poolSize: 2 });
    // Let the pool fill (OPENs out, CONFIRMs back): a first call returns once they are in.
    await client.call('GET', '/ping');
    await tick(5);
    for (let round = 0; round < 3; round++) {
      pipe.writes.length = 0;
      expect(await client.call('GET', '/ping', { n: round })).toBe('pong');
      // The writes up to the one that carries the reply.
      const replyAt = pipe.writes.findIndex((w) => w.from === 's' && kinds(w).includes(MessageType.Data));
      expect(replyAt).toBeGreaterThan(0);
      const before = pipe.writes.slice(0, replyAt);
      // The client wrote once: the request's DATA then EOF, and the OPEN refilling the pool
      // after them (perhaps behind the CLOSE that acknowledged the previous call).
      const clientWrites = before.filter((w) => w.from === 'c');
      expect(clientWrites).toHaveLength(1);
      const request = kinds(clientWrites[0]!);
      expect(request.filter((k) => k === MessageType.Data || k === MessageType.Eof)).toEqual([MessageType.Data, MessageType.Eof]);
      expect(request).toContain(MessageType.Open);
      // The server's first write since: the reply's DATA, EOF and CLOSE (with the refill's CONFIRM).
      expect(before.filter((w) => w.from === 's').map(kinds)).toEqual([]);
      expect(kinds(pipe.writes[replyAt]!).filter((k) => k !== MessageType.OpenConfirm)).toEqual([
        MessageType.Data,
        MessageType.Eof,
        MessageType.Close,
      ]);
    }
    await client.close();
  });

  test('the first call of a session with an empty pool (poolSize 0) pays the OPEN round trip', async () => {
    const server = new Server();
    server.route('GET', '/ping', () => 'pong');
    const pipe = probedPipe();
    void server.serve(pipe.server);
    const client = await Client.connect(pipe.client, { poolSize: 0 });
    await tick(5);
    pipe.writes.length = 0;
    expect(await client.call('GET', '/ping')).toBe('pong');
    const order = pipe.writes.map((w) => `${w.from}:${kinds(w).join(',')}`);
    // OPENs alone (the call's and a spare), CONFIRMs back, then the request: two round trips.
    // The pool exists to avoid this.
    expect(order.slice(0, 4)).toEqual(['c:100,100', 's:101,101', 'c:104,105', 's:104,105,106']);
    await client.close();
  });
});
