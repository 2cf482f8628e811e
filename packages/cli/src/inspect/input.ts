import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CliError, badInput } from '../errors.js';
import { parseHex } from './hex.js';

/** Where `inspect` takes its bytes from. */
export type Source = { kind: 'file'; path: string } | { kind: 'stdin' } | { kind: 'hex'; text: string } | { kind: 'stdin-hex' };

/**
 * Reads the whole input, refusing more than `maxBytes` (checked from a file's size before
 * reading it, and chunk by chunk on stdin, so an endless pipe cannot fill memory).
 */
export async function readSource(source: Source, stdin: Readable, maxBytes: number): Promise<Uint8Array> {
  switch (source.kind) {
    case 'hex':
      return parseHex(source.text);
    case 'stdin-hex':
      // Hex text takes two characters (and spacing) per byte.
      return parseHex(new TextDecoder().decode(await readStream(stdin, maxBytes * 3 + 64, 'standard input')));
    case 'stdin':
      return readStream(stdin, maxBytes, 'standard input');
    case 'file':
      return readFile(source.path, maxBytes);
  }
}

async function readFile(path: string, maxBytes: number): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw badInput(`cannot read ${path}: ${systemMessage(error)}`, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw tooLarge(path, maxBytes);
    const bytes = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return bytes.subarray(0, filled);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw badInput(`cannot read ${path}: ${systemMessage(error)}`, { cause: error });
  } finally {
    await handle.close();
  }
}

async function readStream(stream: Readable, maxBytes: number, name: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    total += bytes.length;
    if (total > maxBytes) {
      stream.destroy();
      throw tooLarge(name, maxBytes);
    }
    chunks.push(bytes);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function tooLarge(name: string, maxBytes: number): Error {
  return badInput(`${name} is larger than --max-input (${maxBytes} bytes)`);
}

/** `ENOENT: no such file or directory, open 'x'` → `no such file or directory`. */
function systemMessage(error: unknown): string {
  if (error instanceof Error) {
    const match = /^[A-Z]+: ([^,]+)/.exec(error.message);
    return match === null ? error.message : match[1]!;
  }
  return String(error);
}
