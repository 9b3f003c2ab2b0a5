// Exact JSON numbers. The spec's costs and amounts are decimals that "readers must keep exact", and
// JSON.parse keeps only the nearest double of a number (`28.82860766744404945074` becomes
// `28.82860766744405`); Node 20's JSON.parse gives a reviver no access to a number's text. So a
// reader takes the text of the numbers it must keep from the JSON text itself: the client the
// costs of every response (`numberTextParser`), the server the amount of a request
// (`topLevelNumberTexts`). No import: the client inlines this module.

/** A JSON number (RFC 8259): an optional `-`, no leading zero, optional decimals and exponent. */
export const JSON_NUMBER_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

const NUMBER_CHAR = /[-+.eE0-9]/;

/**
 * The source text of each number-valued member of a JSON object, by member name (the last one
 * wins, as in `JSON.parse`; names with escapes are read as JSON reads them). Members of nested
 * objects are not read.
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

/**
 * A `JSON.parse` that gives the number value of each member named in `members`, at any depth, as
 * a string holding its text exactly as received, digit for digit; every other number stays a
 * number, and a member sent as a string stays that string. The parser answers `undefined` when
 * the text is not JSON. Names are plain (no quote, backslash or escape): a name written with
 * escapes in the text is read as JSON.parse reads it, a number.
 *
 * How: before parsing, the number of each such member is written as a JSON string of its text, by
 * one regular expression that only a member can match: a member's name is a string right after
 * `{` or `,` (and whitespace); a quote inside a string is always escaped, so a quote after `{`,
 * `,` or whitespace starts a string, unless it ends one, and after a closing quote no name's
 * first character may follow. One expression rather than a lossless JSON reader keeps the
 * client's bundle small and a large body fast.
 */
export function numberTextParser(members: readonly string[]): (json: string) => unknown {
  for (const name of members) {
    if (!/^[^"\\]+$/.test(name)) throw new RangeError(`not a plain member name: ${JSON.stringify(name)}`);
  }
  const names = members.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  // JSON_NUMBER_PATTERN without its anchors; `\s` is wider than JSON's whitespace, but JSON.parse
  // refuses what it adds anyway.
  const member = new RegExp(`([{,]\\s*"(?:${names})"\\s*:\\s*)(${JSON_NUMBER_PATTERN.source.slice(1, -1)})`, 'g');
  return (json) => {
    try {
      return JSON.parse(json.replace(member, '$1"$2"'));
    } catch {
      return undefined;
    }
  };
}
