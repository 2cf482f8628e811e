/**
 * `@petrichor/mux`: qmux (the SSH channel layer as used by qtalk) over any byte stream. Many
 * flow-controlled channels over one connection, byte-compatible with qtalk-go. Runs unchanged in
 * Node and browsers; Node socket adapters are in `@petrichor/mux/node`.
 *
 * @packageDocumentation
 * @module @petrichor/mux
 */
export { Session } from './session.js';
export type { Channel } from './channel.js';
export { DEFAULTS, type SessionOptions } from './options.js';
export type { ByteStream, ByteStreamSink } from './stream.js';
export { memoryPipe } from './memory-pipe.js';
export * from './errors.js';
export { MessageType, encodeFrame, decodeFrames, FrameDecoder, type Message } from './frame/index.js';
export * as frame from './frame/index.js';
