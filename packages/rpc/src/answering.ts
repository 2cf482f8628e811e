/**
 * The side of a session that serves the peer's calls with a {@link Service} (spec/rpc.md §2.7,
 * §5): each call an {@link IncomingCall}, at most `maxInFlight` at once (429 beyond), refused
 * while draining, ended when the session ends. A `Server`'s sessions and a `Client` given routes
 * have one; a plain `Client` answers 404 instead (not-found.ts) and holds none of this.
 */
import type { Channel } from '@petrichor/mux';
import { RpcError, type RpcSessionError } from './errors.js';
import { IncomingCall, type CallHost } from './incoming.js';
import type { PullQueue } from './pull.js';
import type { Service } from './service.js';
import type { AnswerHost, Answerer } from './session.js';

/** Serves a session's incoming calls with `service`. @internal */
export class Answering implements Answerer {
  readonly #active = new Set<IncomingCall>();
  readonly #host: CallHost;
  /** Set while draining: new calls from the peer are refused with it. */
  #refusal: RpcError | null = null;
  #drained: (() => void) | null = null;
  #pull: PullQueue | null = null;
  #ended = false;

  constructor(session: AnswerHost, service: Service) {
    const active = this.#active;
    this.#host = {
      session: session.session,
      format: session.format,
      service,
      peer: session.session.peer,
      admit: (call) => {
        if (this.#refusal !== null) return this.#refusal;
        if (active.size >= session.maxInFlight) return RpcError.tooManyCalls(`more than ${session.maxInFlight} calls in flight on this session`);
        active.add(call);
        return null;
      },
      finish: (call) => {
        if (active.delete(call) && active.size === 0) this.#settle();
      },
      report: (error, ctx) => session.onError?.(error, ctx),
      flush: session.flush,
      pull: () => (this.#pull?.open === true ? this.#pull : null),
      pending: session.pending,
      requestTimeoutMs: session.requestTimeoutMs,
    };
  }

  get inFlight(): number {
    return this.#active.size;
  }

  serve(channel: Channel, chunk: Uint8Array | null): void {
    void new IncomingCall(this.#host, channel).run(chunk);
  }

  pull(queue: PullQueue): void {
    this.#pull = queue;
    if (this.#ended) queue.close();
  }

  drain(refusal: RpcError): Promise<void> {
    this.#refusal = refusal;
    if (this.#active.size === 0 || this.#ended) return Promise.resolve();
    return new Promise((resolve) => (this.#drained = resolve));
  }

  abortCalls(reason: RpcError): void {
    for (const call of [...this.#active]) call.abort(reason);
  }

  end(lost: RpcSessionError): void {
    this.#ended = true;
    this.#pull?.close();
    for (const call of this.#active) call.abort(lost);
    this.#active.clear();
    this.#settle();
  }

  #settle(): void {
    this.#drained?.();
    this.#drained = null;
  }
}
