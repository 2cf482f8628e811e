import type { Channel } from './channel.js';

/**
 * Web Streams views of a channel, created only when the `readable` / `writable` getters are
 * first used, so channels that never use them pay nothing.
 */

/** Reads pull from the channel (no read-ahead beyond its own buffer); cancelling closes the channel. */
export function readableOf(channel: Channel): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await channel.read();
        if (chunk === null) controller.close();
        else controller.enqueue(chunk);
      },
      async cancel() {
        await channel.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** Each chunk is a channel write; closing sends EOF (half-close); aborting closes the channel. */
export function writableOf(channel: Channel): WritableStream<Uint8Array> {
  return new WritableStream<Uint8Array>({
    write: (chunk) => channel.write(chunk),
    close: () => channel.closeWrite(),
    abort: () => channel.close(),
  });
}
