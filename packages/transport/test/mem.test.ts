import { Session } from '@petrichor/mux';
import * as browserSafe from '@petrichor/transport';
import { describe, expect, test } from 'vitest';
import { connect, listen } from '@petrichor/transport/node';
import { echo, readAll } from './helpers/kinds.js';

describe('spec/transports.md §6 mem', () => {
  test('an unknown name is TRANSPORT_REFUSED', async () => {
    await expect(connect('mem://nobody-here')).rejects.toMatchObject({ code: 'TRANSPORT_REFUSED' });
  });

  test('a name listened on twice is TRANSPORT_ADDRESS_IN_USE; close() frees it', async () => {
    const first = await listen('mem://taken', () => {});
    await expect(listen('mem://taken', () => {})).rejects.toMatchObject({ code: 'TRANSPORT_ADDRESS_IN_USE' });
    await first.close();
    await expect(connect('mem://taken')).rejects.toMatchObject({ code: 'TRANSPORT_REFUSED' });
    const second = await listen('mem://taken', () => {});
    await second.close();
  });

  test('names are case-sensitive', async () => {
    const listener = await listen('mem://Case', () => {});
    await expect(connect('mem://case')).rejects.toMatchObject({ code: 'TRANSPORT_REFUSED' });
    await listener.close();
  });

  test('the browser-safe and Node entries share one registry', async () => {
    const listener = await browserSafe.listen('mem://shared', (stream) => echo(new Session(stream)));
    const session = new Session(await connect('mem://shared'));
    const channel = await session.open();
    await channel.write(new Uint8Array([1, 2, 3]));
    await channel.closeWrite();
    expect([...(await readAll(channel))]).toEqual([1, 2, 3]);
    session.close();
    await listener.close();
  });
});
