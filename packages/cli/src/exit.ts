/**
 * Exit codes of the `petrichor` command (documented in the README). Scripts branch on them, so
 * they never change meaning.
 */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The service answered with an error (its code and message are printed). */
  errorReply: 1,
  /** The command line is wrong: an unknown command or option, a missing argument. */
  usage: 2,
  /** No conversation was possible: connect refused or timed out, handshake denied, connection lost, a peer breaking the protocol. */
  connection: 3,
  /** The input is bad: bytes `inspect` cannot decode, a BODY that does not parse, an unreadable file. */
  badInput: 4,
  /** A bug in petrichor itself (an unexpected exception). */
  internal: 70,
  /** Interrupted by SIGINT (128 + 2, as shells report it). */
  interrupted: 130,
} as const;

/** One of the {@link EXIT} codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
