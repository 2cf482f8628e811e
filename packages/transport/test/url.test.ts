import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as browserSafe from '@petrichor/transport';
import { formatUrl, parseUrl, TransportError, type Endpoint } from '@petrichor/transport/node';

describe('spec/transports.md §1 URL forms', () => {
  test.each<[string, Endpoint]>([
    ['tcp://127.0.0.1:7000', { scheme: 'tcp', host: '127.0.0.1', port: 7000 }],
    ['tcp://127.0.0.1:0', { scheme: 'tcp', host: '127.0.0.1', port: 0 }],
    ['tcp://[::1]:7000/', { scheme: 'tcp', host: '::1', port: 7000 }],
    ['tcp://Example.COM:1', { scheme: 'tcp', host: 'Example.COM', port: 1 }],
    ['tls://localhost:443', { scheme: 'tls', host: 'localhost', port: 443 }],
    ['unix:///run/petrichor.sock', { scheme: 'unix', path: '/run/petrichor.sock' }],
    ['unix:///tmp/a%20b%23c.sock', { scheme: 'unix', path: '/tmp/a b#c.sock' }],
    ['ws://example.com/qmux', { scheme: 'ws', url: 'ws://example.com/qmux', host: 'example.com', port: 80, path: '/qmux' }],
    ['ws://127.0.0.1:8080', { scheme: 'ws', url: 'ws://127.0.0.1:8080/', host: '127.0.0.1', port: 8080, path: '/' }],
    ['wss://example.com/a?token=x', { scheme: 'wss', url: 'wss://example.com/a?token=x', host: 'example.com', port: 443, path: '/a?token=x' }],
    ['mem://billing', { scheme: 'mem', name: 'billing' }],
    ['mem://Billing', { scheme: 'mem', name: 'Billing' }],
  ])('%s', (url, endpoint) => {
    expect(parseUrl(url)).toEqual(endpoint);
    expect(parseUrl(new URL(url))).toEqual(endpoint);
  });

  test.each([
    ['not a url', 'not a URL'],
    ['http://example.com', 'unknown scheme'],
    ['tcp://127.0.0.1', 'a port is required'],
    ['tcp://:7000', 'not a URL'],
    ['tcp://127.0.0.1:7000/path', 'takes no path'],
    ['tcp://127.0.0.1:7000?x=1', 'no query'],
    ['tcp://127.0.0.1:70000', 'not a URL'],
    ['tls://user:pw@host:1', 'credentials'],
    ['unix://host/tmp/s.sock', 'three slashes'],
    ['unix:relative.sock', 'absolute'],
    ['unix:///', 'absolute file path'],
    ['unix:///tmp/dir/', 'absolute file path'],
    ['unix:///tmp/%00.sock', 'NUL'],
    ['unix:///tmp/%E0%A4%A.sock', 'percent-encoding'],
    ['ws://host/#frag', 'fragment'],
    ['mem://', 'mem://name'],
    ['mem://name/path', 'a name only'],
    ['mem://name:1', 'a name only'],
  ])('%s is refused: %s', (url, why) => {
    let error: unknown;
    try {
      parseUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'TRANSPORT_UNSUPPORTED_URL' });
    expect((error as Error).message).toContain(why);
  });

  const host = fc.oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.domain().filter((d) => !/^[\d.]+$/.test(d)),
  );
  const segment = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).filter((s) => !s.includes('/') && !s.includes('\0') && s !== '.' && s !== '..');

  test('formatUrl and parseUrl round-trip every endpoint (property)', () => {
    const endpoint: fc.Arbitrary<Endpoint> = fc.oneof(
      fc.record({ scheme: fc.constantFrom('tcp' as const, 'tls' as const), host, port: fc.integer({ min: 0, max: 65535 }) }),
      fc.record({ scheme: fc.constant('unix' as const), path: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join('/')}`) }),
      fc.record({ scheme: fc.constant('mem' as const), name: fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/) }),
    );
    fc.assert(
      fc.property(endpoint, (e) => {
        const parsed = parseUrl(formatUrl(e));
        // Hosts come back as the URL parser normalises them (lower case, compressed IPv6).
        if (parsed.scheme === 'tcp' || parsed.scheme === 'tls') {
          expect(parsed.port).toBe((e as { port: number }).port);
          expect(parseUrl(formatUrl(parsed))).toEqual(parsed);
        } else {
          expect(parsed).toEqual(e);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('ws and wss keep host, port and path through a round trip (property)', () => {
    // Dot segments are left out: the URL parser resolves them, as it should.
    const path = fc.array(fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/).filter((s) => s !== '.' && s !== '..'), { maxLength: 3 }).map((s) => `/${s.join('/')}`);
    fc.assert(
      fc.property(fc.constantFrom('ws' as const, 'wss' as const), host, fc.integer({ min: 1, max: 65535 }), path, (scheme, h, port, p) => {
        const first = parseUrl(formatUrl({ scheme, url: '', host: h, port, path: p }));
        expect(first).toMatchObject({ scheme, port, path: p });
        expect(parseUrl(formatUrl(first))).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  test('the browser-safe entry refuses the Node-only transports with a pointer to /node', async () => {
    for (const url of ['tcp://127.0.0.1:1', 'unix:///tmp/x.sock', 'tls://127.0.0.1:1']) {
      await expect(browserSafe.connect(url)).rejects.toMatchObject({
        code: 'TRANSPORT_UNSUPPORTED_URL',
        message: expect.stringContaining('@petrichor/transport/node'),
      });
    }
    await expect(browserSafe.listen('ws://127.0.0.1:0/', () => {})).rejects.toMatchObject({ code: 'TRANSPORT_UNSUPPORTED_URL' });
    await expect(browserSafe.connect('bogus')).rejects.toMatchObject({ code: 'TRANSPORT_UNSUPPORTED_URL' });
  });

  test.each([
    ['ws://user:pw@127.0.0.1:1/', 'credentials'],
    ['ws://127.0.0.1:1/#frag', 'fragment'],
    ['mem://name/path', 'a name only'],
    ['mem://', 'mem://name'],
    ['http://127.0.0.1:1/', 'unknown scheme'],
  ])('the browser-safe connect checks %s before dialling: %s', async (url, why) => {
    await expect(browserSafe.connect(url)).rejects.toMatchObject({
      code: 'TRANSPORT_UNSUPPORTED_URL',
      message: expect.stringContaining(why),
    });
  });

  test('without a WebSocket constructor the browser-safe connect says so', async () => {
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined(); // Node 20
    await expect(browserSafe.connect('ws://127.0.0.1:1/')).rejects.toMatchObject({
      code: 'TRANSPORT_UNSUPPORTED_URL',
      message: expect.stringContaining('options.WebSocket'),
    });
  });
});
