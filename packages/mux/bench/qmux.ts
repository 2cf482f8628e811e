/** Ours: a @petrichor/mux Session over the socket, through `socketStream`. */
import net from 'node:net';
import { Session, type Channel, type SessionOptions } from '@petrichor/mux';
import { socketStream } from '@petrichor/mux/node';
import { connect, listen } from './tcp.js';
import { block, CHUNK, fail, ping, PING_BYTES, type Client, type Mode, type Server } from './workload.js';

/** Reads to the end of the channel (or until `limit` bytes) and returns the byte count. */
export async function drain(channel: Channel, limit = Infinity): Promise<number> {
  let received = 0;
  while (received < limit) {
    const chunk = await channel.read();
    if (chunk === null) break;
    received += chunk.byteLength;
  }
  return received;
}

async function writeAll(channel: Channel, bytes: number): Promise<void> {
  for (let sent = 0; sent < bytes; sent += CHUNK) {
    await channel.write(bytes - sent >= CHUNK ? block : block.subarray(0, bytes - sent));
  }
}

export async function qmuxServer(mode: Mode, options: SessionOptions = {}): Promise<Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const session = new Session(socketStream(socket), options);
    const held: Channel[] = [];
    void (async () => {
      for await (const channel of session) {
        if (mode === 'hold') held.push(channel);
        else void (mode === 'echo' ? echoChannel(channel) : sinkChannel(channel)).catch(() => {});
      }
    })();
  });
  return listen(server, sockets);
}

/** Serves one channel of scenario (b) and (c): writes back what it reads, then closes. */
export async function echoChannel(channel: Channel): Promise<void> {
  for (let chunk = await channel.read(); chunk !== null; chunk = await channel.read()) await channel.write(chunk);
  // The peer has sent EOF (or CLOSE): everything is echoed, so close (CLOSE ends the peer's reads too).
  await channel.close();
}

/** Serves one channel of scenario (a): reads to the end, answers one byte, closes. */
export async function sinkChannel(channel: Channel): Promise<void> {
  await drain(channel);
  await channel.write(block.subarray(0, 1));
  await channel.close();
}

export async function qmuxClient(port: number, options: SessionOptions = {}): Promise<Client> {
  return sessionClient(new Session(socketStream(await connect(port)), options));
}

/**
 * The bench's client work over any qmux session (the transport bench runs it over every URL
 * scheme). `name` starts its failure messages.
 */
export function sessionClient(session: Session, name = 'qmux'): Client {
  return {
    async sink(total) {
      const channel = await session.open();
      await writeAll(channel, total);
      await channel.closeWrite();
      if ((await drain(channel)) !== 1) fail(`${name}: no answer to the sink`);
      await channel.close();
    },
    async echo(channels, bytes) {
      await Promise.all(
        Array.from({ length: channels }, async () => {
          const channel = await session.open();
          const echoed = drain(channel);
          await writeAll(channel, bytes);
          await channel.closeWrite();
          const received = await echoed;
          if (received !== bytes) fail(`${name}: echoed ${received} of ${bytes} bytes`);
          await channel.close();
        }),
      );
    },
    async pingPong(count) {
      // close() waits for the peer's CLOSE; the next open need not, so closes finish in the background.
      const closes: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        const channel = await session.open();
        await channel.write(ping);
        if ((await drain(channel, PING_BYTES)) !== PING_BYTES) fail(`${name}: short echo`);
        closes.push(channel.close());
      }
      await Promise.all(closes);
    },
    async idle(count) {
      const channels: Channel[] = [];
      while (channels.length < count) {
        const batch = Math.min(100, count - channels.length);
        channels.push(...(await Promise.all(Array.from({ length: batch }, () => session.open()))));
      }
      return async () => {
        await Promise.all(channels.map((channel) => channel.close()));
      };
    },
    async close() {
      session.close();
      await session.closed;
    },
  };
}
