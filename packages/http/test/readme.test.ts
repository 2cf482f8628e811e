/**
 * The README's quick start runs as written: its code is taken from the README, each
 * `expression; // value` line becomes a check that the expression gives that value, and the
 * port is 0 instead of 8080. (The code is plain JavaScript, so it runs as an async function.)
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import * as rpc from '@petrichor/rpc';
import * as http from '@petrichor/http';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The first ```ts block after the heading `heading`. */
function block(heading: string): string {
  const start = readme.indexOf(heading);
  const open = readme.indexOf('```ts\n', start);
  return readme.slice(open + 6, readme.indexOf('```\n', open + 6));
}

/** The quick start as a function body: imports from the modules given, value comments as checks. */
function runnable(code: string): { body: string; checks: number } {
  let checks = 0;
  const lines = code.split('\n').map((line) => {
    const imported = /^import \{ (.+) \} from '(@petrichor\/[a-z]+)';$/.exec(line);
    if (imported !== null) return `const { ${imported[1]} } = modules['${imported[2]}'];`;
    const checked = /^(?!const |let |for |\s)(.+); \/\/ (['"[{\d].*)$/.exec(line);
    if (checked !== null) {
      checks++;
      return `check(${checked[1]}, ${checked[2]}, ${JSON.stringify(checked[1])});`;
    }
    return line.replace('{ port: 8080 }', '{ port: 0 }');
  });
  return { body: lines.join('\n'), checks };
}

test('README quick start: every value it shows is what it gets', async () => {
  const { body, checks } = runnable(block('## Quick start'));
  expect(checks).toBe(6);
  const seen: string[] = [];
  const check = async (actual: unknown, expected: unknown, what: string): Promise<void> => {
    expect(await actual, what).toEqual(expected);
    seen.push(what);
  };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<void>;
  const run = new AsyncFunction('modules', 'check', body.replaceAll(/^check\(/gm, 'await check('));
  await run({ '@petrichor/rpc': rpc, '@petrichor/http': http }, check);
  expect(seen.length).toBe(checks);
});
