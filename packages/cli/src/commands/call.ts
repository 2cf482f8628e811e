import type { Command } from '../command.js';
import { CONNECT_ENV_HELP, CONNECT_HELP, URL_HELP } from '../net/options.js';

const usage = 'petrichor call URL VERB PATH [BODY] [--json] [--stdin] [options]';

/** `petrichor call`: one call to a service, its reply printed as it arrives. */
export const call: Command = {
  name: 'call',
  summary: 'call a service and print the reply',
  usage,
  help: `Usage: ${usage}

Connects to the service at URL, calls VERB on PATH with BODY, and prints the reply: one value,
or the items of a streaming reply one per line as they arrive. BODY is one s-expression
(default nil), or JSON with --json; - reads it from standard input. An error reply prints its
code and message on stderr and exits 1.

Options:
      --json               BODY and --stdin lines are JSON, and replies print as JSON (one line each)
      --stdin              stream standard input up as the call's messages, one per line (each
                           an s-expression, or JSON with --json), then half-close
      --iface NAME         call the interface NAME instead of the service's default
  -m, --meta KEY=VALUE     add KEY (text) to the request's meta dict; repeatable
${CONNECT_HELP}
  -h, --help               show this help
      --debug              print stack traces with errors

${URL_HELP}
VERB is any word (GET, relate, deliver…); PATH starts with "/".

Output: s-expressions in canonical text; byte strings that are not UTF-8 print as #x"…" (in
JSON as {"$hex": "…"}); JSON keeps integers exact and integral floats as 1.0.

${CONNECT_ENV_HELP}

Examples:
  petrichor call tcp://127.0.0.1:7000 GET /internal/data/q '{:id 42}'
  petrichor call unix:///run/blog.sock relate /posts/7 '{:as "like"}' --user ana --bearer "$TOKEN"
  petrichor call ws://127.0.0.1:8080/rpc PUT /items '{"name": "tea"}' --json --codec msgpack
  seq 3 | petrichor call tcp://127.0.0.1:7000 sum /numbers --stdin
  petrichor call tcp://127.0.0.1:7000 deliver /inbox '(like :actor "ana")' --codec sexpr

Symbols and keywords exist only in s-expressions: send them with --codec sexpr.`,

  async run(args, context) {
    const { runCall } = await import('./call-run.js');
    return runCall(args, context);
  },
};
