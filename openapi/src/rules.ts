// The spec's rules on values that code outside a validator checks too: the client and the CLI
// before they send, the server on what it stores. No import: the client inlines this module into
// its own build, and must not pull the spec or Ajv in with it.

/**
 * A GUID as the spec means it, for `format: uuid` and the `MS-RequestId` / `MS-CorrelationId`
 * pattern alike: canonical 8-4-4-4-12 hex, either case; no `urn:uuid:` prefix, no braces.
 */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a GUID the spec accepts (see {@link GUID_PATTERN}). */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID_PATTERN.test(value);
}

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
 * The canonical JSON text of a decimal's exact value, or `undefined` when a JSON reader (a
 * double) cannot give that value back exactly: too many significant digits, or out of range. The
 * spec's amounts are decimals that "servers must keep exact": this is what exact means.
 *
 * The canonical text is the shortest text that round-trips through a double, which is what every
 * JSON writer emits, so storing it as text and writing it back verbatim keeps `123.45` as `123.45`.
 * Accepts any JSON number text (`123.450`, `1.5E-7`, `-0`).
 */
export function exactDecimal(jsonNumberText: string): string | undefined {
  const canonical = String(Number(jsonNumberText));
  const key = decimalKey(jsonNumberText);
  if (key === undefined || decimalKey(canonical) !== key) return undefined;
  // -0 has the key of 0; it is written 0.
  return key === '0' ? '0' : canonical;
}

/** The spec's `Decimal` (`format: decimal`): plain notation, an optional sign, digits, optionally a point and more. */
export const DECIMAL_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?$/;
