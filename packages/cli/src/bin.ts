/**
 * The `petrichor` executable: runs the command line, sets the exit code. SIGINT and SIGTERM abort
 * the running command, which then stops cleanly; a second signal exits at once.
 */
import { EXIT } from './exit.js';
import { processIo } from './io.js';
import { main } from './main.js';

const controller = new AbortController();
const stop = (signal: NodeJS.Signals): void => {
  if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? EXIT.interrupted : 143);
  controller.abort(signal);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// A reader that went away (`petrichor inspect big | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2), processIo(), controller.signal);
// Nothing of ours is left running: sockets and timers are closed by the commands.
process.off('SIGINT', stop);
process.off('SIGTERM', stop);
