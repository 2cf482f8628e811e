/**
 * Colours, by hand (no dependency): ANSI SGR codes, used only when the stream is a terminal and
 * the user has not said otherwise.
 */

/** The environment variables that decide colour. */
export interface ColourEnv {
  readonly NO_COLOR?: string | undefined;
  readonly FORCE_COLOR?: string | undefined;
  readonly TERM?: string | undefined;
}

/**
 * Whether to colour a stream. `FORCE_COLOR` wins when set (`0` or `false` turn colour off, any
 * other value on), as in Node itself; then a non-empty `NO_COLOR` turns it off (no-color.org);
 * otherwise colour exactly when the stream is a terminal whose `TERM` is not `dumb`.
 */
export function colourEnabled(isTTY: boolean, env: ColourEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY && env.TERM !== 'dumb';
}

/** Text styles; each returns its input unchanged when colour is off. */
export interface Style {
  readonly enabled: boolean;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly blue: (text: string) => string;
  readonly magenta: (text: string) => string;
  readonly cyan: (text: string) => string;
}

function sgr(open: number, close: number): (text: string) => string {
  return (text) => (text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`);
}

const plain = (text: string): string => text;

const COLOURED: Style = {
  enabled: true,
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  blue: sgr(34, 39),
  magenta: sgr(35, 39),
  cyan: sgr(36, 39),
};

const PLAIN: Style = {
  enabled: false,
  bold: plain,
  dim: plain,
  red: plain,
  green: plain,
  yellow: plain,
  blue: plain,
  magenta: plain,
  cyan: plain,
};

/** The styles for a stream: coloured or plain. */
export function styleFor(enabled: boolean): Style {
  return enabled ? COLOURED : PLAIN;
}

/** Characters of `text` as displayed: without ANSI codes (for aligning columns). */
export function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex -- stripping our own SGR codes
  return text.replace(/\u001b\[\d+m/g, '').length;
}
