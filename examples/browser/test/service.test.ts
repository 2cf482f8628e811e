/**
 * The notes service over a real ws:// listener on loopback, called from Node without a browser
 * (spec/rpc.md §2 calls, §2.4 streams, §4 errors), and the page's text rendering of what it returns.
 */
import { Client, HandshakeDeniedError, RpcError, type Server } from '@petrichor/rpc';
import { connect, listen, type Listener } from '@petrichor/transport/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errForm, showError, showValue } from '../src/render.js';
import { notesService } from '../src/service.js';

describe('the notes service over ws://', () => {
  const logged: string[] = [];
  let service: Server;
  let listener: Listener;
  let client: Client;

  beforeAll(async () => {
    service = notesService({ tickMs: 20, maxTicks: 10, maxNoteLength: 50, log: (line) => logged.push(line) });
    listener = await listen('ws://127.0.0.1:0/rpc', (stream) => void service.serve(stream));
    client = await Client.connect(await connect(listener.url), { user: 'ana', version: '1.0' });
  });
  afterAll(async () => {
    await client?.close();
    await service?.close({ deadlineMs: 0 });
    await listener?.close({ graceMs: 0 });
  });

  /** The RpcError a call rejects with. */
  async function failure(call: Promise<unknown>): Promise<RpcError> {
    const error: unknown = await call.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    return error as RpcError;
  }

  it('welcomes the user the handshake names', () => {
    expect(client.welcome).toBe('welcome, ana');
  });

  it('adds a note and reads it back; the page shows it as s-expression text', async () => {
    const added = await client.call('POST', '/notes', 'petrichor: the smell of "rain"');
    expect(added).toEqual({ id: 1, text: 'petrichor: the smell of "rain"', by: 'ana' });
    expect(await client.call('GET', '/notes/1')).toEqual(added);
    expect(showValue(added)).toBe('{:id 1 :text "petrichor: the smell of \\"rain\\"" :by "ana"}');
  });

  it('fails a missing note with 404, shown as (err :code 404 :message …)', async () => {
    const error = await failure(client.call('GET', '/notes/99'));
    expect(error.code).toBe(404);
    expect(error.message).toBe('no note 99');
    expect(showError(error)).toEqual({ code: '404', text: '(err :code 404 :message "no note 99")' });
    expect((await failure(client.call('GET', '/notes/01'))).code).toBe(404);
    expect((await failure(client.call('GET', '/nowhere'))).code).toBe(404); // no route at all
  });

  it('refuses bad notes and tick counts with 400 and 413', async () => {
    expect((await failure(client.call('POST', '/notes', '   '))).code).toBe(400);
    expect((await failure(client.call('POST', '/notes', 7))).code).toBe(400);
    expect((await failure(client.call('POST', '/notes', 'x'.repeat(51)))).code).toBe(413);
    for (const n of ['0', '11', '2.5', 'many']) {
      expect((await failure(client.call('GET', `/ticks/${n}`))).code).toBe(400);
    }
  });

  it('streams ticks one by one, in order', async () => {
    const ticks: unknown[] = [];
    for await (const item of client.stream('GET', '/ticks/4')) ticks.push((item as { tick: number }).tick);
    expect(ticks).toEqual([1, 2, 3, 4]);
  });

  it('stops the ticker when the caller cancels', async () => {
    const controller = new AbortController();
    const seen: unknown[] = [];
    const error = await failure(
      (async () => {
        for await (const item of client.stream('GET', '/ticks/10', null, { signal: controller.signal })) {
          seen.push(item);
          controller.abort();
        }
      })(),
    );
    expect(error.code).toBe(499);
    expect(seen).toHaveLength(1);
    for (let i = 0; i < 100 && !logged.some((line) => line.startsWith('CANCELLED ana ticks')); i++) await new Promise((r) => setTimeout(r, 20));
    expect(logged).toContainEqual(expect.stringMatching(/^CANCELLED ana ticks after [12] of 10$/));
  });

  it('denies a client that names nobody, at the handshake', async () => {
    const error: unknown = await connect(listener.url).then((stream) => Client.connect(stream, { user: ' ' })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HandshakeDeniedError);
    expect(showError(error)).toEqual({ code: 'RPC_HANDSHAKE_DENIED', text: 'RPC_HANDSHAKE_DENIED 400: say who you are: a user name is required' });
  });
});

describe('render', () => {
  it('shows values without an s-expression form (bytes) as JSON', () => {
    expect(showValue({ blob: new Uint8Array(3), n: 2n })).toBe('{"blob":"<3 bytes>","n":"2"}');
  });

  it('keeps an error’s data in its (err …) form when it has one', () => {
    expect(errForm(RpcError.notFound('gone', { id: 9 }))).toBe('(err :code 404 :message "gone" :data {:id 9})');
    expect(errForm(RpcError.notFound('gone', new Uint8Array(2)))).toBe('(err :code 404 :message "gone")');
  });

  it('shows other errors by their stable code', () => {
    const lost = Object.assign(new Error('the peer went away'), { code: 'RPC_CONNECTION_LOST' });
    expect(showError(lost)).toEqual({ code: 'RPC_CONNECTION_LOST', text: 'RPC_CONNECTION_LOST: the peer went away' });
    expect(showError('odd')).toEqual({ code: 'ERROR', text: 'ERROR: odd' });
  });
});
