// Costs arrive as JSON numbers with more digits than a double holds (`28.82860766744404945074`),
// and Node 20's JSON.parse gives a reviver no access to a number's text. So before parsing, the
// number value of a cost property (`totalCost`, `usdTotalCost`: the spec's `anyOf: [Decimal,
// number]`, which the client's tests check) is written as a JSON string of its exact text; the
// rest of the body parses as usual. One regular expression rather than a lossless JSON library:
// it keeps the client's bundle small and leaves every other number a number.
//
// Only a key can match: a key is a string token right after `{` or `,`; a quote inside a string is
// always escaped (`\"`), so a quote after `{`, `,` or whitespace delimits a string; and after a
// closing quote only `,` `:` `}` `]` or whitespace may follow. (`\s` is wider than JSON's
// whitespace, but JSON.parse refuses what it adds anyway.)
const COST_NUMBER = /([{,]\s*"(?:totalCost|usdTotalCost)"\s*:\s*)(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/**
 * JSON.parse, except that the number value of a cost property becomes a string holding its text
 * exactly as received, digit for digit. A cost sent as a string stays that string. `undefined`
 * when the text is not JSON.
 */
export function parseExactJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(COST_NUMBER, '$1"$2"'));
  } catch {
    return undefined;
  }
}
