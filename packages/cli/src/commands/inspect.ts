import type { Command } from '../command.js';
import { DEFAULT_MAX_INPUT, PREVIEW } from './inspect-defaults.js';

const usage = 'petrichor inspect [FILE | -] [--hex TEXT] [--format FORMAT] [--codec CODEC] [--json] [--full]';

/** `petrichor inspect`: decodes bytes in any of the wire formats and points at the first bad byte. */
export const inspect: Command = {
  name: 'inspect',
  summary: 'decode bytes: tnetstrings, s-expressions, msgpack, messages, qmux',
  usage,
  help: `Usage: ${usage}

Reads bytes and shows them decoded, piece by piece, with each piece's offset and size.
The bytes come from FILE, from standard input (FILE is - or absent), or from --hex.
When decoding fails, the error's code and the offset of the offending byte are printed
with a hex dump around it, and the exit code is 4.

Options:
      --hex TEXT         the bytes as hex: "32 3a 34 32 23", "64 | 00000000", "0x6869";
                         --hex - reads hex text from standard input
  -f, --format FORMAT    tnetstring   tnetstrings back to back, nested elements indented
                         sexpr        s-expressions: netstring frames (LEN:TEXT,) or plain text
                         msgpack      msgpack values back to back, nested items indented
                         message      Petrichor messages, HEADER then BODY, in --codec, as an
                                      rpc session writes them (sexpr: request HEADERs in the
                                      call form, (GET "/path" :k v))
                         qmux         a qmux capture, message by message, every field named
                         session      one direction of a whole connection: the handshake,
                                      then qmux, the calls on each channel decoded in the
                                      codec the handshake names
                         (default: detected from the first bytes, and said so)
  -c, --codec CODEC      the codec of --format message: tnetstring (default), sexpr, msgpack;
                         with --format qmux, also decode each channel's DATA as messages in it;
                         given alone, it implies --format message
      --json             print the result as one JSON document
      --full             show whole values (default: the first ${PREVIEW} bytes of each)
      --max-input BYTES  refuse more input than this (default ${DEFAULT_MAX_INPUT}, 64 MiB)
  -h, --help             show this help
      --debug            print stack traces on internal errors

Detection: a first byte 0x64-0x6a is qmux; digits then ":" start a session when the first
tnetstring is a handshake (a dict with a "petrichor" field), s-expression frames when the
first payload opens a list or map, else tnetstrings; "(", "{", ";" or whitespace start
s-expression text; anything else is msgpack.

Examples:
  petrichor inspect --hex '32 30 3a 32 3a 6f 70 2c 33 3a 47 45 54 2c 32 3a 69 64 2c 31 3a 37 23 7d'
  petrichor inspect capture.bin --format qmux --codec sexpr
  printf '36:(err :code 404 :message "not found"),' | petrichor inspect
  petrichor inspect --codec msgpack --hex '82 a2 6f 70 a3 47 45 54 a2 69 64 07 92 a6 2f 75 73 65 72 73 81 a5 6c 69 6d 69 74 0a'`,

  async run(args, context) {
    const { runInspect } = await import('./inspect-run.js');
    return runInspect(args, context);
  },
};
