const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `bytes` as text when they are valid UTF-8, else undefined. */
export function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Two lower-case hex digits per byte, no separator. */
export function hex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** Two hex digits per byte, separated by spaces (`68 65 6c`). */
export function spacedHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (i === 0 ? '' : ' ') + bytes[i]!.toString(16).padStart(2, '0');
  return out;
}
