/**
 * Buffers for small encodings, carved out of shared slabs: a fresh ArrayBuffer costs about a
 * microsecond (and adds to GC work), more than encoding a small message. Each part is handed out
 * once and never reused, so it stays valid as long as it is held; its `buffer` is the whole slab
 * (as with Node's `Buffer.allocUnsafe`), so use `byteOffset`/`byteLength` with it, and do not
 * transfer it.
 */
const SLAB_SIZE = 16 * 1024;
/** Larger buffers get one of their own. */
const SMALL = 1024;

let slab = new Uint8Array(0);
let used = 0;

/** `size` zeroed bytes that nothing else uses. */
export function allocate(size: number): Uint8Array {
  if (size > SMALL) return new Uint8Array(size);
  // A slab that was transferred (detached) has length 0 and is replaced here too.
  if (used + size > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  const out = slab.subarray(used, used + size);
  used += size;
  return out;
}
