/**
 * One call's life on the wire, byte for byte: a real `@petrichor/rpc` client and server over a
 * memory pipe, every transport write each side makes recorded and printed as an annotated hex
 * dump (the handshake message of spec/rpc.md §1, then qmux messages, spec/qmux.md §2, whose DATA
 * payloads are HEADER,BODY wire messages, spec/wire.md §6). The idents are fixed and nothing on
 * the wire depends on a clock, so the bytes are the same on every run: docs/concepts.md quotes
 * this output and a docs test checks that it still matches.
 *
 *   pnpm exec tsx --conditions=@petrichor/source scripts/wire-trace.ts
 */
import { pathToFileURL } from 'node:url';
import { memoryPipe, type ByteStream } from '@petrichor/mux';
import { Client, Server, type RpcSession } from '@petrichor/rpc';
import { DEFAULT_LIMITS, tnetstringCodec } from '@petrichor/wire';

interface Write {
  readonly from: 'c→s' | 's→c';
  readonly bytes: Uint8Array;
}

/** A stream end that records what its owner writes, then passes it on. */
function recorded(inner: ByteStream, from: Write['from'], writes: Write[]): ByteStream {
  return {
    start: (sink) => inner.start(sink),
    write: (chunk) => {
      writes.push({ from, bytes: chunk.slice() });
      return inner.write(chunk);
    },
    close: () => inner.close(),
  };
}

/** Lets queued microtasks and zero-delay timers run, a bounded number of times. */
async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Runs the handshake and one unary call; returns every write, in order. */
async function record(): Promise<{ writes: Write[]; reply: unknown }> {
  const writes: Write[] = [];
  const [a, b] = memoryPipe();
  const server = new Server({ ident: 'srv1', version: '1.0', welcome: 'welcome' });
  server.route('GET', '/hello/:name', (ctx) => `hello, ${ctx.params['name'] ?? ''}`);
  const served = server.serve(recorded(b, 's→c', writes));
  // One channel opened ahead instead of the default four keeps the trace short (spec/rpc.md §2.4).
  const client = await Client.connect(recorded(a, 'c→s', writes), {
    user: 'ana',
    ident: '5f2b6c0d9e8a4b1c',
    version: '1.0',
    poolSize: 1,
    maxPoolSize: 1,
  });
  const session = (await served) as RpcSession;
  await settle();
  const reply = await client.call('GET', '/hello/ana');
  // The caller's CLOSE follows the reply: wait until both sides hold only the pool's channel.
  for (let i = 0; i < 100 && (client.mux.channelCount !== 1 || session.mux.channelCount !== 1); i++) await settle(1);
  await settle();
  await client.close();
  await server.close({ deadlineMs: 1000 });
  return { writes, reply };
}

// ---- rendering ---------------------------------------------------------------------------------

const hex2 = (byte: number): string => byte.toString(16).padStart(2, '0');
const u32 = (bytes: Uint8Array, at: number): number =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at);
const hex8 = (value: number): string => value.toString(16).padStart(8, '0');
const printable = (byte: number): string => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.');

function size(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n >> 20} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n >> 10} KiB`;
  return `${n}`;
}

/** The tnetstring frames back to back in `bytes` (spec/wire.md §6.2), cut by the codec's own scanner. */
function frames(bytes: Uint8Array): Uint8Array[] {
  const scanner = tnetstringCodec.framing.scanner(DEFAULT_LIMITS);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    scanner.reset(bytes.length, 'maxMessageBytes');
    const end = scanner.feed(bytes, at, bytes.length);
    if (end < 0) throw new Error(`a frame cut short at ${at}`);
    out.push(bytes.subarray(at, end));
    at = end;
  }
  return out;
}

/** HEADER, BODY (and more pairs, for several messages) as hex with a text column, 16 bytes a line. */
function messageLines(bytes: Uint8Array, indent: string): string[] {
  const lines: string[] = [];
  frames(bytes).forEach((element, index) => {
    const label = index % 2 === 0 ? 'HEADER' : 'BODY';
    for (let i = 0; i < element.length; i += 16) {
      const row = element.subarray(i, i + 16);
      const left = `${indent}${(i === 0 ? label : '').padEnd(8)}${[...row].map(hex2).join(' ').padEnd(48)}`;
      lines.push(`${left}${[...row].map(printable).join('')}`);
    }
  });
  return lines;
}

/** One qmux message per line (spec/qmux.md §2.8), DATA followed by its payload; returns the count. */
function qmuxLines(bytes: Uint8Array, lines: string[]): number {
  let at = 0;
  let count = 0;
  while (at < bytes.length) {
    const type = bytes[at] ?? 0;
    const field = (n: number): number => u32(bytes, at + 1 + 4 * n);
    const fields = (n: number): string => Array.from({ length: n }, (_, i) => hex8(field(i))).join(' ');
    let raw: string;
    let note: string;
    let length = 0;
    switch (type) {
      case 100:
        [raw, note, length] = [`64 ${fields(3)}`, `OPEN           sender ${field(0)}, window ${size(field(1))}, max packet ${size(field(2))}`, 13];
        break;
      case 101:
        [raw, note, length] = [`65 ${fields(4)}`, `OPEN_CONFIRM   to ${field(0)}, sender ${field(1)}, window ${size(field(2))}, max packet ${size(field(3))}`, 17];
        break;
      case 102:
        [raw, note, length] = [`66 ${fields(1)}`, `OPEN_FAILURE   to ${field(0)}`, 5];
        break;
      case 103:
        [raw, note, length] = [`67 ${fields(2)}`, `WINDOW_ADJUST  to ${field(0)}, +${field(1)}`, 9];
        break;
      case 104:
        [raw, note, length] = [`68 ${fields(2)}`, `DATA           to ${field(0)}, ${field(1)} bytes:`, 9 + field(1)];
        break;
      case 105:
        [raw, note, length] = [`69 ${fields(1)}`, `EOF            to ${field(0)}`, 5];
        break;
      case 106:
        [raw, note, length] = [`6a ${fields(1)}`, `CLOSE          to ${field(0)}`, 5];
        break;
      default:
        throw new Error(`not a qmux message: type ${type} at ${at}`);
    }
    lines.push(`     ${raw.padEnd(40)}${note}`);
    if (type === 104) lines.push(...messageLines(bytes.subarray(at + 9, at + length), '       '));
    at += length;
    count++;
  }
  return count;
}

/** Each write as a block: a title line, then its bytes annotated. */
function render(writes: readonly Write[]): string[] {
  const handshakes = new Set<string>();
  return writes.map((write, index) => {
    const title = `${write.from}  write ${index + 1}, ${write.bytes.length} bytes`;
    if (!handshakes.has(write.from)) {
      handshakes.add(write.from);
      const what = write.from === 'c→s' ? 'the hello (spec/rpc.md §1.1)' : 'the answer (spec/rpc.md §1.3)';
      return [`${title}: ${what}`, ...messageLines(write.bytes, '     ')].join('\n');
    }
    const lines: string[] = [];
    const count = qmuxLines(write.bytes, lines);
    return [`${title}: ${count} qmux message${count === 1 ? '' : 's'}`, ...lines].join('\n');
  });
}

/** The trace: one annotated block per transport write, in the order they were made. */
export async function wireTrace(): Promise<string[]> {
  const { writes, reply } = await record();
  if (reply !== 'hello, ana') throw new Error(`unexpected reply ${String(reply)}`);
  return render(writes);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log((await wireTrace()).join('\n\n'));
}
