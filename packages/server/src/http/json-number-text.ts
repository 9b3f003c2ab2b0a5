// Reading a number's exact text is the spec package's (`@usagebudget/openapi/json-numbers`, one home
// with the client); writing JSON with numbers kept as text, and in chunks, is the server's.
import { JSON_NUMBER_PATTERN } from '@usagebudget/openapi/json-numbers';

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
    if (!JSON_NUMBER_PATTERN.test(text)) throw new Error(`not a JSON number: ${text.slice(0, 64)}`);
    super(text);
  }
}

/**
 * An array written from batches of items read one after another (a partner's whole portfolio,
 * read from the store a batch at a time), so a response can be sent in chunks instead of built
 * whole: see {@link jsonChunks}.
 */
export class JsonArrayStream {
  constructor(readonly batches: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>) {}
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
export async function* jsonChunks(value: unknown): AsyncGenerator<string, void, undefined> {
  if (value instanceof JsonArrayStream) {
    let first = true;
    yield '[';
    for await (const batch of value.batches) {
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
 * of synchronous batches as the array of its items (an asynchronous one is a `TypeError`: write
 * it with {@link jsonChunks}).
 */
export function jsonText(value: unknown): string {
  if (value instanceof JsonTextValue) return value.text;
  if (value instanceof JsonArrayStream) {
    if (!(Symbol.iterator in value.batches)) throw new TypeError('jsonText cannot wait for batches: use jsonChunks');
    return jsonText([...value.batches].flat());
  }
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).filter(([, member]) => member !== undefined);
    return `{${members.map(([key, member]) => `${JSON.stringify(key)}:${jsonText(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
