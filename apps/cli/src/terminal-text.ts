import stringWidth from 'string-width';

// Text the CLI shows a person but did not write (a company name, a date, a fault's description, an
// HTML page's title, a response header, a line of a file) could drive the terminal: ESC starts
// every escape sequence (CSI to recolour or move the cursor, OSC to set the title or plant a
// hyperlink, DCS), C1 controls are those sequences' one-character forms (U+009B is a CSI), and
// bidi controls reorder what follows them (U+202E shows `exe.txt` as `txt.exe`). So every C0 and
// C1 control and DEL (Cc), every format character (Cf: the bidi embeddings, overrides, isolates
// and marks U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C; zero-width spaces and joiners; the
// BOM; soft hyphens; tag characters), the line and paragraph separators (Zl, Zp) and lone
// surrogates (Cs) are shown as a visible escape, `\u{1b}`: nothing is hidden and no words merge.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** Text from a service or a file as a terminal may show it: every character in {@link UNSAFE} as `\u{hex}`. */
export function terminalText(text: string): string {
  return String(text).replace(UNSAFE, (character) => `\\u{${(character.codePointAt(0) as number).toString(16)}}`);
}

/** A text of several lines (the CLI's own line breaks) with each line made safe by {@link terminalText}. */
export function terminalLines(text: string): string {
  return text.split('\n').map(terminalText).join('\n');
}

/**
 * `JSON.stringify(value)` with the characters of {@link UNSAFE} that JSON leaves as they are (C1
 * controls, DEL, format characters, separators) written as JSON's `\u` escapes: the same data for
 * any JSON reader, and nothing a terminal would act on when a person reads it.
 */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (character) =>
    [...Array(character.length).keys()]
      .map((index) => `\\u${character.charCodeAt(index).toString(16).padStart(4, '0')}`)
      .join(''),
  );
}

/** {@link terminalJson} and a line break: a JSON line of `--json` output. */
export function jsonLine(value: unknown): string {
  return `${terminalJson(value)}\n`;
}

/** The columns a terminal gives `text` (safe text: see {@link terminalText}): 2 for wide characters, 0 for combining ones. */
export function displayWidth(text: string): number {
  // Printable ASCII, by far the most text, is one column a character.
  return /^[ -~]*$/.test(text) ? text.length : stringWidth(text);
}

/** `text` and spaces up to `width` display columns. */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Spaces and `text` up to `width` display columns. */
export function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}
