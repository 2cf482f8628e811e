import type { CallOptions, Manifest, ManifestInterface } from '@petrichor/rpc';
import type { Value } from '@petrichor/wire';
import { parseCommandLine } from '../args.js';
import type { Context } from '../command.js';
import { UsageError } from '../errors.js';
import { EXIT } from '../exit.js';
import { failure, openClient, planConnection } from '../net/client.js';
import { CONNECT_OPTIONS } from '../net/options.js';
import { jsonText } from '../render/json.js';
import type { Style } from '../style.js';

/** A schema printed on one line up to this many characters, else indented over several. */
const SCHEMA_LINE = 72;

/** `petrichor manifest ARGS…` (its help is in `manifest.ts`). */
export async function runManifest(args: readonly string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommandLine('manifest', args, { ...CONNECT_OPTIONS, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'manifest needs a URL' : 'manifest takes one URL', 'manifest');
  const plan = await planConnection('manifest', positionals[0]!, values, context.io.env);
  const client = await openClient(plan, 'control', context.signal);
  try {
    const options: CallOptions = { signal: context.signal };
    if (plan.timeoutMs !== undefined) options.timeout = plan.timeoutMs;
    const found = await client.manifest(options);
    const { stdout } = context.io;
    await stdout.write((values.json === true ? jsonText(manifestValue(found), 2) : describe(found, stdout.style).join('\n')) + '\n');
    return EXIT.ok;
  } catch (error) {
    if (context.signal.aborted) return EXIT.interrupted;
    throw failure(error);
  } finally {
    await client.close();
  }
}

/** The manifest as a value, its fields in the spec's order (spec/rpc.md §7.2). */
function manifestValue(manifest: Manifest): Value {
  return {
    name: manifest.name,
    version: manifest.version,
    interfaces: manifest.interfaces.map((iface) => ({
      name: iface.name,
      purpose: iface.purpose,
      direction: iface.direction,
      fallback: iface.fallback,
      routes: iface.routes.map((route) => ({
        verb: route.verb,
        path: route.path,
        description: route.description,
        ...(route.body === undefined ? {} : { body: route.body }),
      })),
    })),
  };
}

/**
 * The manifest for people:
 *
 * ```text
 * blog 2.3.0
 *
 * interface data (send+recv)
 *   POST  /posts      publish a post
 *         body: {"type": "object", "required": ["title"]}
 * ```
 */
function describe(manifest: Manifest, style: Style): string[] {
  const lines = [`${style.bold(manifest.name === '' ? '(unnamed service)' : manifest.name)} ${manifest.version}`];
  for (const iface of manifest.interfaces) lines.push('', ...describeInterface(iface, style));
  return lines;
}

function describeInterface(iface: ManifestInterface, style: Style): string[] {
  const purpose = iface.purpose === '' ? '' : `: ${iface.purpose}`;
  const lines = [`${style.bold('interface ' + iface.name)} ${style.dim(`(${iface.direction})`)}${purpose}`];
  const verbWidth = Math.max(0, ...iface.routes.map((route) => route.verb.length));
  const pathWidth = Math.max(0, ...iface.routes.map((route) => route.path.length));
  for (const route of iface.routes) {
    const description = route.description === '' ? '' : `  ${route.description}`;
    lines.push(`  ${style.cyan(route.verb.padEnd(verbWidth))}  ${route.path.padEnd(description === '' ? 0 : pathWidth)}${description}`.trimEnd());
    if (route.body !== undefined) lines.push(...schemaLines(route.body, ' '.repeat(verbWidth + 4), style));
  }
  if (iface.routes.length === 0 && !iface.fallback) lines.push(style.dim('  (no routes)'));
  if (iface.fallback) lines.push(`  ${style.dim('any other call: answered by its fallback')}`);
  return lines;
}

/** `body: {…}` on one line when short, else the schema indented as JSON under `body:`. */
function schemaLines(schema: Value, indent: string, style: Style): string[] {
  const line = jsonText(schema, 0, true);
  if (line.length <= SCHEMA_LINE) return [`${indent}${style.dim('body:')} ${line}`];
  return [`${indent}${style.dim('body:')}`, ...jsonText(schema, 2).split('\n').map((text) => indent + '  ' + text)];
}
