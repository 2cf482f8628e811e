/**
 * Keeps the benchmark from rotting: every candidate of packages/rpc/bench serves and echoes once
 * per scenario shape, on small sizes, both ends in this process. Speed is not measured here.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { frameReader } from '../bench/floor.js';
import { dial, serve } from '../bench/serve.js';
import { body, check, type Client, type ClientSpec, type Server } from '../bench/workload.js';

const SPECS: [string, ClientSpec][] = [
  ['floor', { kind: 'floor' }],
  ['ours (tnetstring)', { kind: 'ours', codec: 'tnetstring' }],
  ['ours (msgpack)', { kind: 'ours', codec: 'msgpack' }],
  ['ours (sexpr)', { kind: 'ours', codec: 'sexpr' }],
  ['grpc-js', { kind: 'grpc' }],
  ['capnweb', { kind: 'capnweb' }],
  ['json-rpc-2.0', { kind: 'jsonrpc' }],
];

describe.each(SPECS)('bench candidate %s (issue 4 benchmark)', (_name, spec) => {
  let server: Server;
  let client: Client;
  beforeAll(async () => {
    server = await serve(spec.kind);
    client = await dial(spec, server.port);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  test('echoes a 64-byte body exactly', async () => {
    const sent = body(64);
    const got = await client.echo(sent);
    expect(got.byteLength).toBe(64);
    check(sent, got, spec.kind);
  });

  test('answers concurrent callers each with their own body', async () => {
    const sent = Array.from({ length: 20 }, (_, i) => body(1024 + i));
    const got = await Promise.all(sent.map((b) => client.echo(b)));
    got.forEach((g, i) => check(sent[i]!, g, spec.kind));
  });

  test('echoes a 256 KiB body exactly', async () => {
    const sent = body(256 * 1024);
    check(sent, await client.echo(sent), spec.kind);
  });
});

describe('bench floor: length-prefixed frames', () => {
  test('come out whole and in order however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), (frames, cuts) => {
        const stream = new Uint8Array(frames.reduce((n, f) => n + 4 + f.length, 0));
        let at = 0;
        for (const f of frames) {
          new DataView(stream.buffer).setUint32(at, f.length);
          stream.set(f, at + 4);
          at += 4 + f.length;
        }
        const out: Uint8Array[] = [];
        const feed = frameReader((frame) => out.push(frame.slice()));
        for (let from = 0, i = 0; from < stream.length; i++) {
          const to = Math.min(stream.length, from + cuts[i % cuts.length]!);
          feed(stream.subarray(from, to));
          from = to;
        }
        expect(out).toEqual(frames);
      }),
      { numRuns: 200 },
    );
  });
});
