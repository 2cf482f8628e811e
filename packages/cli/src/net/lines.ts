import type { Readable } from 'node:stream';
import { CliError } from '../errors.js';
import { EXIT } from '../exit.js';

/**
 * The lines of `input` (without their LF or CRLF), as they arrive. A line longer than `maxBytes`
 * is an error as soon as that many bytes are buffered without a newline: an endless line cannot
 * fill memory.
 */
export async function* readLines(input: Readable, maxBytes: number): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let partial = '';
  let n = 0;
  for await (const chunk of input as AsyncIterable<Uint8Array>) {
    const text = partial + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      n++;
      yield text.slice(start, end > start && text[end - 1] === '\r' ? end - 1 : end);
      start = end + 1;
    }
    partial = text.slice(start);
    if (partial.length > maxBytes) throw new CliError(EXIT.badInput, `line ${n + 1} of standard input is longer than ${maxBytes} bytes`);
  }
  partial += decoder.decode();
  if (partial !== '') yield partial;
}
