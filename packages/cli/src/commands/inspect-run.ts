import type { Codec, CodecName } from '@petrichor/wire';
import { choiceOption, integerOption, parseCommandLine } from '../args.js';
import type { Context } from '../command.js';
import { UsageError, badInput } from '../errors.js';
import { EXIT } from '../exit.js';
import { ChannelMessages } from '../inspect/channels.js';
import { detect, isFramed } from '../inspect/detect.js';
import { readSource, type Source } from '../inspect/input.js';
import { inspectMessages } from '../inspect/message.js';
import { inspectMsgpack } from '../inspect/msgpack.js';
import { inspectQmux } from '../inspect/qmux.js';
import { failureLines, headline, reportJson, tableLines } from '../inspect/render.js';
import { FORMATS, type Format, type Report, type ShowOptions } from '../inspect/report.js';
import { inspectFrames, inspectText } from '../inspect/sexpr.js';
import { inspectSession } from '../inspect/session.js';
import { inspectTnetstrings } from '../inspect/tnetstring.js';
import { DEFAULT_MAX_INPUT, PREVIEW } from './inspect-defaults.js';

const CODEC_NAMES = ['tnetstring', 'sexpr', 'msgpack'] as const;

/** `petrichor inspect ARGS…` (its help is in `inspect.ts`). */
export async function runInspect(args: readonly string[], context: Context): Promise<number> {
  const { values, positionals } = parseCommandLine('inspect', args, {
    hex: { type: 'string' },
    format: { type: 'string', short: 'f' },
    codec: { type: 'string', short: 'c' },
    json: { type: 'boolean' },
    full: { type: 'boolean' },
    'max-input': { type: 'string' },
  });
  if (positionals.length > 1) throw new UsageError(`expected at most one FILE, got ${positionals.length}`, 'inspect');
  const given = choiceOption('inspect', 'format', values.format, FORMATS);
  const codecName = choiceOption('inspect', 'codec', values.codec, CODEC_NAMES);
  if (codecName !== undefined && given !== undefined && given !== 'message' && given !== 'qmux') {
    throw new UsageError(`--codec applies to --format message and qmux, not ${given}`, 'inspect');
  }
  const maxInput = integerOption('inspect', 'max-input', values['max-input'], DEFAULT_MAX_INPUT, 1, 2 ** 31 - 1);
  const source = sourceOf(positionals[0], values.hex, context);
  const bytes = await readSource(source, context.io.stdin, maxInput);
  if (bytes.length === 0) throw badInput('no input: nothing to inspect');

  const show: ShowOptions = { preview: values.full === true ? Infinity : PREVIEW };
  const detected = given === undefined && codecName === undefined ? detect(bytes) : undefined;
  const format: Format = given ?? detected?.format ?? 'message';
  // Messages are read as rpc sessions write them: with sexpr, request HEADERs in the call form
  // (spec/rpc.md §9). Only these formats need the rpc package: load it only for them.
  const rpc = needsRpc(format, codecName) ? await import('@petrichor/rpc') : undefined;
  const report = decode(bytes, format, codecName, rpc?.sessionCodec, show, detected?.why);

  const { stdout, stderr } = context.io;
  if (values.json === true) {
    await stdout.write(reportJson(report, bytes.length) + '\n');
  } else {
    const lines = [headline(report, bytes.length, stdout.style), ...(report.nodes.length > 0 ? tableLines(report, stdout.style) : [])];
    await stdout.write(lines.join('\n') + '\n');
  }
  if (report.failure === undefined) return EXIT.ok;
  const [first, ...dump] = failureLines(report.failure, bytes, stderr.style);
  await stderr.write([`petrichor: ${first!}`, ...dump].join('\n') + '\n');
  return EXIT.badInput;
}

function sourceOf(file: string | undefined, hex: string | undefined, context: Context): Source {
  if (hex !== undefined) {
    if (file !== undefined) throw new UsageError('give FILE or --hex, not both', 'inspect');
    return hex === '-' ? { kind: 'stdin-hex' } : { kind: 'hex', text: hex };
  }
  if (file !== undefined && file !== '-') return { kind: 'file', path: file };
  if (file === undefined && context.io.stdin.isTTY === true) {
    throw new UsageError('no input: give a FILE, - for standard input, or --hex TEXT', 'inspect');
  }
  return { kind: 'stdin' };
}

function needsRpc(format: Format, codecName: CodecName | undefined): boolean {
  return format === 'message' || format === 'session' || (format === 'qmux' && codecName !== undefined);
}

function decode(
  bytes: Uint8Array,
  format: Format,
  codecName: CodecName | undefined,
  sessionCodec: ((name: CodecName) => Codec) | undefined,
  show: ShowOptions,
  detected: string | undefined,
): Report {
  const about = detected === undefined ? {} : { detected };
  switch (format) {
    case 'tnetstring':
      return { format, ...about, tagHeading: 'LEN', heading: 'element', ...inspectTnetstrings(bytes, show) };
    case 'msgpack':
      return { format, ...about, tagHeading: 'head', heading: 'value', ...inspectMsgpack(bytes, show) };
    case 'sexpr':
      return isFramed(bytes)
        ? { format, variant: 'frames', ...about, tagHeading: 'LEN', heading: 'frame', ...inspectFrames(bytes, show) }
        : { format, variant: 'text', ...about, heading: 'datum', ...inspectText(bytes, show) };
    case 'message': {
      const name = codecName ?? 'tnetstring';
      const { nodes, failure } = inspectMessages(bytes, sessionCodec!(name), show);
      return { format, variant: `(${name})`, ...about, heading: 'message', nodes, ...(failure === undefined ? {} : { failure }) };
    }
    case 'qmux': {
      const channels = codecName === undefined ? undefined : new ChannelMessages(sessionCodec!(codecName), show);
      const variant = codecName === undefined ? {} : { variant: `(channels in ${codecName})` };
      return { format, ...variant, ...about, tagHeading: 'type', heading: 'message', ...inspectQmux(bytes, show, channels) };
    }
    case 'session':
      return { format, ...about, tagHeading: 'type', heading: 'piece', ...inspectSession(bytes, show, sessionCodec!) };
  }
}
