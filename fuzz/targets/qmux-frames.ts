/**
 * The qmux frame decoder (spec/qmux.md §1–§2): FrameDecoder fed whole, in random chunks and one
 * byte at a time, joining DATA or streaming it, and decodeFrames. Only MuxErrors come out; the
 * cut never changes the messages or the error; a DATA over the max packet (2^32 − 1 included) is
 * refused from its header, before any payload is buffered; accepted bytes re-encode exactly.
 */
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { decodeFrames, encodeFrame, FrameDecoder, MessageType, MuxError, type Message } from '@petrichor/mux';
import { attempt, chunked, tally, concat, hex, invariant, sameBytes, typed, type Target } from '../harness.js';
import { hostileBytes } from '../mutate.js';
import { qmuxFormat, unhex } from '../qmux-format.js';

interface Input {
  bytes: Uint8Array;
  cuts: number[];
  maxPacketSize: number;
}

interface Outcome {
  messages: Message[];
  error?: { code: string; message: string };
  idle: boolean;
}

export const qmuxFramesTarget: Target<Input> = {
  name: 'qmux-frames',
  about: 'qmux FrameDecoder (joined and streamed DATA) and decodeFrames, whole / random / 1-byte chunks',
  runs: 30_000,
  input: fc.record({
    bytes: hostileBytes(qmuxFormat),
    cuts: fc.array(fc.nat(), { maxLength: 12 }),
    maxPacketSize: fc.constantFrom(0xffffffff, 64 * 1024, 2 ** 31, 9, 300),
  }),
  examples: [
    { bytes: unhex('68 00000000 ffffffff 616263'), cuts: [10], maxPacketSize: 0xffffffff },
    { bytes: unhex('68 00000000 ffffffff 616263'), cuts: [], maxPacketSize: 64 * 1024 },
    { bytes: unhex('68 00000000 3b9ac9ff 61'), cuts: [4], maxPacketSize: 0xffffffff },
  ],
  size: (i) => i.bytes.length,
  check({ bytes, cuts, maxPacketSize }) {
    const size = bytes.length;
    const runs: [string, Uint8Array[], boolean][] = [
      ['whole, joined', [bytes], false],
      ['whole, streamed', [bytes], true],
      ['random chunks, joined', chunked(bytes, cuts), false],
      ['random chunks, streamed', chunked(bytes, cuts), true],
      ['1-byte chunks, streamed', chunked(bytes, 'bytes'), true],
    ];
    const outcomes = runs.map(([how, chunks, stream]) => {
      const label = `FrameDecoder(${maxPacketSize}) fed ${how}`;
      const result = attempt(label, MuxError, size, () => feed(label, maxPacketSize, chunks, stream), { pushes: chunks.length });
      invariant(result.ok, () => `${label}: feed threw past its own catch`);
      return result.value;
    });
    const first = outcomes[0]!;
    outcomes.forEach((other, i) => {
      const how = runs[i]![0];
      invariant(isDeepStrictEqual(first.error, other.error), () => `fed whole: ${JSON.stringify(first.error)}; fed ${how}: ${JSON.stringify(other.error)} (${hex(bytes)})`);
      if (first.error === undefined) {
        invariant(other.idle === first.idle && isDeepStrictEqual(first.messages, other.messages), () => `fed ${how}, the messages differ from fed whole (${hex(bytes)})`);
      } else {
        const [short, long] = first.messages.length <= other.messages.length ? [first, other] : [other, first];
        invariant(isDeepStrictEqual(short.messages, long.messages.slice(0, short.messages.length)), () => `fed ${how}, the messages before the error differ (${hex(bytes)})`);
      }
    });

    const whole = attempt(`decodeFrames(input, ${maxPacketSize})`, MuxError, size, () => decodeFrames(bytes, maxPacketSize));
    invariant(whole.ok === (first.error === undefined && first.idle), () => `decodeFrames ${whole.ok ? 'accepted' : 'refused'} what FrameDecoder ${first.error === undefined && first.idle ? 'accepted' : 'refused'} (${hex(bytes)})`);
    if (whole.ok) {
      invariant(isDeepStrictEqual(whole.value, first.messages), () => `decodeFrames and FrameDecoder disagree (${hex(bytes)})`);
      invariant(sameBytes(concat(whole.value.map((m) => encodeFrame(m))), bytes), () => `decoded messages do not re-encode to the input (${hex(bytes)})`);
    }
  },
};

function feed(label: string, maxPacketSize: number, chunks: readonly Uint8Array[], stream: boolean): Outcome {
  const decoder = new FrameDecoder(maxPacketSize);
  const messages: Message[] = [];
  let partial: { recipientId: number; length: number; have: number; pieces: Uint8Array[] } | undefined;
  const handler = stream
    ? {
        message: (m: Message) => void messages.push(m),
        dataStart(recipientId: number, length: number) {
          invariant(length <= maxPacketSize, () => `${label}: dataStart(${length}) past the max packet ${maxPacketSize}`);
          partial = { recipientId, length, have: 0, pieces: [] };
        },
        dataPiece(piece: Uint8Array) {
          invariant(partial !== undefined, () => `${label}: dataPiece without dataStart`);
          partial.pieces.push(piece);
          partial.have += piece.length;
          invariant(partial.have <= partial.length, () => `${label}: pieces add up past the DATA length`);
          if (partial.have === partial.length) {
            messages.push({ type: MessageType.Data, recipientId: partial.recipientId, data: concat(partial.pieces) });
            partial = undefined;
          }
        },
      }
    : (m: Message) => void messages.push(m.type === MessageType.Data ? { ...m, data: m.data.slice() } : m);
  let pushed = 0;
  try {
    for (const chunk of chunks) {
      pushed += chunk.length;
      decoder.push(chunk, handler);
      invariant(decoder.buffered <= pushed, () => `${label}: holds ${decoder.buffered} bytes after receiving ${pushed}`);
    }
    tally(decoder.idle ? 'stream ok' : 'stream ok, ends inside a message');
    return { messages, idle: decoder.idle };
  } catch (error) {
    const e = typed(label, MuxError, error);
    tally(`stream ${e.code}`);
    return { messages, idle: decoder.idle, error: { code: String(e.code), message: e.message } };
  }
}
