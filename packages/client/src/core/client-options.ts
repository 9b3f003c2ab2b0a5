import type { AxiosInstance } from 'axios';
import type { CloudName } from '../clouds.js';
import type { Logger, LogLevel, ResponseValidator, TokenCredential, TokenProvider } from './call-types.js';

/** Options of `UsageBudgetClient`. */
export interface UsageBudgetClientOptions {
  /** The cloud whose API to call; `global` by default. Ignored when `baseURL` is given. */
  cloud?: CloudName;
  /** The API base URL, for a proxy, a mock or a test server. */
  baseURL?: string;
  /**
   * An access token; a function that returns one (called before every attempt); or a
   * `TokenCredential` such as `@azure/identity`'s, asked for the scope of the cloud and the
   * operation's token kind, its tokens kept until 2 minutes before they expire.
   */
  credential: string | TokenProvider | TokenCredential;
  /** `X-Locale`: the language of error descriptions; `en-US` by default. */
  locale?: string;
  /** `MS-PartnerCenter-Application`: your application's name, for Partner Center's diagnostics. */
  application?: string;
  /**
   * Per-attempt timeout in milliseconds, from connecting to the last byte of the body (a body
   * that trickles in does not extend it); 60 000 by default.
   */
  timeoutMs?: number;
  /**
   * Deadline of a whole call in milliseconds: token requests, attempts and the waits between them;
   * 120 000 by default. A retry whose wait would end past it is not made.
   */
  totalTimeoutMs?: number;
  /**
   * The largest response body the client reads, in bytes. By default 10 MiB, and 256 MiB for the
   * usage records (`listCustomerUsageRecords`), which come unpaged, every customer of the portfolio
   * in one body. A longer one fails with `ResponseTooLargeError` and the rest of it is not read
   * (enforced by axios in Node). Should the usage records come in pages, the cap holds for all of
   * them together.
   */
  maxResponseBytes?: number;
  /**
   * The most pages one walk reads (`listCustomers`, and the usage records should they come paged):
   * a listing with more fails with a `PagingError` (code `PageLimit`). 10 000 by default, 5 million
   * customers at the service's 500 a page. A walk also ends with a `PagingError` when a page leads
   * back to one it has read, and after 10 empty pages in a row.
   */
  maxPages?: number;
  /**
   * Checks each 2xx body before the client returns it: a body with problems fails the call with a
   * `ResponseValidationError` naming each field and rule. `specResponseValidator()` of
   * `@usagebudget/client/validation` checks them against the spec (a subpath, so that the main
   * entry's bundle does not carry the spec). Without one, the client checks only what it needs
   * (a JSON object; the links it follows), and returns bodies as the service sent them.
   */
  validateResponses?: ResponseValidator;
  /** Retries of a transient failure (408, 429, 5xx, connection error, timeout); 3 by default, 0 disables. */
  maxRetries?: number;
  /** Backoff between retries: `initialDelayMs` (500) doubles with jitter up to `maxDelayMs` (60 000). */
  backoff?: { initialDelayMs?: number; maxDelayMs?: number };
  /** The axios instance to send with (interceptors, proxies, adapters); the global axios by default. */
  axios?: AxiosInstance;
  /**
   * Where log lines go, at `logLevel`: standard error by default (the console in browsers). Given
   * without a level, it gets every line (`debug`).
   */
  logger?: Logger;
  /**
   * How much to log: `error`, `warning` (retries, refreshes, attempts that may be retried), `info`
   * (a line per attempt: operation, status, duration, `MS-RequestId`, `MS-CorrelationId`) or
   * `debug`. By default the `USAGEBUDGET_LOG` environment variable (Node), else nothing (`debug`
   * with a `logger`).
   */
  logLevel?: LogLevel;
  /**
   * The proxy of every request, as a URL (`http://user:pass@proxy.example:8080`), or `false` to
   * ignore the environment. By default, in Node, `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (or
   * their lower case): an `https` API through a `CONNECT` tunnel, an `http` one by absolute URI.
   * Browsers use the system's proxy: the option has no effect there.
   */
  proxy?: string | false;
}
