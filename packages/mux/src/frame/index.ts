/**
 * The qmux codec (spec/qmux.md §1–§2): one file per message, an encoder and an incremental
 * decoder. Exported for tools (inspectors, test peers); a Session uses it internally.
 */
export { MessageType, MESSAGE_NAMES, headerSize, type Message, type ChannelMessage } from './message.js';
export { OPEN_SIZE, readOpen, writeOpen, type OpenMessage } from './open.js';
export { OPEN_CONFIRM_SIZE, readOpenConfirm, writeOpenConfirm, type OpenConfirmMessage } from './open-confirm.js';
export { OPEN_FAILURE_SIZE, readOpenFailure, writeOpenFailure, type OpenFailureMessage } from './open-failure.js';
export { WINDOW_ADJUST_SIZE, readWindowAdjust, writeWindowAdjust, type WindowAdjustMessage } from './window-adjust.js';
export { DATA_HEADER_SIZE, readDataLength, writeDataHeader, type DataMessage } from './data.js';
export { EOF_SIZE, readEof, writeEof, type EofMessage } from './eof.js';
export { CLOSE_SIZE, readClose, writeClose, type CloseMessage } from './close.js';
export { encodeFrame, encodeFrameInto, frameSize } from './encoder.js';
export { FrameDecoder, decodeFrames, type FrameHandler } from './decoder.js';
export { UINT32_MAX } from './uint32.js';
