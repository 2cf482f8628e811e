import { LimitError, shiftOffset, type LimitName } from '../errors.js';
import { prefixSize, readLengthPrefix } from '../length-prefix.js';
import type { FrameScanner } from '../codec.js';

/** The longest `LEN:` prefix: 9 digits and the colon. */
const MAX_PREFIX = 10;

/**
 * Finds the end of a frame that starts with a `LEN:` prefix and has exactly one byte after its
 * LEN bytes of data: a tnetstring (the type byte) or a netstring frame (the `,`). The size is
 * known as soon as the prefix is (spec/wire.md §6.2), so an over-limit frame is refused before
 * any of its data is buffered. The type byte or `,` itself is checked when the frame is decoded.
 */
export class LengthPrefixedScanner implements FrameScanner {
  /** The prefix when it arrives split across pieces (at most {@link MAX_PREFIX} bytes). */
  #prefix = new Uint8Array(MAX_PREFIX);
  #prefixLength = 0;
  #consumed = 0;
  #maxBytes = 0;
  #limitName: LimitName = 'maxElementBytes';
  size = -1;

  reset(maxBytes: number, limitName: LimitName): void {
    this.#maxBytes = maxBytes;
    this.#limitName = limitName;
    this.#prefixLength = 0;
    this.#consumed = 0;
    this.size = -1;
  }

  feed(bytes: Uint8Array, from: number, end: number): number {
    if (this.size < 0) {
      if (this.#consumed === 0) {
        let length: number;
        try {
          length = readLengthPrefix(bytes, from, end);
        } catch (error) {
          throw shiftOffset(error, -from);
        }
        if (length >= 0) {
          this.#known(length);
        } else {
          // The prefix continues in the next piece: keep its first bytes (at most 9 digits, or it would have thrown).
          this.#prefix.set(bytes.subarray(from, end));
          this.#prefixLength = end - from;
          this.#consumed = end - from;
          return -1;
        }
      } else {
        while (this.size < 0) {
          if (from === end) return -1;
          this.#prefix[this.#prefixLength++] = bytes[from++]!;
          this.#consumed++;
          const length = readLengthPrefix(this.#prefix, 0, this.#prefixLength);
          if (length >= 0) this.#known(length);
        }
      }
    }
    const remaining = this.size - this.#consumed;
    if (end - from >= remaining) {
      this.#consumed = this.size;
      return from + remaining;
    }
    this.#consumed += end - from;
    return -1;
  }

  #known(length: number): void {
    const size = prefixSize(length) + length + 1;
    if (size > this.#maxBytes) throw new LimitError(this.#limitName, this.#maxBytes, size, 0);
    this.size = size;
  }
}
