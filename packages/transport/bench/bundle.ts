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

/** A bundle: its minified code, and the bytes each input file left in it (from esbuild's metafile). */
export interface Bundle {
  code: Uint8Array;
  inputs: Map<string, number>;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));

/**
 * Bundles `source` (an entry module's text, resolved from `resolveDir`) as a browser app's bundler
 * would: the TypeScript sources, the `browser` and `module` conditions, minified ES2022.
 */
export async function bundle(source: string, resolveDir = HERE): Promise<Bundle> {
  const result = await build({
    stdin: { contents: source, resolveDir, sourcefile: 'entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@petrichor/source', 'module', 'browser'],
    write: false,
    metafile: true,
    outfile: 'entry.js',
    logLevel: 'silent',
  });
  const inputs = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) inputs.set(path, (inputs.get(path) ?? 0) + input.bytesInOutput);
  }
  return { code: result.outputFiles[0]!.contents, inputs };
}

/** Bundles `source` (see {@link bundle}) and measures it: minified, then gzip -9. */
export async function measure(name: string, source: string, resolveDir = HERE): Promise<BundleSize> {
  const { code } = await bundle(source, resolveDir);
  return { name, minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}

/** The minified bytes of `inputs` by folder (`packages/rpc/src`, a package in node_modules…), largest first. */
export function byFolder(inputs: ReadonlyMap<string, number>): [string, number][] {
  const folders = new Map<string, number>();
  for (const [path, bytes] of inputs) {
    const folder = folderOf(path);
    folders.set(folder, (folders.get(folder) ?? 0) + bytes);
  }
  return [...folders].filter(([, bytes]) => bytes > 0).sort((a, b) => b[1] - a[1]);
}

/** `packages/wire/src` for a workspace file, the package's name for a dependency's. */
function folderOf(path: string): string {
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + 'node_modules/'.length).split('/');
    return rest.slice(0, rest[0]!.startsWith('@') ? 2 : 1).join('/');
  }
  const at = path.indexOf('packages/');
  return (at >= 0 ? path.slice(at) : path).split('/').slice(0, 3).join('/');
}

/**
 * What a browser app that calls a Petrichor service pulls in: the rpc client over a WebSocket
 * (wire + mux + rpc + the browser transport), tree-shaken to what that code uses. It imports no
 * codec, so it speaks tnetstrings, the default, and holds no other codec.
 */
export const BROWSER_CLIENT = `
import { Client } from '@petrichor/rpc';
import { connect } from '@petrichor/transport';
export async function call(url: string, path: string, body: unknown) {
  const client = await Client.connect(await connect(url));
  try { return await client.call('GET', path, body as never); } finally { await client.close(); }
}
`;

/** The same client on s-expressions: it imports that codec, and holds it (and not msgpack). */
export const BROWSER_SEXPR_CLIENT = `
import { Client } from '@petrichor/rpc';
import { connect } from '@petrichor/transport';
import { sexprCodec } from '@petrichor/wire';
export async function call(url: string, path: string, body: unknown) {
  const client = await Client.connect(await connect(url), { codec: sexprCodec });
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
