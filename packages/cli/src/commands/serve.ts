import type { Command } from '../command.js';
import { URL_HELP } from '../net/options.js';

const usage = 'petrichor serve --echo URL [options]';

/** `petrichor serve`: a ready service to try clients against. */
export const serve: Command = {
  name: 'serve',
  summary: 'run an echo service',
  usage,
  help: `Usage: ${usage}

Listens on URL and serves until SIGINT or SIGTERM, then stops cleanly: new calls are refused,
calls in flight get 2 s to finish, connections close. The first line on standard output is
"listening on URL", with the actual port when URL asks for port 0. One line per call goes
to standard error unless --quiet.

The echo service answers every verb on every path of its data interface:
  - a call with one message gets its BODY back;
  - a call that streams messages (petrichor call --stdin) gets them streamed back one by one,
    the BODY first;
and serves the control interface (petrichor manifest) like any Petrichor server.

Options:
      --echo               run the echo service (the only one for now)
      --name NAME          the service's name in its manifest (default "petrichor-echo")
      --hmac-key ID        require HMAC credentials: accept key ID ...
      --hmac-secret S      ... with the shared secret S
      --bearer TOKEN       require a bearer token: accept TOKEN (with --hmac-key too: either)
      --cert FILE          tls:// and wss://: our certificate chain (PEM)
      --key FILE           tls:// and wss://: its private key (PEM)
  -q, --quiet              do not log calls
  -h, --help               show this help
      --debug              print stack traces with errors

${URL_HELP}

Examples:
  petrichor serve --echo tcp://127.0.0.1:0
  petrichor serve --echo unix:///tmp/echo.sock --bearer s3cret
  petrichor serve --echo ws://127.0.0.1:8080/rpc --quiet`,

  async run(args, context) {
    const { runServe } = await import('./serve-run.js');
    return runServe(args, context);
  },
};
