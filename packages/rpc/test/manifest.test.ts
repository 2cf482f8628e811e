import { memoryPipe, type ByteStream } from '@petrichor/mux';
import type { CodecName } from '@petrichor/wire';
import { afterEach, describe, expect, test } from 'vitest';
import { Client, Server } from '../src/all.js';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).reverse().map((thing) => thing.close()));
});

const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
const text = (t: string): Uint8Array => new TextEncoder().encode(t);

/**
 * The vectors of spec/rpc.md §7.3: `GET /manifest` on the control interface of a server named
 * `blog`, version `1.0`, with one route `GET /posts/:id` ("one post"): the request message, and
 * the reply message, in each codec.
 */
const VECTORS: Record<CodecName, { request: Uint8Array; reply: Uint8Array }> = {
  tnetstring: {
    request: text('50:4:verb,3:GET,4:path,9:/manifest,5:iface,7:control,}0:~'),
    reply: text(
      '15:6:status,3:200#}382:4:name,4:blog,7:version,3:1.0,10:interfaces,333:' +
        '147:4:name,4:data,7:purpose,0:,9:direction,9:send+recv,8:fallback,5:false!6:routes,64:' +
        '60:4:verb,3:GET,4:path,10:/posts/:id,11:description,8:one post,}]}' +
        '176:4:name,7:control,7:purpose,21:describes this server,9:direction,9:send+recv,8:fallback,5:false!6:routes,68:' +
        '64:4:verb,3:GET,4:path,9:/manifest,11:description,13:this manifest,}]}]}',
    ),
  },
  sexpr: {
    request: text('34:(GET "/manifest" :iface "control"),3:nil,'),
    reply: text(
      '13:{:status 200},337:{:name "blog" :version "1.0" :interfaces (' +
        '{:name "data" :purpose "" :direction "send+recv" :fallback false :routes ({:verb "GET" :path "/posts/:id" :description "one post"})} ' +
        '{:name "control" :purpose "describes this server" :direction "send+recv" :fallback false :routes ({:verb "GET" :path "/manifest" :description "this manifest"})})},',
    ),
  },
  msgpack: {
    request: hex('83a476657262a3474554a470617468a92f6d616e6966657374a56966616365a7636f6e74726f6cc0'),
    reply: hex(
      '81a6737461747573ccc8' +
        '83a46e616d65a4626c6f67a776657273696f6ea3312e30aa696e74657266616365739285a46e616d65a464617461a7707572706f7365a0' +
        'a9646972656374696f6ea973656e642b72656376a866616c6c6261636bc2a6726f757465739183a476657262a3474554a470617468aa2f' +
        '706f7374732f3a6964ab6465736372697074696f6ea86f6e6520706f737485a46e616d65a7636f6e74726f6ca7707572706f7365b56465' +
        '73637269626573207468697320736572766572a9646972656374696f6ea973656e642b72656376a866616c6c6261636bc2a6726f757465' +
        '739183a476657262a3474554a470617468a92f6d616e6966657374ab6465736372697074696f6ead74686973206d616e6966657374',
    ),
  },
};

/** `stream` with every byte written through it kept in `sent`. */
function recording(stream: ByteStream, sent: Uint8Array[]): ByteStream {
  return {
    start: (sink) => stream.start(sink),
    write(chunk) {
      sent.push(chunk.slice());
      return stream.write(chunk);
    },
    writev(chunks) {
      for (const chunk of chunks) sent.push(chunk.slice());
      return stream.writev !== undefined ? stream.writev(chunks) : stream.write(concat(chunks));
    },
    close: () => stream.close(),
  };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

describe('spec/rpc.md §7.3 the manifest on the wire', () => {
  for (const codec of ['tnetstring', 'sexpr', 'msgpack'] as CodecName[]) {
    test(`GET /manifest and its reply, byte for byte (${codec})`, async () => {
      const server = new Server({ name: 'blog', version: '1.0' });
      server.route('GET', '/posts/:id', () => null, { description: 'one post' });
      open.push(server);
      const [a, b] = memoryPipe();
      const fromClient: Uint8Array[] = [];
      const fromServer: Uint8Array[] = [];
      void server.serve(recording(b, fromServer));
      const client = await Client.connect(recording(a, fromClient), { user: 'ops', codec, interface: 'control' });
      open.push(client);
      const manifest = await client.manifest();
      expect(manifest.interfaces.map((i) => i.name)).toEqual(['data', 'control']);
      // Each message travels whole in one qmux DATA payload: its bytes appear as they are.
      expect(contains(concat(fromClient), VECTORS[codec].request)).toBe(true);
      expect(contains(concat(fromServer), VECTORS[codec].reply)).toBe(true);
    });
  }
});
