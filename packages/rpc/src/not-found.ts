/**
 * The answering side of a client that serves nothing (spec/rpc.md §2.7): each call the peer makes
 * is read as far as its first message, within the session's bounds (§5.2: the message limits,
 * `maxPendingBytes`, `requestTimeoutMs`), and answered 404 (the drain's refusal while draining;
 * 400, 413, 429 or 408 when the request breaks a bound). A one-way call is closed unanswered. No
 * call is ever in flight, so `maxInFlight` holds trivially. No router, handler or middleware.
 */
import type { Channel } from '@petrichor/mux';
import { WireError, type Message } from '@petrichor/wire';
import { errorBody, errorHeader, field, textOf } from './envelope.js';
import { RpcError, requestError } from './errors.js';
import { MessageReader } from './reader.js';
import type { AnswerHost, Answerer } from './session.js';

/** Answers every call 404. @internal */
export class NotFound implements Answerer {
  readonly inFlight = 0;
  readonly #host: AnswerHost;
  #refusal: RpcError | null = null;

  constructor(host: AnswerHost) {
    this.#host = host;
  }

  serve(channel: Channel, chunk: Uint8Array | null): void {
    const host = this.#host;
    /** Bytes of the unfinished first message counted in `host.pending`. */
    let held = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    let timedOut = false;
    const answer = (error: RpcError | null): void => {
      if (done) return;
      done = true;
      if (error === null) return void channel.close(); // one-way, or the channel ended first
      const format = host.format;
      const written = channel.write(format.encode(errorHeader(error.code), errorBody(error, format.codec)));
      const eof = channel.closeWrite();
      const close = (): void => void channel.close();
      written.catch(ignore);
      // Queued whole (the usual case: the mux hands back one promise), or the request timed out
      // (its bytes still trickle in): close now; else once the reply has left.
      if (written === eof || timedOut) close();
      else eof.then(close, close);
      host.flush();
    };
    const reader = new MessageReader(channel, host.format.decoder(), {
      partial(bytes) {
        if (timer === undefined && host.requestTimeoutMs > 0) {
          timer = setTimeout(() => {
            timedOut = true;
            answer(RpcError.deadlineExceeded('the request did not arrive within requestTimeoutMs'));
          }, host.requestTimeoutMs);
        }
        host.pending.claim(bytes);
        held += bytes;
      },
    });
    const arrived = (message: Message | null, error?: unknown): void => {
      clearTimeout(timer);
      host.pending.give(held);
      reader.release(host.format);
      if (message !== null) {
        const header = message.header;
        answer(
          field(header, 'oneway') === true
            ? null
            : (this.#refusal ?? RpcError.notFound(`no route for ${textOf(field(header, 'verb'))} ${textOf(field(header, 'path'))}`)),
        );
      } else if (error instanceof RpcError) answer(error);
      else if (error instanceof WireError) answer(requestError(error));
      else answer(null); // the channel ended, or the session did
    };
    try {
      const first = reader.first(chunk);
      if (first instanceof Promise) first.then(arrived, (error: unknown) => arrived(null, error));
      else arrived(first);
    } catch (error) {
      arrived(null, error);
    }
  }

  drain(refusal: RpcError): Promise<void> {
    this.#refusal = refusal;
    return Promise.resolve();
  }

  abortCalls(): void {}

  end(): void {}
}

function ignore(): void {}
