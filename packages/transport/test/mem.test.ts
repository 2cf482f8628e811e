import { Session } from '@petrichor/mux';
import * as browserSafe from '@petrichor/transport';
import { describe, expect, test } from 'vitest';
import { connect, listen } from '@petrichor/transport/node';
import { bundle } from '../bench/bundle.js';
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

  test('a bundle of the browser-safe connect holds no memory pipe, and still reaches a mem:// listener', async () => {
    const built = await bundle(`export { connect } from '@petrichor/transport';`);
    const files = [...built.inputs].filter(([, bytes]) => bytes > 0).map(([path]) => path);
    expect(files.some((path) => path.endsWith('transport/src/mem-registry.ts'))).toBe(true);
    expect(files.filter((path) => /memory-pipe|transport\/src\/mem\.ts$/.test(path))).toEqual([]);
    const bundled = (await import(`data:text/javascript;base64,${Buffer.from(built.code).toString('base64')}`)) as typeof browserSafe;
    await expect(bundled.connect('mem://bundled')).rejects.toMatchObject({ code: 'TRANSPORT_REFUSED' });
    const listener = await listen('mem://bundled', (stream) => echo(new Session(stream)));
    const session = new Session(await bundled.connect('mem://bundled'));
    const channel = await session.open();
    await channel.write(new Uint8Array([4, 5]));
    await channel.closeWrite();
    expect([...(await readAll(channel))]).toEqual([4, 5]);
    session.close();
    await listener.close();
  });
});
