import { RpcError } from './errors.js';
import type { CallContext, HandlerResult } from './service.js';

/** A call the peer made that no route took, handed to whoever iterates `session.incoming`. */
export interface PulledCall {
  /** The call, as a handler would see it. */
  readonly ctx: CallContext;
  /** Answers it: a value, or an async iterable for a streamed reply. */
  reply(result?: HandlerResult): void;
  /** Answers it with an error (an `RpcError`; anything else is a bare 500). */
  fail(error: unknown): void;
}

interface Waiting {
  resolve(result: IteratorResult<PulledCall>): void;
}

/**
 * The pull side of push (spec/rpc.md §2.7): calls no route takes wait here for the application to
 * take them with `for await (const call of session.incoming)`. Each waiting call counts against
 * the session's `maxInFlight`, so the queue is bounded; when the loop stops, the calls still
 * queued and those that come later are answered 404 as before.
 */
export class PullQueue implements AsyncIterable<PulledCall> {
  readonly #calls: PulledCall[] = [];
  readonly #readers: Waiting[] = [];
  #open = true;

  get open(): boolean {
    return this.#open;
  }

  /** The handler the session runs for a call no route takes while the queue is open. */
  take(ctx: CallContext): Promise<HandlerResult> {
    return new Promise((resolve, reject) => {
      const call: PulledCall = { ctx, reply: (result) => resolve(result), fail: (error) => reject(error) };
      const reader = this.#readers.shift();
      if (reader !== undefined) reader.resolve({ done: false, value: call });
      else this.#calls.push(call);
    });
  }

  /** Stops: waiting readers end, queued calls are answered 404. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    for (const reader of this.#readers.splice(0)) reader.resolve({ done: true, value: undefined });
    for (const call of this.#calls.splice(0)) call.fail(RpcError.notFound(`no route for ${call.ctx.verb} ${call.ctx.path}`));
  }

  [Symbol.asyncIterator](): AsyncIterator<PulledCall> {
    return {
      next: () => {
        const call = this.#calls.shift();
        if (call !== undefined) return Promise.resolve({ done: false, value: call });
        if (!this.#open) return Promise.resolve({ done: true, value: undefined });
        return new Promise((resolve) => this.#readers.push({ resolve }));
      },
      return: () => {
        this.close();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
}
