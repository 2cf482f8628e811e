/** Default of `--max-input`: 64 MiB, four times the largest message a peer accepts by default. */
export const DEFAULT_MAX_INPUT = 64 * 1024 * 1024;
/** Bytes (or characters) of a value shown on a line, unless `--full`. */
export const PREVIEW = 64;
