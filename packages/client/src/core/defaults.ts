/**
 * What `UsageBudgetClient` uses for each option it is not given. Tools that show or restate them
 * (a command-line tool's help and its own option checks) import them from here.
 */
export const clientDefaults = {
  cloud: 'global',
  /** `X-Locale`. */
  locale: 'en-US',
  /** Per attempt, body included. */
  timeoutMs: 60_000,
  /** The whole call: two full attempts at the default `timeoutMs`, or the default retries of quick failures. */
  totalTimeoutMs: 120_000,
  maxRetries: 3,
  backoff: { initialDelayMs: 500, maxDelayMs: 60_000 },
  /**
   * The response cap of every operation but the usage records. The API's answers are small: a
   * budget is under a kilobyte, a page of customers a few hundred kilobytes. 10 MiB leaves room for
   * them and keeps a broken or hostile server from filling the caller's memory.
   */
  maxResponseBytes: 10 * 1024 * 1024,
  /**
   * The usage records' cap, all their pages together: unpaged, every customer of the portfolio in
   * one body, about 250 bytes each (12 MB for 50,000 customers), so room for a million.
   */
  usageRecordsMaxResponseBytes: 256 * 1024 * 1024,
  /** The most pages of a walk: 5 million customers at the service's 500 a page. */
  maxPages: 10_000,
} as const;

/**
 * The bulk operations' concurrency (`@usagebudget/client/bulk`): calls in flight by default, and
 * at most. A call takes a few hundred milliseconds, so 64 in flight ask for far more than the
 * service's limits (500 requests a minute per tenant for the customer resources): more would only
 * hold sockets open that the throttle keeps idle.
 */
export const bulkDefaults = { concurrency: 16, maxConcurrency: 64 } as const;
