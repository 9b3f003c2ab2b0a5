/**
 * The IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) that an HTTP-date in one of the two obsolete
 * forms RFC 9110 5.6.7 still requires recipients to accept stands for: RFC 850
 * (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`, in GMT too).
 * Any other text is returned as it is.
 */
function asImfFixdate(text: string, now: number): string {
  return text
    .replace(/^(\w{3})[a-z]*, (\d\d)-(\w{3})-(\d\d) (\S+) GMT$/, (_, day, date, month, year, time) => {
      // A two-digit year is the one not more than 50 years ahead.
      const century = 2000 + Number(year) > new Date(now).getUTCFullYear() + 50 ? 19 : 20;
      return `${day}, ${date} ${month} ${century}${year} ${time} GMT`;
    })
    .replace(
      /^(\w{3}) (\w{3}) ( \d|\d\d) (\S+) (\d{4})$/,
      (_, day, month, date: string, time, year) => `${day}, ${date.replace(' ', '0')} ${month} ${year} ${time} GMT`,
    );
}

/** An HTTP-date in milliseconds since the epoch; `undefined` when `text` is not one. */
export function parseHttpDate(text: string, now = Date.now()): number | undefined {
  const imf = asImfFixdate(text, now);
  const date = Date.parse(imf);
  // toUTCString() writes exactly an IMF-fixdate: a text that does not come back the same is none
  // (another format, 31 Feb, 25:00, a weekday that does not match the date).
  return new Date(date).toUTCString() === imf ? date : undefined;
}

/**
 * The wait a `Retry-After` header asks for, in milliseconds: delay-seconds (digits only) or an
 * HTTP-date, as RFC 9110 10.2.3 allows; `undefined` without one, or for anything else (`-1`,
 * `2.5`, a word), and the exponential backoff applies then.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = parseHttpDate(text, now);
  return date === undefined ? undefined : Math.max(0, date - now);
}
