/**
 * netstring.decodeFrame (spec/wire.md §3.10). Only WireErrors come out; a frame it accepts is
 * exactly `encodeFrame(payload)`, the payload a view of the input; `maxBytes` is decided from
 * the prefix alone.
 */
import fc from 'fast-check';
import { netstring, WireError } from '@petrichor/wire';
import { attempt, hex, invariant, sameBytes, type Target } from '../harness.js';
import { ascii, decimalPrefixes, EXTREME_LENGTHS, hostileBytes } from '../mutate.js';

const valid = fc
  .array(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 40 }).map(ascii)), { minLength: 1, maxLength: 4 })
  .map((payloads) => Buffer.concat(payloads.map((p) => netstring.encodeFrame(p))));

interface Input {
  bytes: Uint8Array;
  maxBytes: number | undefined;
}

export const netstringTarget: Target<Input> = {
  name: 'netstring',
  about: 'netstring decodeFrame, default and extreme maxBytes',
  runs: 200_000,
  input: fc.record({
    bytes: hostileBytes({
      valid: valid.map((b) => new Uint8Array(b)),
      lengthFields: decimalPrefixes,
      tokens: ['0:', '1:', '999999999:', '1234567890:', ',', ':', '-1:', ' '].map(ascii),
      hostileHeads: ['999999999:', '4294967295:', '16777217:'].map(ascii),
    }),
    maxBytes: fc.option(fc.oneof(fc.nat(100), fc.constantFrom(...EXTREME_LENGTHS.filter((n) => n > 0))), { nil: undefined }),
  }),
  examples: [
    { bytes: ascii('999999999:abc'), maxBytes: undefined },
    { bytes: ascii('999999999:abc'), maxBytes: 999_999_999 },
    { bytes: ascii('4294967295:abc'), maxBytes: 999_999_999 },
    { bytes: ascii('0:,'), maxBytes: 1 },
  ],
  size: (input) => input.bytes.length,
  check({ bytes, maxBytes }) {
    const options = maxBytes === undefined ? undefined : { maxBytes };
    const label = `netstring.decodeFrame(input, ${JSON.stringify(options)})`;
    if (maxBytes === 0) return; // not a valid limit; refused by the function, a programming error
    const frame = attempt(label, WireError, bytes.length, () => netstring.decodeFrame(bytes, options));
    if (!frame.ok) return;
    const { payload, rest } = frame.value;
    invariant(payload.buffer === bytes.buffer, () => `${label}: payload is a copy, not a view`);
    invariant(payload.length <= (maxBytes ?? 16 * 1024 * 1024), () => `${label}: payload of ${payload.length} bytes over maxBytes`);
    const head = bytes.subarray(0, bytes.length - rest.length);
    invariant(sameBytes(netstring.encodeFrame(payload), head), () => `${label}: accepted a frame that is not encodeFrame(payload): ${hex(head)}`);
    invariant(sameBytes(rest, bytes.subarray(head.length)), () => `${label}: rest is not the tail of the input`);
  },
};
