/**
 * The wait a `Retry-After` header asks for, in milliseconds: delay-seconds or an HTTP date;
 * `undefined` without one, or when it cannot be read (the exponential backoff applies then).
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
