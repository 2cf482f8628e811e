import type { Channel } from '@petrichor/mux';
import { MessageDecoder, type Header } from '@petrichor/wire';

/** The first reply HEADER on `channel`, or null if it ends first; rejects after `ms`. */
export async function replyOn(channel: Channel, ms = 3000): Promise<Header | null> {
  const decoder = new MessageDecoder({ text: true, objects: true });
  const read = (async () => {
    // Bounded: a reply is at most a few chunks; the timeout below ends a silent channel.
    for (let i = 0; i < 64; i++) {
      const chunk = await channel.read();
      if (chunk === null) return null;
      const [message] = decoder.push(chunk);
      if (message !== undefined) return message.header;
    }
    throw new Error('no reply in 64 chunks');
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms)));
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
