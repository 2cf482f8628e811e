import type { ByteStream } from '@petrichor/mux';

/** `stream`, with a copy of every chunk written to it pushed on `sent`. */
export function recordingStream(stream: ByteStream, sent: Uint8Array[]): ByteStream {
  return {
    start: (sink) => stream.start(sink),
    write(chunk) {
      sent.push(chunk.slice());
      return stream.write(chunk);
    },
    writev(chunks) {
      for (const chunk of chunks) sent.push(chunk.slice());
      return stream.writev !== undefined ? stream.writev(chunks) : stream.write(Buffer.concat(chunks));
    },
    close: () => stream.close(),
  };
}
