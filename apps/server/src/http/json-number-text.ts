const NUMBER_CHAR = /[-+.eE0-9]/;

/**
 * The source text of each number-valued member of a JSON object, by member name (the last one
 * wins, as in `JSON.parse`). `JSON.parse` keeps only the nearest double; money needs the text.
 *
 * Expects text that `JSON.parse` accepted and whose root is an object.
 */
export function topLevelNumberTexts(json: string): Map<string, string> {
  const found = new Map<string, string>();
  let depth = 0;
  let afterColon = false;
  let key = '';
  let i = 0;
  while (i < json.length) {
    const char = json[i] as string;
    if (char === '"') {
      const start = i;
      i++;
      while (json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
      i++;
      if (depth === 1 && !afterColon) key = JSON.parse(json.slice(start, i)) as string;
      afterColon = false;
      continue;
    }
    if (depth === 1 && afterColon && (char === '-' || (char >= '0' && char <= '9'))) {
      const start = i;
      while (i < json.length && NUMBER_CHAR.test(json[i] as string)) i++;
      found.set(key, json.slice(start, i));
      afterColon = false;
      continue;
    }
    if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') depth--;
    if (char === ':' && depth === 1) afterColon = true;
    else if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') afterColon = false;
    i++;
  }
  return found;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** A JSON number to be written as this text, digit for digit: a double would round a cost. */
export class NumberText {
  constructor(readonly text: string) {
    if (!JSON_NUMBER.test(text)) throw new Error(`not a JSON number: ${text.slice(0, 64)}`);
  }
}

/**
 * `JSON.stringify` (no spaces, `undefined` members left out) that writes each `NumberText` as its
 * text, so a cost keeps every digit on the wire.
 */
export function jsonText(value: unknown): string {
  if (value instanceof NumberText) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).filter(([, member]) => member !== undefined);
    return `{${members.map(([key, member]) => `${JSON.stringify(key)}:${jsonText(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
