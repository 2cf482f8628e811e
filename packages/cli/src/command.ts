import type { Io } from './io.js';

/** What every command gets besides its arguments. */
export interface Context {
  readonly io: Io;
  /** Aborted on SIGINT or SIGTERM: the command stops what it is doing and returns. */
  readonly signal: AbortSignal;
}

/** One `petrichor` command. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The usage line(s), shown after a usage error. */
  readonly usage: string;
  /** The whole `--help` text. */
  readonly help: string;
  /** Runs with the arguments after the command name; resolves with the exit code. */
  run(args: readonly string[], context: Context): Promise<number>;
}
