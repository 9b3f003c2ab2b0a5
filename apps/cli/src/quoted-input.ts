import { terminalJson } from './terminal-text.js';

/** The most characters of a field an error message repeats. */
export const ECHOED_CHARACTERS = 40;

/**
 * What the user gave (a cell of a file, an argument), quoted for an error message: in double
 * quotes, with what a terminal would act on or hide escaped, and cut to its first
 * {@link ECHOED_CHARACTERS} characters with its length when longer, so that a hostile or huge field
 * can neither flood the terminal nor hide in it: `"99999999999999…" (100001 characters)`.
 */
export function quotedInput(text: string): string {
  const characters = [...text];
  if (characters.length <= ECHOED_CHARACTERS) return terminalJson(text);
  const shown = terminalJson(characters.slice(0, ECHOED_CHARACTERS).join(''));
  return `${shown.slice(0, -1)}…" (${characters.length} characters)`;
}
