import type { Readable, Writable } from 'node:stream';
import { colourEnabled, styleFor, type ColourEnv, type Style } from './style.js';

/** Where a command writes: text with back-pressure, and the styles that suit the stream. */
export interface Output {
  /** Writes `text`; resolves once the stream can take more. */
  write(text: string): Promise<void>;
  /** Colours for this stream (plain when it is not a terminal). */
  readonly style: Style;
}

/** Everything a command touches of the process: its streams and environment. */
export interface Io {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly stdin: Readable & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** An {@link Output} over a Node writable stream. */
export function output(stream: Writable & { readonly isTTY?: boolean }, env: ColourEnv): Output {
  const style = styleFor(colourEnabled(stream.isTTY === true, env));
  return {
    style,
    write(text) {
      if (stream.write(text) || stream.destroyed) return Promise.resolve();
      return new Promise((resolve) => {
        const done = (): void => {
          stream.off('drain', done);
          stream.off('close', done);
          resolve();
        };
        stream.on('drain', done);
        stream.on('close', done);
      });
    },
  };
}

/** The process's own streams and environment. */
export function processIo(): Io {
  const env = process.env;
  return { stdout: output(process.stdout, env), stderr: output(process.stderr, env), stdin: process.stdin, env };
}
