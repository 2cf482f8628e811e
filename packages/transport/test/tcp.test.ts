import net from 'node:net';
import { Session } from '@petrichor/mux';
import { describe, expect, test } from 'vitest';
import { connect, listen } from '@petrichor/transport/node';

const ignore = () => {};

describe('spec/transports.md §3.1 TCP', () => {
  test('listening on port 0 reports the port taken in the URL', async () => {
    const listener = await listen('tcp://127.0.0.1:0', ignore);
    expect(listener.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(listener.url).not.toBe('tcp://127.0.0.1:0');
    await listener.close();
  });

  test('nothing listening: TRANSPORT_REFUSED with ECONNREFUSED as the cause', async () => {
    const listener = await listen('tcp://127.0.0.1:0', ignore);
    const { url } = listener;
    await listener.close();
    await expect(connect(url)).rejects.toMatchObject({ code: 'TRANSPORT_REFUSED', cause: { code: 'ECONNREFUSED' } });
  });

  test('a port already listened on: TRANSPORT_ADDRESS_IN_USE', async () => {
    const listener = await listen('tcp://127.0.0.1:0', ignore);
    await expect(listen(listener.url, ignore)).rejects.toMatchObject({ code: 'TRANSPORT_ADDRESS_IN_USE' });
    await listener.close();
  });

  test('an address that is not this host’s: TRANSPORT_ADDRESS_UNAVAILABLE', async () => {
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a real interface.
    await expect(listen('tcp://192.0.2.1:0', ignore)).rejects.toMatchObject({ code: 'TRANSPORT_ADDRESS_UNAVAILABLE' });
  });

  test('Nagle is off on both ends by default and on with noDelay: false', async () => {
    // Node exposes no getter; watch the setNoDelay calls socketStream and the options make.
    const calls: boolean[] = [];
    const original = net.Socket.prototype.setNoDelay;
    net.Socket.prototype.setNoDelay = function (this: net.Socket, noDelay?: boolean) {
      calls.push(noDelay ?? true);
      return original.call(this, noDelay);
    };
    try {
      let accepted!: () => void;
      const served = new Promise<void>((resolve) => (accepted = resolve));
      const listener = await listen('tcp://127.0.0.1:0', { noDelay: false }, (stream) => {
        new Session(stream).close();
        accepted();
      });
      const stream = await connect(listener.url);
      await served;
      // Server: on (socketStream) then off (noDelay: false); client: on.
      expect(calls.filter((c) => !c)).toHaveLength(1);
      expect(calls.filter((c) => c).length).toBeGreaterThanOrEqual(2);
      stream.close();
      await listener.close({ graceMs: 0 });
    } finally {
      net.Socket.prototype.setNoDelay = original;
    }
  });
});
