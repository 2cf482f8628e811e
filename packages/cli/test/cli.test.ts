import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { colourEnabled } from '../src/style.js';
import { ROOT, killAll, run } from './run.js';

// Each test starts Node processes; on a loaded 2-core machine a start takes a second or more.
vi.setConfig({ testTimeout: 60_000 });
afterEach(killAll);

const COMMANDS = ['call', 'manifest', 'serve', 'inspect'];

describe('the command line (README "Usage", "Exit codes")', () => {
  it('--help and help list every command and the exit codes, on stdout, exit 0', async () => {
    for (const { code, stdout, stderr } of await Promise.all([run(['--help']), run(['help'])])) {
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toContain('Usage: petrichor <command> [options]');
      for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      expect(stdout).toMatch(/^ {2}4 {3}bad input/m);
    }
  });

  it('every command has its own --help, exit 0; -h and help COMMAND print the same', async () => {
    const results = await Promise.all([...COMMANDS.map((command) => run([command, '--help'])), run(['call', '-h']), run(['help', 'call'])]);
    COMMANDS.forEach((command, i) => {
      const { code, stdout, stderr } = results[i]!;
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(stdout).toMatch(new RegExp(`^Usage: petrichor ${command} `));
      expect(stdout).toMatch(/^ {2}-h, --help +show this help$/m);
    });
    expect(results[4]!.stdout).toBe(results[0]!.stdout);
    expect(results[5]!.stdout).toBe(results[0]!.stdout);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string };
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`petrichor ${version}\n`);
  });

  it('usage errors exit 2 with a one-line reason and the usage on stderr, nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [[], /^petrichor: no command given\nusage: petrichor <command>/],
      [['frobnicate'], /^petrichor: unknown command "frobnicate"\n/],
      [['--frob'], /^petrichor: unknown option --frob\n/],
      [['inspect', '--frob'], /^petrichor: unknown option --frob .*\nusage: petrichor inspect /],
      [['inspect', '--format', 'xml', '--hex', '00'], /^petrichor: --format must be one of tnetstring, sexpr, msgpack, message, qmux, session; got "xml"\n/],
      [['inspect', '--hex'], /^petrichor: option --hex needs a value\n/],
      [['help', 'frobnicate'], /^petrichor: unknown command "frobnicate"\n/],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args)));
    results.forEach(({ code, stdout, stderr }, i) => {
      expect(code, cases[i]![0].join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(cases[i]![1]);
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  });

  it('--debug adds the stack trace to an error', async () => {
    const { code, stderr } = await run(['inspect', '/nonexistent/capture.bin', '--debug']);
    expect(code).toBe(4);
    expect(stderr).toMatch(/^petrichor: cannot read \/nonexistent\/capture.bin: no such file or directory\n/);
    expect(stderr).toMatch(/\n\s+at /);
  });
});

describe('colours (README "Environment")', () => {
  const bad = ['inspect', '--hex', '31 3a 78 78'];

  it('are off when stdout and stderr are not terminals', async () => {
    const { code, stdout, stderr } = await run(bad);
    expect(code).toBe(4);
    expect(stdout + stderr).not.toContain('\u001b[');
  });

  it('FORCE_COLOR=1 turns them on, even with NO_COLOR; FORCE_COLOR=0 keeps them off', async () => {
    const [forced, zero] = await Promise.all([
      run(bad, { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }),
      run(bad, { env: { FORCE_COLOR: '0' } }),
    ]);
    expect(forced.stderr).toContain('\u001b[31m');
    expect(forced.stdout).toContain('\u001b[1m');
    expect(zero.stdout + zero.stderr).not.toContain('\u001b[');
  });

  // util-linux `script` runs the command on a pseudo-terminal: stdout and stderr are both TTYs there.
  const onTerminal = (env: Record<string, string>): Promise<string> => {
    const command = `${JSON.stringify(process.execPath)} --conditions=@petrichor/source --import tsx packages/cli/src/bin.ts inspect --hex '31 3a 78 78'`;
    const base = { ...process.env };
    delete base.NO_COLOR;
    delete base.FORCE_COLOR;
    return new Promise((resolve, reject) => {
      execFile('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...base, TERM: 'xterm', ...env }, timeout: 30_000 }, (error, stdout) =>
        error !== null && error.code !== 4 ? reject(error) : resolve(stdout),
      );
    });
  };

  it.skipIf(!existsSync('/usr/bin/script'))('are on when the streams are terminals, and NO_COLOR turns them off there', async () => {
    const [coloured, plain] = await Promise.all([onTerminal({}), onTerminal({ NO_COLOR: '1' })]);
    expect(coloured).toContain('\u001b[1mtnetstring\u001b[22m');
    expect(coloured).toContain('\u001b[31m\u001b[1mWIRE_MALFORMED');
    expect(plain).toContain('tnetstring, 4 bytes');
    expect(plain).not.toContain('\u001b[');
  });

  it('the rule: FORCE_COLOR decides when set, then NO_COLOR, then whether the stream is a terminal', () => {
    expect(colourEnabled(true, {})).toBe(true);
    expect(colourEnabled(false, {})).toBe(false);
    expect(colourEnabled(true, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(true, { NO_COLOR: '' })).toBe(true);
    expect(colourEnabled(true, { TERM: 'dumb' })).toBe(false);
    expect(colourEnabled(false, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled(false, { FORCE_COLOR: '' })).toBe(true);
    expect(colourEnabled(true, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourEnabled(true, { FORCE_COLOR: 'false' })).toBe(false);
  });
});
