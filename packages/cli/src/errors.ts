import { EXIT, type ExitCode } from './exit.js';

/**
 * A failure the command reports and exits on: printed as one line (`petrichor: message`) plus
 * optional detail lines, never with a stack trace (unless `--debug`).
 */
export class CliError extends Error {
  /** The process exit code. */
  readonly exitCode: ExitCode;
  /** A stable code to print first, when there is one (`WIRE_MALFORMED`, `404`…). */
  readonly code: string | undefined;
  /** Lines printed under the message: a hex dump, a hint. */
  readonly details: readonly string[];
  constructor(exitCode: ExitCode, message: string, options: { code?: string; details?: readonly string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = exitCode;
    this.code = options.code;
    this.details = options.details ?? [];
  }
  override get name(): string {
    return this.constructor.name;
  }
}

/** The command line is wrong (exit 2); the command's usage line is printed after the message. */
export class UsageError extends CliError {
  /** The command whose usage to show, or undefined for the top-level one. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(EXIT.usage, message);
    this.command = command;
  }
}

/** The input is bad (exit 4). */
export function badInput(message: string, options?: { code?: string; details?: readonly string[]; cause?: unknown }): CliError {
  return new CliError(EXIT.badInput, message, options);
}

/** The stable `code` string of an error from our packages (`WIRE_*`, `MUX_*`, `RPC_*`, `TRANSPORT_*`), if any. */
export function codeOf(error: unknown): string | undefined {
  if (error instanceof Error && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') return String(code);
  }
  return undefined;
}
