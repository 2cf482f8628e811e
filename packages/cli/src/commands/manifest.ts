import type { Command } from '../command.js';
import { CONNECT_ENV_HELP, CONNECT_HELP, URL_HELP } from '../net/options.js';

const usage = 'petrichor manifest URL [--json] [options]';

/** `petrichor manifest`: what a service offers, read from its control interface. */
export const manifest: Command = {
  name: 'manifest',
  summary: "print a service's interfaces, verbs, paths and body schemas",
  usage,
  help: `Usage: ${usage}

Connects to the service at URL for its control interface only (no data interface is opened)
and prints its manifest: the service's name and version, then each interface with its purpose
and direction, and each route's verb, path, description and BODY schema.

Options:
      --json               print the manifest as JSON
${CONNECT_HELP}
  -h, --help               show this help
      --debug              print stack traces with errors

${URL_HELP}

${CONNECT_ENV_HELP}

Examples:
  petrichor manifest tcp://127.0.0.1:7000
  petrichor manifest unix:///run/blog.sock --json | jq '.interfaces[].routes[].path'`,

  async run(args, context) {
    const { runManifest } = await import('./manifest-run.js');
    return runManifest(args, context);
  },
};
