import ansiHTML from 'ansi-html-community';
import escapeHtml from 'escape-html';

// Colours that read well on the overlay's dark background. Set on first use,
// so importing this module has no side effect.
let coloursSet = false;
const OVERLAY_COLOURS: Record<string, string | string[]> = {
  reset: ['e8e8e8', 'transparent'],
  black: '4d4d4d',
  red: 'ff6b6b',
  green: '7ee787',
  yellow: 'f2cc60',
  blue: '79c0ff',
  magenta: 'd2a8ff',
  cyan: '76e3ea',
  lightgrey: 'c9d1d9',
  darkgrey: '8b949e',
};

// Any escape sequence the converter did not turn into markup (combined
// parameters like `1;31m`, cursor movement…): dropped rather than shown raw.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const LEFTOVER_ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Compiler output → safe HTML: the text is escaped first, so markup in an
 * error message (`<img src=x onerror=…>`) stays text; only the converter's
 * own colour spans are markup.
 */
export function ansiToHtml(text: string): string {
  if (!coloursSet) {
    ansiHTML.setColors(OVERLAY_COLOURS);
    coloursSet = true;
  }
  return ansiHTML(escapeHtml(text)).replace(LEFTOVER_ANSI, '');
}

/** Compiler output without colours, for the console. */
export function stripAnsi(text: string): string {
  return text.replace(LEFTOVER_ANSI, '');
}
