/**
 * scripts/check-links.mjs, run as `pnpm docs` runs it: a plain Node child process. It must pass
 * a tree whose links all hold, fail (exit 1, naming each) on a missing file or anchor, and pass
 * on this repository.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const script = join(repo, 'scripts', 'check-links.mjs');

function run(root: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, root], { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, out: stdout + stderr });
    });
  });
}

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'ptr-links-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const good = {
  'README.md': [
    '# Top',
    'See [the spec](spec/rpc.md#24-one-round-trip-per-call-the-pre-opened-pool), [again](spec/rpc.md#again-1),',
    '[a package](packages/p/README.md#errors), [here](#top), [a folder](docs/) and [the web](https://example.com/x#y).',
    '`[not a link](nowhere.md)`',
    '```',
    '[inside a code block](nowhere.md)',
    '```',
  ].join('\n'),
  'spec/rpc.md': '# rpc\n## §2.4 One round trip per call: the `pre-opened` pool\n## Again\n## Again\n',
  'packages/p/README.md': '# p\n## Errors\n',
  'docs/README.md': '# Docs\n[up](../README.md#top)\n',
  'docs/api/index.html': '<a href="page.html#part">x</a><a href="https://example.com">y</a>',
  'docs/api/page.html': '<h2 id="part">Part</h2><a href="index.html">back</a>',
};

describe('scripts/check-links.mjs', () => {
  test('passes a tree whose links and anchors all exist', async () => {
    const result = await run(await tree(good));
    expect(result.out).toMatch(/links: \d+ checked in 6 files, none broken/);
    expect(result.code).toBe(0);
  });

  test('fails on a missing file, a missing markdown anchor, a missing HTML anchor and a bad escape, and names each', async () => {
    const root = await tree({
      ...good,
      'docs/README.md':
        '# Docs\n[up](../README.md#top) [gone](../spec/gone.md) [bad anchor](../spec/rpc.md#24-one-round-trip)\n[bad escape](#%E0%A4%A)\n',
      'docs/api/page.html': '<h2 id="part">Part</h2><a href="index.html#nowhere">back</a>',
    });
    const result = await run(root);
    expect(result.code).toBe(1);
    expect(result.out).toContain('4 broken links');
    expect(result.out).toContain('docs/README.md:3: #%E0%A4%A — malformed percent-encoding');
    expect(result.out).toContain('docs/README.md:2: ../spec/gone.md — no such file');
    expect(result.out).toContain('docs/README.md:2: ../spec/rpc.md#24-one-round-trip — no anchor #24-one-round-trip in spec/rpc.md');
    expect(result.out).toContain('docs/api/page.html:1: index.html#nowhere — no anchor #nowhere in docs/api/index.html');
    expect(result.out).not.toContain('#top');
  });

  test('passes on this repository', async () => {
    const result = await run(repo);
    expect(result.out).toMatch(/none broken/);
    expect(result.code).toBe(0);
  });
});
