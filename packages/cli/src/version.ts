import { readFileSync } from 'node:fs';

/**
 * This package's version, from its package.json: `../package.json` both from `src/` (run from
 * source) and from `dist/` (the published build).
 */
export function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
