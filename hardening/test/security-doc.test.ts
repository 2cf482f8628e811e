/**
 * SECURITY.md cannot drift from the code: every default in its limits table is the value of the
 * package constant the row names, every numeric field of the packages' default objects has a row,
 * and every file it links to exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as nodeHttp from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as http from '@petrichor/http';
import * as mux from '@petrichor/mux';
import * as rpc from '@petrichor/rpc';
import * as transport from '@petrichor/transport/node';
import * as wire from '@petrichor/wire';
import * as inspectDefaults from '../../packages/cli/src/commands/inspect-defaults.js';
import * as preamble from '../../packages/rpc/src/handshake/preamble.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(`${ROOT}SECURITY.md`, 'utf8');

/** What the table's `package` column may name, and the module each stands for. */
const MODULES: Record<string, object> = {
  '@petrichor/wire': wire,
  '@petrichor/mux': mux,
  '@petrichor/rpc': rpc,
  '@petrichor/transport': transport,
  '@petrichor/http': http,
  'node:http': nodeHttp,
  'packages/rpc/src/handshake/preamble.ts': preamble,
  'packages/cli/src/commands/inspect-defaults.ts': inspectDefaults,
};

/** The default objects whose every numeric field must have a row: a new limit needs a line in the doc. */
const DEFAULT_OBJECTS: Record<string, object> = {
  DEFAULT_LIMITS: wire.DEFAULT_LIMITS,
  DEFAULTS: mux.DEFAULTS,
  SESSION_DEFAULTS: rpc.SESSION_DEFAULTS,
  HANDSHAKE_DEFAULTS: rpc.HANDSHAKE_DEFAULTS,
  HMAC_DEFAULTS: rpc.HMAC_DEFAULTS,
  TRANSPORT_DEFAULTS: transport.TRANSPORT_DEFAULTS,
  HTTP_DEFAULTS: http.HTTP_DEFAULTS,
};

interface Row {
  limit: string;
  text: string;
  module: string;
  constant: string;
}

/** The rows of the table under "## Limits and their defaults". */
function limitRows(): Row[] {
  const section = doc.split(/^## /m).find((s) => s.startsWith('Limits and their defaults'));
  if (section === undefined) throw new Error('SECURITY.md has no "## Limits and their defaults" section');
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  // Skip the header row and the |---| separator.
  return lines.slice(2).map((line) => {
    const cells = line.split('|').slice(1, -1).map((cell) => cell.trim().replaceAll('`', ''));
    const [limit, text, module, constant] = cells;
    if (cells.length !== 5 || limit === undefined || text === undefined || module === undefined || constant === undefined) {
      throw new Error(`malformed row: ${line}`);
    }
    return { limit, text, module, constant };
  });
}

const UNITS: Record<string, number> = { '': 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, ms: 1, s: 1000 };

/** "16 MiB" → 16,777,216; "30 s" → 30,000 (the constants hold milliseconds); "1,000" → 1000. */
function parseDefault(text: string): number {
  const match = /^([\d,]+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|ms|s)?$/.exec(text);
  if (match === null) throw new Error(`cannot read the default "${text}"`);
  return Number(match[1]!.replaceAll(',', '')) * UNITS[match[2] ?? '']!;
}

function valueAt(module: object, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], module);
}

describe('SECURITY.md', () => {
  const rows = limitRows();

  it('has a limits table of real rows', () => {
    expect(rows.length).toBeGreaterThan(25);
  });

  it.each(rows.map((row) => [row.limit, row] as const))('states the default of "%s" as the code has it', (_limit, row) => {
    const module = MODULES[row.module];
    expect(module, `unknown package "${row.module}"`).toBeDefined();
    const actual = valueAt(module!, row.constant);
    expect(typeof actual, `${row.module} ${row.constant} is not a number`).toBe('number');
    expect(parseDefault(row.text), `${row.limit}: SECURITY.md says ${row.text}, ${row.constant} is ${String(actual)}`).toBe(actual);
  });

  it('lists every numeric field of the packages’ default objects', () => {
    const listed = new Set(rows.map((row) => row.constant));
    const missing: string[] = [];
    for (const [name, defaults] of Object.entries(DEFAULT_OBJECTS)) {
      for (const [key, value] of Object.entries(defaults)) {
        if (typeof value === 'number' && !listed.has(`${name}.${key}`)) missing.push(`${name}.${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('links only to files that exist', () => {
    const targets = [...doc.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((t) => !existsSync(`${ROOT}${t}`))).toEqual([]);
  });

  it('says how to report a problem, which versions are supported, and the threat model', () => {
    for (const heading of ['Reporting a problem', 'Supported versions', 'Threat model', 'What auth covers, and what it does not', 'Replay protection']) {
      expect(doc).toMatch(new RegExp(`^## ${heading}$`, 'm'));
    }
    expect(doc).toMatch(/GitHub security advisory/);
  });
});
