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

/**
 * A value to be written as this JSON text, as it is: text that `JSON.parse` accepted (a request
 * body a mock keeps), which need not be parsed and written again.
 */
export class JsonTextValue {
  constructor(readonly text: string) {}
}

/** A JSON number to be written as this text, digit for digit: a double would round a cost. */
export class NumberText extends JsonTextValue {
  constructor(text: string) {
    if (!JSON_NUMBER.test(text)) throw new Error(`not a JSON number: ${text.slice(0, 64)}`);
    super(text);
  }
}

/**
 * An array written from batches of items read one after another (a partner's whole portfolio),
 * so a response can be sent in chunks instead of built whole: see {@link jsonChunks}.
 */
export class JsonArrayStream {
  constructor(readonly batches: Iterable<readonly unknown[]>) {}
}

function holdsStream(value: unknown): boolean {
  if (value instanceof JsonArrayStream) return true;
  if (value instanceof JsonTextValue || value === null || typeof value !== 'object') return false;
  return (Array.isArray(value) ? value : Object.values(value)).some(holdsStream);
}

/**
 * The text of {@link jsonText} in pieces: each `JsonArrayStream` batch is read only when the
 * piece before it has been taken, and is one piece. Joined, the pieces are `jsonText(value)`.
 */
export function* jsonChunks(value: unknown): Generator<string, void, undefined> {
  if (value instanceof JsonArrayStream) {
    let first = true;
    yield '[';
    for (const batch of value.batches) {
      if (batch.length === 0) continue;
      yield `${first ? '' : ','}${batch.map(jsonText).join(',')}`;
      first = false;
    }
    yield ']';
  } else if (!holdsStream(value)) {
    yield jsonText(value);
  } else if (Array.isArray(value)) {
    yield '[';
    for (const [index, member] of value.entries()) {
      if (index > 0) yield ',';
      yield* jsonChunks(member);
    }
    yield ']';
  } else {
    const members = Object.entries(value as object).filter(([, member]) => member !== undefined);
    yield '{';
    for (const [index, [key, member]] of members.entries()) {
      yield `${index > 0 ? ',' : ''}${JSON.stringify(key)}:`;
      yield* jsonChunks(member);
    }
    yield '}';
  }
}

/**
 * `JSON.stringify` (no spaces, `undefined` members left out) that writes each `NumberText` (each
 * `JsonTextValue`) as its text, so a cost keeps every digit on the wire, and a `JsonArrayStream`
 * as the array of its items.
 */
export function jsonText(value: unknown): string {
  if (value instanceof JsonTextValue) return value.text;
  if (value instanceof JsonArrayStream) return [...jsonChunks(value)].join('');
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).filter(([, member]) => member !== undefined);
    return `{${members.map(([key, member]) => `${JSON.stringify(key)}:${jsonText(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
