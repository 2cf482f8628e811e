/**
 * What the page in headless Chromium runs (bundled by esbuild at test time from the browser-safe
 * entries): a mux Session over the browser's own WebSocket to the Node server under test.
 */
import { Session, type Channel } from '@petrichor/mux';
import { Client, RpcError } from '@petrichor/rpc';
import { connect } from '@petrichor/transport';

/** What `run` reports back to the test. */
export interface PageReport {
  /** Per echo: bytes sent, bytes back, and whether they were the same. */
  echoes: { size: number; back: number; same: boolean }[];
  /** Channels the server opened that the page echoed. */
  served: number;
  /** Whether the bundle saw any Node global (it must not). */
  nodeGlobals: boolean;
  /** A keepalive ping's round trip, ms. */
  rtt: number;
  error?: string;
}

/** What `call` reports back: an rpc call's answer and an error's code, from the browser. */
export interface CallReport {
  answer: unknown;
  missing: { code: number; message: string } | string;
  error?: string;
}

function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

async function readAll(channel: Channel): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (let chunk = await channel.read(); chunk !== null; chunk = await channel.read()) {
    chunks.push(chunk.slice());
    length += chunk.byteLength;
  }
  const all = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function run(url: string, sizes: number[], serverChannels: number): Promise<PageReport> {
  const report: PageReport = { echoes: [], served: 0, rtt: -1, nodeGlobals: typeof (globalThis as { process?: unknown }).process !== 'undefined' };
  try {
    // A 64 KiB high-water mark so the larger echoes exercise the bufferedAmount polling.
    const session = new Session(await connect(url, { highWaterMark: 64 * 1024 }));
    const served = (async () => {
      for (let i = 0; i < serverChannels; i++) {
        const channel = await session.accept();
        for await (const chunk of channel) await channel.write(chunk);
        await channel.closeWrite();
        report.served++;
      }
    })();
    report.echoes = await Promise.all(
      sizes.map(async (size, i) => {
        const channel = await session.open();
        const sent = pattern(size, i);
        const back = readAll(channel);
        await channel.write(sent);
        await channel.closeWrite();
        const received = await back;
        await channel.close();
        return { size, back: received.byteLength, same: same(sent, received) };
      }),
    );
    await served;
    report.rtt = await session.ping();
    session.close();
  } catch (error) {
    report.error = String(error);
  }
  return report;
}

/** An rpc client in the page calls the Node service over the same kind of WebSocket. */
async function call(url: string, name: string): Promise<CallReport> {
  const report: CallReport = { answer: null, missing: '' };
  try {
    const client = await Client.connect(await connect(url), { user: 'chromium' });
    report.answer = await client.call('GET', `/hello/${name}`);
    report.missing = await client.call('GET', '/nowhere').then(
      () => 'answered',
      (error: unknown) => (error instanceof RpcError ? { code: error.code, message: error.message } : String(error)),
    );
    await client.close();
  } catch (error) {
    report.error = String(error);
  }
  return report;
}

(globalThis as { petrichor?: unknown }).petrichor = { run, call };
