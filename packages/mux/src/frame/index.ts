/**
 * The qmux codec (spec/qmux.md §1–§2): the messages, one writer and one reader of their fixed
 * parts, an encoder and an incremental decoder. Exported for tools (inspectors, test peers); a
 * Session uses it internally.
 */
export {
  MessageType,
  MESSAGE_NAMES,
  DATA_HEADER_SIZE,
  headerSize,
  type Message,
  type ChannelMessage,
  type OpenMessage,
  type OpenConfirmMessage,
  type OpenFailureMessage,
  type WindowAdjustMessage,
  type DataMessage,
  type EofMessage,
  type CloseMessage,
} from './message.js';
export { readFixed, writeFixed } from './fixed.js';
export { encodeFrame, encodeFrameInto, frameSize } from './encoder.js';
export { FrameDecoder, decodeFrames, type FrameHandler } from './decoder.js';
export { UINT32_MAX } from './uint32.js';
