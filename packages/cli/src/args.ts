import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

/** Options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/**
 * `parseArgs` (strict, positionals allowed) with its errors turned into usage errors for
 * `command`, in a short form: `unknown option --x`.
 */
export function parseCommandLine<const T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  args: readonly string[],
  options: T,
): ReturnType<typeof parseArgs<{ args: string[]; options: typeof COMMON_OPTIONS & T; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: [...args], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(usageMessage(error), command);
  }
}

function usageMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof Error && 'code' in error ? (error as { code: unknown }).code : undefined;
  const option = /'(-[^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
    return `unknown option ${option} (to pass a value starting with "-", put it after "--")`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    // "Option '-f, --format <value>' argument missing" → "option --format needs a value"
    const name = /Option '(?:-\w, )?(--[\w-]+)/.exec(message)?.[1];
    if (name !== undefined) return `option ${name} ${message.includes('argument missing') ? 'needs a value' : 'takes no value'}`;
  }
  return message;
}

/** An integer option within `[min, max]`, or a usage error naming it. */
export function integerOption(command: string, name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`, command);
  }
  return value;
}

/** One of `choices`, or a usage error listing them. */
export function choiceOption<const C extends readonly string[]>(command: string, name: string, text: string | undefined, choices: C): C[number] | undefined {
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got ${JSON.stringify(text)}`, command);
  }
  return text as C[number];
}
