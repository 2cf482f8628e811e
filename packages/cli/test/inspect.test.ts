import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryPipe, type ByteStream } from '@petrichor/mux';
import { Client, Server } from '@petrichor/rpc/all';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bytesOf, killAll, run } from './run.js';

vi.setConfig({ testTimeout: 60_000 });
afterEach(killAll);

/** The byte offset the caret of a hex dump points at (the row above the caret line, the column of `^^`). */
function caretOffset(stderr: string): number {
  const lines = stderr.split('\n');
  const caret = lines.findIndex((line) => /^ +\^\^/.test(line));
  expect(caret, stderr).toBeGreaterThan(0);
  const row = lines[caret - 1]!;
  const rowStart = Number.parseInt(row.slice(0, 8), 16);
  const column = lines[caret]!.indexOf('^^');
  for (let i = 0; i < 17; i++) {
    if (10 + i * 3 + (i >= 8 ? 1 : 0) === column) return rowStart + i;
  }
  throw new Error(`caret at column ${column} is under no byte`);
}

/** `inspect --hex HEX ARGS…` */
function inspect(hex: string, ...args: string[]) {
  return run(['inspect', '--hex', hex, ...args]);
}

/** Expects exit 4 and a failure `code` at `offset`, the caret under that byte. */
async function expectFailure(result: Promise<{ code: number | null; stderr: string }>, code: string, offset: number, reason?: RegExp) {
  const { code: exit, stderr } = await result;
  expect(exit, stderr).toBe(4);
  expect(stderr).toMatch(new RegExp(`^petrichor: ${code} at byte ${offset}[: ]`));
  if (reason !== undefined) expect(stderr.split('\n')[0]).toMatch(reason);
  expect(caretOffset(stderr)).toBe(offset);
}

describe('inspect: tnetstrings (spec/wire.md §2)', () => {
  it('§2.1 every type byte, nested elements indented under their list or dict, with offsets, sizes and LEN', async () => {
    // 5:hello, 2:42# 3:1.5^ 4:true! 0:~ 8:1:1#1:2#] 9:1:a,2:42#}
    const { code, stdout, stderr } = await run(['inspect'], { stdin: '5:hello,2:42#3:1.5^4:true!0:~8:1:1#1:2#]9:1:a,2:42#}' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'tnetstring, 52 bytes (detected: a length prefix "5:")',
        'offset  size  LEN  element',
        '     0     8    5  bytes "hello"',
        '     8     5    2  integer 42',
        '    13     6    3  float 1.5',
        '    19     7    4  boolean true',
        '    26     3    0  null nil',
        '    29    11    8  list 2 items',
        '    31     4    1    integer 1',
        '    35     4    1    integer 2',
        '    40    12    9  dict 1 pair',
        '    42     4    1    key "a"',
        '    46     5    2    integer 42',
        '',
      ].join('\n'),
    );
  });

  it('§6.2 the example message read as two tnetstrings, the dict inside the list at its own offset', async () => {
    const { code, stdout } = await inspect(
      '32 30 3a 32 3a 6f 70 2c 33 3a 47 45 54 2c 32 3a 69 64 2c 31 3a 37 23 7d 32 36 3a 36 3a 2f 75 73 65 72 73 2c 31 33 3a 35 3a 6c 69 6d 69 74 2c 32 3a 31 30 23 7d 5d',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('    24    30   26  list 2 items\n    27     9    6    bytes "/users"\n    36    17   13    dict 1 pair\n    39     8    5      key "limit"\n    47     5    2      integer 10\n');
  });

  it('§2.2 bytes that are not UTF-8 show as hex; long values are cut unless --full', async () => {
    const long = 'x'.repeat(100);
    const [binary, cut, full] = await Promise.all([
      inspect('34 3a 00 ff c3 28 2c'),
      run(['inspect'], { stdin: `100:${long},` }),
      run(['inspect', '--full'], { stdin: `100:${long},` }),
    ]);
    expect(binary.stdout).toContain('     0     7    4  bytes <00 ff c3 28>\n');
    expect(cut.stdout).toContain(`bytes "${'x'.repeat(64)}" … (36 more bytes)\n`);
    expect(full.stdout).toContain(`bytes "${long}"\n`);
  });

  it.each([
    ['§2.6 a child running past its list', '4:9:a]]', 2, /element runs past the end of its list or dict/],
    ['§2.6 a dict value that is not an element', '5:1:a,x]', 6, /expected a length digit/],
    ['§2.6 a dict key that is not a byte string', '8:1:1#1:a,}', 5, undefined],
    ['§2.6 a duplicate dict key', '16:1:a,1:1#1:a,1:2#}', 11, /duplicate dict key/],
    ['§1.1 a leading zero in the length', '05:hello,', 0, /leading zero in length/],
  ])('%s is WIRE_MALFORMED at the offending byte: %s', async (_, text, offset, reason) => {
    await expectFailure(run(['inspect', '--format', 'tnetstring'], { stdin: text }), 'WIRE_MALFORMED', offset, reason);
  });

  it('elements before an error are still shown; the input ending inside one is WIRE_TRUNCATED at its start', async () => {
    const result = run(['inspect'], { stdin: '1:1#5:hel' });
    await expectFailure(result, 'WIRE_TRUNCATED', 4);
    expect((await result).stdout).toContain('     0     4    1  integer 1\n');
  });

  it('--json: the same tree, with offsets, sizes, LEN and values; errors as {code, message, offset}', async () => {
    const [good, bad] = await Promise.all([inspect('38 3a 31 3a 31 23 31 3a 61 2c 5d', '--json'), run(['inspect', '--json'], { stdin: '1:1#1:x?' })]);
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toEqual({
      format: 'tnetstring',
      detected: 'a length prefix "8:"',
      size: 11,
      elements: [
        {
          offset: 0,
          size: 11,
          kind: 'list',
          type: 'list',
          len: 8,
          children: [
            { offset: 2, size: 4, kind: 'integer', type: 'integer', len: 1, value: 1 },
            { offset: 6, size: 4, kind: 'bytes', type: 'bytes', len: 1, value: 'a' },
          ],
        },
      ],
      error: null,
    });
    expect(bad.code).toBe(4);
    const document = JSON.parse(bad.stdout) as { elements: unknown[]; error: unknown };
    expect(document.elements).toHaveLength(1);
    expect(document.error).toEqual({ code: 'WIRE_MALFORMED', message: expect.stringMatching(/type/) as unknown, offset: 7 });
  });
});

describe('inspect: s-expressions (spec/wire.md §3)', () => {
  it('§3.10 netstring frames: each frame with its LEN and its datum in canonical text', async () => {
    const hex = [
      '33 36 3a 28 65 72 72 20 3a 63 6f 64 65 20 34 30 34 20 3a 6d 65 73 73 61 67 65 20 22 6e 6f 74 20 66 6f 75 6e 64 22 29 2c',
      '38 3a 7b 3a 69 64 20 34 32 7d 2c',
      '31 34 3a 28 73 61 79 20 22 68 c3 a9 6c 6c 6f 22 29 2c',
    ].join(' ');
    const { code, stdout } = await inspect(hex);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'sexpr frames, 69 bytes (detected: a length prefix "36:" and an s-expression inside)',
        'offset  size  LEN  frame',
        '     0    40   36  frame (err :code 404 :message "not found")',
        '    40    11    8  frame {:id 42}',
        '    51    18   14  frame (say "héllo")',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['a byte other than "," after the payload', '5:hello!', 'WIRE_MALFORMED', 7],
    ['a payload that is not one datum: the offset is in the input, not the payload', '2:ab,6:(a 1.),', 'WIRE_MALFORMED', 12],
    ['an empty payload (a frame, not a message)', '0:,', 'WIRE_MALFORMED', 2],
    ['a frame cut short', '8:{:id 42', 'WIRE_TRUNCATED', 0],
  ])('§3.10 %s', async (_, text, code, offset) => {
    await expectFailure(run(['inspect', '--format', 'sexpr'], { stdin: text }), code, offset);
  });

  it('§3.9 plain text: every datum in canonical text; an error gives its line and column', async () => {
    const [good, bad] = await Promise.all([
      run(['inspect'], { stdin: '(GET "/q"  :params {:id 42}) ; a comment\n#;(dropped) 1.0' }),
      run(['inspect'], { stdin: '(a\n  1.)' }),
    ]);
    expect(good.code).toBe(0);
    expect(good.stdout).toBe('sexpr text, 56 bytes (detected: text starting with "(")\ndatum\ndatum (GET "/q" :params {:id 42})\ndatum 1.0\n');
    await expectFailure(Promise.resolve(bad), 'WIRE_MALFORMED', 7, /a float needs a digit after its "\." \(line 2, column 5 of the text\)/);
  });
});

describe('inspect: msgpack (spec/wire.md §4)', () => {
  it('§4.1 each value with its head byte and format, nested items indented', async () => {
    const { code, stdout } = await inspect('82 a2 6f 70 a3 47 45 54 a2 69 64 07 93 c0 c3 cb 3f f8 00 00 00 00 00 00 c4 02 00 ff');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'msgpack, 28 bytes (detected: the first byte, 0x82 (fixmap), starts no other format)',
        'offset  size  head  value',
        '     0    12    82  fixmap 2 pairs',
        '     1     3    a2    key "op" (fixstr)',
        '     4     4    a3    fixstr "GET"',
        '     8     3    a2    key "id" (fixstr)',
        '    11     1    07    positive fixint 7',
        '    12    12    93  fixarray 3 items',
        '    13     1    c0    nil nil',
        '    14     1    c3    true true',
        '    15     9    cb    float 64 1.5',
        '    24     4    c4  bin 8 <00 ff>',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['c1 is never used', 'c1', 'WIRE_MALFORMED', 0],
    ['ext types are refused', 'd6 ff 00 00 00 00', 'WIRE_MALFORMED', 0],
    ['a map key that is not a str', '81 01 02', 'WIRE_MALFORMED', 1],
    ['a str that is not UTF-8', 'a2 c3 28', 'WIRE_MALFORMED', 2],
    ['a bin 32 claiming 4 GiB, from its header', 'c6 ff ff ff ff', 'WIRE_LIMIT', 0],
    ['an array cut short', '92 01', 'WIRE_TRUNCATED', 0],
    ['an error in a second value, at its offset in the input', 'c0 c0 81 01 02', 'WIRE_MALFORMED', 3],
  ])('§4.2 %s', async (_, hex, code, offset) => {
    await expectFailure(inspect(hex, '--format', 'msgpack'), code, offset);
  });
});

describe('inspect: messages (spec/wire.md §6)', () => {
  const body = [
    '     0    54  message #1',
    '     0    24    HEADER {:op "GET" :id 7}',
    '    24    30    BODY ("/users" {:limit 10})',
  ];

  it('§6.2–§6.4 the example message reads the same in each codec', async () => {
    const tnet = '32 30 3a 32 3a 6f 70 2c 33 3a 47 45 54 2c 32 3a 69 64 2c 31 3a 37 23 7d 32 36 3a 36 3a 2f 75 73 65 72 73 2c 31 33 3a 35 3a 6c 69 6d 69 74 2c 32 3a 31 30 23 7d 5d';
    const sexp = '31 37 3a 7b 3a 6f 70 20 22 47 45 54 22 20 3a 69 64 20 37 7d 2c 32 32 3a 28 22 2f 75 73 65 72 73 22 20 7b 3a 6c 69 6d 69 74 20 31 30 7d 29 2c';
    const pack = '82 a2 6f 70 a3 47 45 54 a2 69 64 07 92 a6 2f 75 73 65 72 73 81 a5 6c 69 6d 69 74 0a';
    const [t, s, m] = await Promise.all([inspect(tnet, '--format', 'message'), inspect(sexp, '--codec', 'sexpr'), inspect(pack, '-c', 'msgpack')]);
    expect(t.stdout).toBe(['message (tnetstring), 54 bytes', 'offset  size  message', ...body, ''].join('\n'));
    expect(s.stdout).toBe(
      ['message (sexpr), 47 bytes', 'offset  size  message', '     0    47  message #1', '     0    21    HEADER {:op "GET" :id 7}', '    21    26    BODY ("/users" {:limit 10})', ''].join('\n'),
    );
    expect(m.stdout).toBe(
      ['message (msgpack), 28 bytes', 'offset  size  message', '     0    28  message #1', '     0    12    HEADER {:op "GET" :id 7}', '    12    16    BODY ("/users" {:limit 10})', ''].join('\n'),
    );
    expect([t.code, s.code, m.code]).toEqual([0, 0, 0]);
  });

  it('spec/rpc.md §9 with sexpr, request HEADERs in the call form read back into their dicts', async () => {
    const { code, stdout } = await run(['inspect', '--codec', 'sexpr'], {
      stdin: '41:(GET "/internal/data/q" :params {:id 42}),3:nil,13:{:status 404},36:(err :code 404 :message "not found"),',
    });
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'message (sexpr), 108 bytes',
        'offset  size  message',
        '     0    51  message #1',
        '     0    45    HEADER {:verb "GET" :path "/internal/data/q" :params {:id 42}}',
        '    45     6    BODY nil',
        '    51    57  message #2',
        '    51    17    HEADER {:status 404}',
        '    68    40    BODY (err :code 404 :message "not found")',
        '',
      ].join('\n'),
    );
  });

  it('§6.1 a HEADER that is not a dict is WIRE_PROTOCOL at the HEADER; §6.5 a stream ending after a HEADER too', async () => {
    await expectFailure(run(['inspect', '--format', 'message'], { stdin: '0:}0:~2:42#0:~' }), 'WIRE_PROTOCOL', 6, /HEADER is not a dict/);
    await expectFailure(run(['inspect', '--format', 'message'], { stdin: '0:}0:~0:}' }), 'WIRE_PROTOCOL', 6, /ended after a HEADER/);
  });

  it('§6.5 a HEADER over maxHeaderBytes is refused from its prefix: WIRE_LIMIT at the frame', async () => {
    await expectFailure(run(['inspect', '--format', 'message'], { stdin: '0:}0:~999999999:' }), 'WIRE_LIMIT', 6, /maxHeaderBytes exceeded/);
  });
});

describe('inspect: qmux (spec/qmux.md)', () => {
  it('§2 every message type, every field named', async () => {
    const capture = [
      '64 00000003 00100000 00010000',
      '65 00000007 00000000 40000000 01000000',
      '66 00000003',
      '67 00000000 00000005',
      '68 00000001 00000002 6869',
      '68 fffffffe 00000000',
      '69 00000007',
      '6a 00000000',
    ].join(' | ');
    const { code, stdout } = await inspect(capture);
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'qmux, 74 bytes (detected: the first byte, 0x64, is a qmux message number)',
        'offset  size  type  message',
        '     0    13    64  OPEN sender 3, window 1048576 (1 MiB), max packet 65536 (64 KiB)',
        '    13    17    65  OPEN_CONFIRM recipient 7, sender 0, window 1073741824 (1 GiB), max packet 16777216 (16 MiB)',
        '    30     5    66  OPEN_FAILURE recipient 3',
        '    35     9    67  WINDOW_ADJUST recipient 0, adds 5',
        '    44    11    68  DATA recipient 1, length 2: "hi"',
        '    55     9    68  DATA recipient 4294967294, length 0',
        '    64     5    69  EOF recipient 7',
        '    69     5    6a  CLOSE recipient 0',
        '',
      ].join('\n'),
    );
  });

  it('§10 a recorded session direction, as --json with the fields by name', async () => {
    const { code, stdout } = await inspect('64 00000000 40000000 01000000 68 00000000 00000005 68656c6c6f 67 00000000 00000005 6a 00000000', '--json');
    expect(code).toBe(0);
    const document = JSON.parse(stdout) as { format: string; elements: unknown[] };
    expect(document.format).toBe('qmux');
    expect(document.elements).toEqual([
      { offset: 0, size: 13, kind: 'OPEN', type: 100, name: 'OPEN', senderId: 0, windowSize: 1073741824, maxPacketSize: 16777216 },
      { offset: 13, size: 14, kind: 'DATA', type: 104, name: 'DATA', recipientId: 0, length: 5, data: 'hello' },
      { offset: 27, size: 9, kind: 'WINDOW_ADJUST', type: 103, name: 'WINDOW_ADJUST', recipientId: 0, additionalBytes: 5 },
      { offset: 36, size: 5, kind: 'CLOSE', type: 106, name: 'CLOSE', recipientId: 0 },
    ]);
  });

  it('§1.5 a type byte outside 100–106 is MUX_PROTOCOL at that byte; §6.1.8 a cut message at its start', async () => {
    await expectFailure(inspect('69 00000007 70 00', '--format', 'qmux'), 'MUX_PROTOCOL', 5, /unknown message number 112/);
    await expectFailure(inspect('69 00000007 68 00000000 00000005 6865'), 'MUX_PROTOCOL', 5, /ended inside a message/);
  });
});

describe('inspect: rpc messages on qmux channels (spec/rpc.md §2)', () => {
  // DATA "0:}" then DATA "0:~": one message split over two DATA; then "0:}" and "1:x?" (a bad type byte).
  const split = '68 00000000 00000003 303a7d | 68 00000000 00000003 303a7e';

  it('--format qmux --codec reads each recipient\'s payloads as messages, shown under the DATA that completes them', async () => {
    const { code, stdout } = await inspect(`${split} | 69 00000000`, '--format', 'qmux', '--codec', 'tnetstring');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'qmux (channels in tnetstring), 29 bytes',
        'offset  size  type  message',
        '     0    12    68  DATA recipient 0, length 3: "0:}"',
        '    12    12    68  DATA recipient 0, length 3: "0:~"',
        '                      message #1 of recipient 0',
        '                        HEADER {}',
        '                        BODY nil',
        '    24     5    69  EOF recipient 0',
        '',
      ].join('\n'),
    );
  });

  it('an error inside a channel points at its byte in the capture, across DATA messages; EOF mid-message at the message', async () => {
    await expectFailure(inspect('68 00000000 00000003 303a7d | 68 00000000 00000004 313a783f', '-f', 'qmux', '-c', 'tnetstring'), 'WIRE_MALFORMED', 24);
    await expectFailure(inspect('68 00000000 00000003 303a7d | 69 00000000', '-f', 'qmux', '-c', 'tnetstring'), 'WIRE_PROTOCOL', 9, /ended after a HEADER/);
  });

  /** Both directions of one real session: the client's bytes and the server's, as they crossed the wire. */
  async function capture(codec: 'tnetstring' | 'sexpr' | 'msgpack'): Promise<{ sent: Uint8Array; received: Uint8Array }> {
    const sent: Uint8Array[] = [];
    const received: Uint8Array[] = [];
    const [ours, theirs] = memoryPipe();
    const recorder: ByteStream = {
      start: (sink) => ours.start({ data: (chunk) => (received.push(chunk.slice()), sink.data(chunk)), end: (error) => sink.end(error) }),
      write: (chunk) => (sent.push(chunk.slice()), ours.write(chunk)),
      close: () => ours.close(),
    };
    const server = new Server({ name: 'shop', version: '1' });
    server.route('GET', '/items/:id', (ctx) => ({ id: ctx.params.id!, tags: ['a'] }));
    void server.serve(theirs);
    const client = await Client.connect(recorder, { codec, user: 'ana', poolSize: 1 });
    await client.call('GET', '/items/7', { q: 1 });
    await client.close();
    await server.close();
    const join = (chunks: Uint8Array[]) => Uint8Array.from(chunks.flatMap((chunk) => [...chunk]));
    return { sent: join(sent), received: join(received) };
  }

  it('a whole connection, each direction: the handshake, then qmux with the calls in the handshake\'s codec', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'petrichor-cli-'));
    try {
      const { sent, received } = await capture('sexpr');
      await writeFile(join(dir, 'c2s.bin'), sent);
      await writeFile(join(dir, 's2c.bin'), received);
      const [up, down] = await Promise.all([run(['inspect', join(dir, 'c2s.bin')]), run(['inspect', join(dir, 's2c.bin')])]);
      expect(up.code).toBe(0);
      const lines = up.stdout.split('\n');
      expect(lines[0]).toBe(`session, ${sent.length} bytes (detected: a Petrichor handshake (a dict with a "petrichor" field))`);
      expect(lines[2]).toMatch(/^ {5}0 +\d+ +handshake$/);
      expect(lines[3]).toMatch(/^ {5}0 +\d+ +HEADER \{:petrichor 1 :user "ana" :ident "/);
      expect(up.stdout).toMatch(/ 64 {2}OPEN sender 0, window 1048576 \(1 MiB\), max packet 65536 \(64 KiB\)\n/);
      expect(up.stdout).toMatch(/ 68 {2}DATA recipient 0, length 29: "16:\(GET \\"\/items\/7\\"\),6:\{:q 1\},"\n {22}message #1 of recipient 0\n {24}HEADER \{:verb "GET" :path "\/items\/7"\}\n {24}BODY \{:q 1\}\n/);
      expect(up.stdout).toMatch(/ 69 {2}EOF recipient 0\n/);
      expect(down.code).toBe(0);
      expect(down.stdout).toMatch(/HEADER \{:petrichor 1 :allowed true /);
      expect(down.stdout).toMatch(/ 65 {2}OPEN_CONFIRM recipient 0, sender 0, /);
      expect(down.stdout).toMatch(/ {24}HEADER \{:status 200\}\n {24}BODY \{:id "7" :tags \("a"\)\}\n/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('inspect: input', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'petrichor-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a FILE, - (stdin) and --hex - (hex text on stdin) alike', async () => {
    const bytes = bytesOf('68 00000001 00000002 6869');
    const path = join(dir, 'capture.bin');
    await writeFile(path, bytes);
    const results = await Promise.all([
      run(['inspect', path]),
      run(['inspect', '-'], { stdin: bytes }),
      run(['inspect', '--hex', '-'], { stdin: '68 | 00000001 | 00000002 | 6869\n' }),
    ]);
    for (const { code, stdout } of results) {
      expect(code).toBe(0);
      expect(stdout).toContain('     0    11    68  DATA recipient 1, length 2: "hi"\n');
    }
  });

  it('bad input exits 4: bad hex, no bytes, a missing file, more than --max-input', async () => {
    const cases = await Promise.all([
      inspect('3a 7g'),
      inspect('3a7'),
      inspect(''),
      run(['inspect', join(dir, 'missing.bin')]),
      run(['inspect', '--max-input', '4'], { stdin: '5:hello,' }),
    ]);
    expect(cases.map(({ code }) => code)).toEqual([4, 4, 4, 4, 4]);
    expect(cases[0]!.stderr).toBe('petrichor: hex input: "g" is not a hex digit (character 5)\n');
    expect(cases[1]!.stderr).toBe('petrichor: hex input: odd number of digits in "3a7" (character 1)\n');
    expect(cases[2]!.stderr).toBe('petrichor: no input: nothing to inspect\n');
    expect(cases[3]!.stderr).toMatch(/^petrichor: cannot read .*missing\.bin: no such file or directory\n$/);
    expect(cases[4]!.stderr).toBe('petrichor: standard input is larger than --max-input (4 bytes)\n');
  });

  it('a FILE and --hex together, or --codec with another format, are usage errors (exit 2)', async () => {
    const cases = await Promise.all([run(['inspect', 'x.bin', '--hex', '00']), inspect('00', '--format', 'tnetstring', '--codec', 'sexpr')]);
    expect(cases.map(({ code }) => code)).toEqual([2, 2]);
    expect(cases[0]!.stderr).toMatch(/^petrichor: give FILE or --hex, not both\n/);
    expect(cases[1]!.stderr).toMatch(/^petrichor: --codec applies to --format message and qmux, not tnetstring\n/);
  });
});
