/** Assertions shared by the hostile-peer tests. */
import { expect } from 'vitest';
import { ConnectionLostError, type RpcSession } from '@petrichor/rpc';
import { MuxError } from '@petrichor/mux';
import { within } from './wait.js';

/**
 * Waits (bounded) for the server's session of a hostile peer to end, and checks it ended with
 * `ConnectionLostError` (`RPC_CONNECTION_LOST`) caused by a mux error with code `muxCode` whose
 * message matches `reason`. Returns the mux error.
 */
export async function expectSessionEnded(session: RpcSession, muxCode: string, reason: RegExp, ms = 5000): Promise<MuxError> {
  const error = await within(session.closed, ms, `the hostile session ending with ${muxCode}`);
  expect(error).toBeInstanceOf(ConnectionLostError);
  expect((error as ConnectionLostError).code).toBe('RPC_CONNECTION_LOST');
  const cause = (error as ConnectionLostError).cause;
  expect(cause).toBeInstanceOf(MuxError);
  expect((cause as MuxError).code).toBe(muxCode);
  expect((cause as MuxError).message).toMatch(reason);
  return cause as MuxError;
}
