/**
 * The browser client's size, measured, never written down by hand: esbuild bundles an entry from
 * the TypeScript sources for the browser, minified; the size printed is gzip -9 of that.
 */
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface BundleSize {
  name: string;
  minified: number;
  gzipped: number;
}

/** Bundles `source` (an entry module's text, resolved from `resolveDir`) and measures it. */
export async function measure(name: string, source: string, resolveDir = fileURLToPath(new URL('.', import.meta.url))): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: source, resolveDir, sourcefile: `${name}.ts`, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@petrichor/source'],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { name, minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}

/**
 * What a browser app that calls a Petrichor service pulls in: the rpc client over a WebSocket
 * (wire codecs + mux + rpc + the browser transport), tree-shaken to what that code uses.
 */
export const BROWSER_CLIENT = `
import { Client } from '@petrichor/rpc';
import { connect } from '@petrichor/transport';
export async function call(url: string, path: string, body: unknown) {
  const client = await Client.connect(await connect(url));
  try { return await client.call('GET', path, body as never); } finally { await client.close(); }
}
`;

/** Channels only: a mux session over the browser transport. */
export const BROWSER_MUX = `
import { Session } from '@petrichor/mux';
import { connect } from '@petrichor/transport';
export async function open(url: string) { return new Session(await connect(url)).open(); }
`;

/** Everything the browser-safe entries export, tree-shaking nothing away. */
export const EVERYTHING = `
export * from '@petrichor/wire';
export * from '@petrichor/mux';
export * from '@petrichor/rpc';
export * as transport from '@petrichor/transport';
`;

/** js-libp2p's yamux muxer alone, measured the same way (it is installed for the mux bench). */
export const YAMUX = `export { yamux } from '@chainsafe/libp2p-yamux';`;
export const YAMUX_DIR = fileURLToPath(new URL('../../mux/bench/', import.meta.url));
