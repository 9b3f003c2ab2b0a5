const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A decimal's value as `digits e exponent`, without leading or trailing zeros: equal keys, equal values. */
function decimalKey(text: string): string | undefined {
  const match = DECIMAL.exec(text);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  let digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  let scale = Number(exponent) - fraction.length;
  const trimmed = digits.replace(/0+$/, '');
  scale += digits.length - trimmed.length;
  digits = trimmed;
  return `${sign}${digits}e${scale}`;
}

/**
 * The canonical JSON text of a JSON number's exact decimal value, or `undefined` when a JSON
 * reader (a double) cannot give that value back exactly: too many significant digits, or out of range.
 *
 * The canonical text is the shortest text that round-trips through a double, which is what every
 * JSON writer emits, so storing it as text and writing it back verbatim keeps `123.45` as `123.45`.
 */
export function exactDecimal(jsonNumberText: string): string | undefined {
  const canonical = String(Number(jsonNumberText));
  const key = decimalKey(jsonNumberText);
  if (key === undefined || decimalKey(canonical) !== key) return undefined;
  // -0 has the key of 0; store it as 0.
  return key === '0' ? '0' : canonical;
}
