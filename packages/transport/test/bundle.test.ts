/**
 * The browser client's bundle (issue 5): esbuild builds it from the sources as a browser app's
 * bundler would, and we check what is in it. Sizes are printed by `pnpm bench transport`, not
 * asserted here.
 */
import { describe, expect, test } from 'vitest';
import { BROWSER_CLIENT, BROWSER_SEXPR_CLIENT, bundle, type Bundle } from '../bench/bundle.js';

const text = (b: Bundle): string => new TextDecoder().decode(b.code);
/** The input files that left bytes in the bundle. */
const files = (b: Bundle): string[] => [...b.inputs].filter(([, bytes]) => bytes > 0).map(([path]) => path);
const from = (b: Bundle, pattern: RegExp): string[] => files(b).filter((path) => pattern.test(path));

const MSGPACK = /wire\/src\/(msgpack\/|codecs\/msgpack)|@msgpack/;
const SEXPR = /wire\/src\/(sexpr\/|codecs\/sexpr)/;
const SERVER_ONLY = /rpc\/src\/(server|session-codec|relay|endpoints|auth\/(hmac|nonce-cache|bearer|calls|canonical))\.ts$/;
/** Serving code a client that never routes does not need: the router, services, pull, dispatch, handler runs. */
const ROUTING = /rpc\/src\/(router|service|pull|dispatch|answering|incoming)\.ts$/;

describe('the browser client bundle (wire + mux + rpc + WebSocket)', () => {
  test('on tnetstrings: no node: import, no other codec, no server-only code', async () => {
    const client = await bundle(BROWSER_CLIENT);
    expect(text(client)).not.toMatch(/["'`]node:/);
    expect(files(client).filter((path) => path.startsWith('node:'))).toEqual([]);
    expect(from(client, /wire\/src\/tnetstring\//).length).toBeGreaterThan(0);
    expect(from(client, /transport\/src\/websocket/).length).toBeGreaterThan(0);
    expect(from(client, MSGPACK)).toEqual([]);
    expect(from(client, SEXPR)).toEqual([]);
    expect(from(client, /wire\/src\/codecs\/index\.ts$/)).toEqual([]); // the registry by name
    expect(from(client, SERVER_ONLY)).toEqual([]);
    expect(from(client, ROUTING)).toEqual([]);
    expect(from(client, /transport\/src\/node\//)).toEqual([]);
  });

  test('a client given a Service holds the router and the code that runs handlers (so the check above can fail)', async () => {
    const client = await bundle(`
      import { Client, Service } from '@petrichor/rpc';
      import { connect } from '@petrichor/transport';
      const service = new Service();
      service.interface('data').route('GET', '/ping', () => 'pong');
      export const open = async (url) => Client.connect(await connect(url), { service });
    `);
    expect(from(client, /rpc\/src\/(router|service|answering|incoming)\.ts$/).length).toBe(4);
  });

  test('a client that imports sexprCodec holds s-expressions, and still no msgpack', async () => {
    const client = await bundle(BROWSER_SEXPR_CLIENT);
    expect(text(client)).not.toMatch(/["'`]node:/);
    expect(from(client, SEXPR).length).toBeGreaterThan(0);
    expect(from(client, MSGPACK)).toEqual([]);
  });

  test('errors keep their class names in a minified bundle (minifiers rename classes)', async () => {
    const entry = `
      import { tnetstring, LimitError } from '@petrichor/wire';
      import { TransportError, WebSocketClosedError } from '@petrichor/transport';
      import { ProtocolError, KeepaliveTimeoutError } from '@petrichor/mux';
      import { RpcError, ConnectionLostError, HandshakeDeniedError } from '@petrichor/rpc';
      let decodeError;
      try { tnetstring.decode(new TextEncoder().encode('01:a,')); } catch (error) { decodeError = error; }
      export const names = [decodeError.name, new LimitError('maxDepth', 1, 2, 0).name,
        new TransportError('TRANSPORT_REFUSED', 'x').name, new WebSocketClosedError(1006, '').name,
        new ProtocolError('x').name, new KeepaliveTimeoutError('x').name,
        new RpcError(404, 'x').name, new ConnectionLostError('x').name, new HandshakeDeniedError(403, 'x').name];
    `;
    const built = await bundle(entry);
    const module = (await import(`data:text/javascript;base64,${Buffer.from(built.code).toString('base64')}`)) as { names: string[] };
    expect(module.names).toEqual([
      'MalformedError', 'LimitError', 'TransportError', 'WebSocketClosedError',
      'ProtocolError', 'KeepaliveTimeoutError',
      'RpcError', 'ConnectionLostError', 'HandshakeDeniedError',
    ]);
  });
});
