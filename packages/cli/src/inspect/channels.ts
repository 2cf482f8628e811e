import { MessageDecoder, type Codec } from '@petrichor/wire';
import { failureOf } from './failure.js';
import { valuePreview } from './preview.js';
import type { Failure, Node, ShowOptions } from './report.js';

/** A run of a channel's byte stream and where it lies in the capture. */
interface Segment {
  readonly streamStart: number;
  readonly captureStart: number;
  readonly length: number;
}

/** One channel's bytes, in one direction: its message decoder and where each piece came from. */
interface Channel {
  readonly decoder: MessageDecoder;
  readonly segments: Segment[];
  received: number;
  count: number;
}

/**
 * The rpc messages inside a qmux capture's DATA payloads (spec/rpc.md §2: each channel carries
 * HEADER,BODY messages in the session's codec). One `MessageDecoder` per recipient id reads that
 * channel's payloads in order; a message is shown under the DATA that completes it. Errors are
 * moved from channel-stream offsets to capture offsets.
 */
export class ChannelMessages {
  readonly #codec: Codec;
  readonly #show: ShowOptions;
  readonly #channels = new Map<number, Channel>();

  constructor(codec: Codec, show: ShowOptions) {
    this.#codec = codec;
    this.#show = show;
  }

  /** The messages completed by a DATA payload that starts at `captureOffset`; throws {@link ChannelFailure}. */
  data(recipientId: number, payload: Uint8Array, captureOffset: number): Node[] {
    let channel = this.#channels.get(recipientId);
    if (channel === undefined) {
      channel = { decoder: new MessageDecoder({ codec: this.#codec }), segments: [], received: 0, count: 0 };
      this.#channels.set(recipientId, channel);
    }
    channel.segments.push({ streamStart: channel.received, captureStart: captureOffset, length: payload.length });
    channel.received += payload.length;
    const nodes: Node[] = [];
    try {
      for (const message of channel.decoder.push(payload)) {
        channel.count++;
        nodes.push({
          kind: 'message',
          text: `#${channel.count} of recipient ${recipientId}`,
          json: {},
          children: [
            { kind: 'HEADER', text: valuePreview(message.header, this.#show.preview), json: { value: message.header } },
            { kind: 'BODY', text: valuePreview(message.body, this.#show.preview), json: { value: message.body } },
          ],
        });
      }
    } catch (error) {
      throw new ChannelFailure(this.#failure(channel, error, captureOffset));
    }
    return nodes;
  }

  /** The channel's sender sent EOF: its messages are over, and one left unfinished is an error. */
  end(recipientId: number, captureOffset: number): void {
    const channel = this.#channels.get(recipientId);
    if (channel === undefined) return;
    this.#channels.delete(recipientId);
    try {
      channel.decoder.end();
    } catch (error) {
      throw new ChannelFailure(this.#failure(channel, error, captureOffset));
    }
  }

  /** The channel was closed: what was left unread is dropped (a CLOSE may cut a call short). */
  forget(recipientId: number): void {
    this.#channels.delete(recipientId);
  }

  /** A decoder's error at its place in the capture (or at `fallback` when it has none there). */
  #failure(channel: Channel, error: unknown, fallback: number): Failure {
    const failure = failureOf(error, 0);
    const segment = channel.segments.find((s) => failure.offset >= s.streamStart && failure.offset < s.streamStart + s.length);
    const offset = segment === undefined ? fallback : segment.captureStart + (failure.offset - segment.streamStart);
    return { ...failure, message: `${failure.message} (in the messages of a channel)`, offset };
  }
}

/** Carries a channel's {@link Failure} out of a frame handler. */
export class ChannelFailure extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(failure.message);
    this.failure = failure;
  }
}
