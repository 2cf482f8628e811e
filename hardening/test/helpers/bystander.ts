/**
 * The well-behaved client on its own connection that keeps calling while a hostile peer attacks
 * the same server: every one of its calls must succeed with the right answer.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { Client } from '@petrichor/rpc';
import { connect } from '@petrichor/transport/node';
import { within } from './wait.js';

/**
 * Most calls one bystander makes: its loop ends by itself even if nobody stops it. With the pause
 * between calls this lasts well past any one test (at least 40 s), so the bystander is still calling
 * whenever a test asks for progress: flat out, a fast machine used the calls up mid-test.
 */
const MAX_CALLS = 20_000;
/** Pause between calls: the bystander proves service, it is not a load generator. */
const PAUSE_MS = 2;

export class Bystander {
  /** Calls answered correctly. */
  ok = 0;
  /** Calls that failed or came back wrong, with why. */
  readonly failures: string[] = [];
  #stopped = false;
  #loop: Promise<void> = Promise.resolve();
  readonly client: Client;

  private constructor(client: Client) {
    this.client = client;
  }

  /** Connects as `user` to `url` and starts calling `PUT /echo` in a loop, one call at a time. */
  static async start(url: string, user = 'bystander'): Promise<Bystander> {
    const bystander = new Bystander(await Client.connect(await connect(url), { user }));
    bystander.#loop = bystander.#run();
    return bystander;
  }

  async #run(): Promise<void> {
    for (let i = 0; i < MAX_CALLS && !this.#stopped; i++) {
      const body = { i, text: `call ${i}` };
      try {
        const reply = (await this.client.call('PUT', '/echo', body, { timeout: 2000 })) as { i?: number; text?: string };
        if (reply.i === i && reply.text === body.text) this.ok++;
        else this.failures.push(`call ${i}: wrong reply ${JSON.stringify(reply)}`);
      } catch (error) {
        this.failures.push(`call ${i}: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  }

  /** Waits until `more` further calls have succeeded (proof it is still being served), within `ms`. */
  async progress(more: number, ms: number): Promise<void> {
    const target = this.ok + more;
    const deadline = performance.now() + ms;
    while (this.ok < target) {
      if (this.failures.length > 0) throw new Error(`the bystander failed: ${this.failures.slice(0, 3).join('; ')}`);
      if (performance.now() > deadline) throw new Error(`the bystander made ${this.ok} calls, not ${target}, within ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Stops calling and closes; resolves with what it saw. */
  async stop(): Promise<{ ok: number; failures: string[] }> {
    this.#stopped = true;
    await within(this.#loop, 5000, 'the bystander loop ending');
    await this.client.close();
    return { ok: this.ok, failures: this.failures };
  }
}

/**
 * Registers the hooks the hostile-peer test files share: before each test a bystander connects to
 * `url()` and proves it is served; after it, `cleanup` sends the attacker away and the bystander
 * must make progress again, with every call it made during the test answered correctly.
 */
export function watchedByBystander(url: () => string, cleanup: () => void): void {
  let bystander: Bystander;
  beforeEach(async () => {
    bystander = await Bystander.start(url());
    await bystander.progress(3, 5000);
  });
  afterEach(async () => {
    cleanup();
    await bystander.progress(3, 5000);
    const seen = await bystander.stop();
    expect(seen.failures).toEqual([]);
    expect(seen.ok).toBeGreaterThanOrEqual(6);
  });
}
