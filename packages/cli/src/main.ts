import type { Command, Context } from './command.js';
import { call } from './commands/call.js';
import { inspect } from './commands/inspect.js';
import { manifest } from './commands/manifest.js';
import { serve } from './commands/serve.js';
import { CliError, UsageError, codeOf } from './errors.js';
import { EXIT } from './exit.js';
import type { Io } from './io.js';
import { version } from './version.js';

/** Every command, in the order `petrichor help` lists them. */
export const COMMANDS: readonly Command[] = [call, manifest, serve, inspect];

const USAGE = 'petrichor <command> [options]';

/** The top-level help: the commands, the global options, the exit codes. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `petrichor: call Petrichor services, read their manifests, serve, and inspect wire bytes

Usage: ${USAGE}

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}
  ${'help'.padEnd(width)}  show help for a command: petrichor help COMMAND

Options:
  -h, --help      show help (also after any command: petrichor inspect --help)
  -V, --version   print the version
      --debug     print stack traces with errors

Exit codes:
  0   success
  1   the service answered with an error (its code and message are printed), or the
      call's --timeout passed (408)
  2   usage error: unknown command or option, missing argument
  3   connection failure: refused, timed out, handshake denied, connection lost,
      a peer that breaks the protocol
  4   bad input: bytes that do not decode, a BODY that does not parse, unreadable file
  70  internal error (a bug: run with --debug and report it)
  130 interrupted

Environment:
  NO_COLOR, FORCE_COLOR   colours are used only on a terminal, unless NO_COLOR is set;
                          FORCE_COLOR=1 forces them, FORCE_COLOR=0 turns them off`;
}

/**
 * Runs the command line `argv` (without `node` and the script) and resolves with the exit
 * code. Errors are printed to stderr as one line, without a stack trace unless `--debug`.
 */
export async function main(argv: readonly string[], io: Io, signal: AbortSignal): Promise<number> {
  const end = argv.indexOf('--');
  const debug = (end < 0 ? argv : argv.slice(0, end)).includes('--debug');
  try {
    return await dispatch(argv, { io, signal });
  } catch (error) {
    await report(error, io, debug);
    return error instanceof CliError ? error.exitCode : EXIT.internal;
  }
}

async function dispatch(argv: readonly string[], context: Context): Promise<number> {
  const { io } = context;
  let i = 0;
  // Options before the command.
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      await io.stdout.write(mainHelp() + '\n');
      return EXIT.ok;
    }
    if (arg === '-V' || arg === '--version') {
      await io.stdout.write(`petrichor ${version()}\n`);
      return EXIT.ok;
    }
    if (arg !== '--debug') throw new UsageError(`unknown option ${arg}`);
  }
  const name = argv[i];
  if (name === undefined) throw new UsageError('no command given');
  const rest = argv.slice(i + 1);
  if (name === 'help') return help(rest, context);
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  const end = rest.indexOf('--');
  const options = end < 0 ? rest : rest.slice(0, end);
  if (options.includes('--help') || options.includes('-h')) {
    await io.stdout.write(command.help + '\n');
    return EXIT.ok;
  }
  return command.run(rest, context);
}

async function help(args: readonly string[], { io }: Context): Promise<number> {
  const name = args[0];
  if (name === undefined || name === 'help') {
    await io.stdout.write(mainHelp() + '\n');
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  await io.stdout.write(command.help + '\n');
  return EXIT.ok;
}

async function report(error: unknown, io: Io, debug: boolean): Promise<void> {
  const { style } = io.stderr;
  const lines: string[] = [];
  if (error instanceof CliError) {
    lines.push(`petrichor: ${error.code === undefined ? '' : style.red(style.bold(error.code)) + ': '}${error.message}`, ...error.details);
    if (error instanceof UsageError) {
      const command = COMMANDS.find((candidate) => candidate.name === error.command);
      lines.push(`usage: ${command?.usage ?? USAGE}`, `Run 'petrichor help${command === undefined ? '' : ' ' + command.name}' for more.`);
    }
    if (debug && error.cause instanceof Error && error.cause.stack !== undefined) lines.push(error.cause.stack);
    if (debug && error.stack !== undefined) lines.push(error.stack);
  } else {
    const code = codeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    lines.push(`petrichor: internal error: ${code === undefined ? '' : code + ': '}${message}`);
    lines.push(debug && error instanceof Error && error.stack !== undefined ? error.stack : 'Run again with --debug for the stack trace, and please report it.');
  }
  await io.stderr.write(lines.join('\n') + '\n');
}
