/** The most characters of a field an error message repeats. */
export const ECHOED_CHARACTERS = 40;

// What a terminal would act on or hide and JSON leaves as it is (DEL and the C1 controls, bidi
// overrides, zero-width and other format characters, line and paragraph separators): \u escapes.
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

const escaped = (text: string) =>
  JSON.stringify(text).replace(HIDDEN, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * What the user gave (a cell of a file, an argument), quoted for an error message: in double
 * quotes, with what a terminal would act on or hide escaped, and cut to its first
 * {@link ECHOED_CHARACTERS} characters with its length when longer, so that a hostile or huge field
 * can neither flood the terminal nor hide in it: `"99999999999999…" (100001 characters)`.
 */
export function quotedInput(text: string): string {
  const characters = [...text];
  if (characters.length <= ECHOED_CHARACTERS) return escaped(text);
  const shown = escaped(characters.slice(0, ECHOED_CHARACTERS).join(''));
  return `${shown.slice(0, -1)}…" (${characters.length} characters)`;
}
