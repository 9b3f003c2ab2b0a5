import type { AxiosInstance } from 'axios';
import { type CloudName, clouds } from './clouds.js';
import { CallPromise } from './core/call-promise.js';
import type { CallOptions, Logger, TokenProvider } from './core/call-types.js';
import { isGuid } from './core/rules.js';
import { SDK_CLIENT } from './core/sdk-client.js';
import type { UsageBudgetApi } from './generated/api.js';
import type { SpendingBudget } from './generated/models/index.js';
import { check, checkRange } from './internal/argument-checks.js';
import { type CallSettings, runCall, type Send } from './internal/attempt-loop.js';
import { loadUsageBudgetApi } from './internal/raw-api-loader.js';

/** Options of {@link UsageBudgetClient}. */
export interface UsageBudgetClientOptions {
  /** The cloud whose API to call; `global` by default. Ignored when `baseURL` is given. */
  cloud?: CloudName;
  /** The API base URL, for a proxy, a mock or a test server. */
  baseURL?: string;
  /** An access token, or a function that returns one (called before every attempt). */
  credential: string | TokenProvider;
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
   * The largest response body the client reads, in bytes; 10 MiB by default. A longer one fails
   * with `ResponseTooLargeError` and the rest of it is not read (enforced by axios in Node).
   */
  maxResponseBytes?: number;
  /** Retries of a transient failure (408, 429, 5xx, connection error, timeout); 3 by default, 0 disables. */
  maxRetries?: number;
  /** Backoff between retries: `initialDelayMs` (500) doubles with jitter up to `maxDelayMs` (60 000). */
  backoff?: { initialDelayMs?: number; maxDelayMs?: number };
  /** The axios instance to send with (interceptors, proxies, adapters); the global axios by default. */
  axios?: AxiosInstance;
  /** Receives a debug line per attempt and a warning per retry. */
  logger?: Logger;
}

/**
 * The API's answers are small: a budget is under a kilobyte, and the largest response (usage
 * records of a big portfolio) a few megabytes. 10 MiB leaves room for that, and keeps a broken or
 * hostile server from filling the caller's memory.
 */
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Two full attempts at the default `timeoutMs`, or the default retries of quick failures. */
const DEFAULT_TOTAL_TIMEOUT_MS = 120_000;

// The spec's X-Locale schema: this pattern and at most 35 characters (the contract suite checks
// the client against the spec's limits).
const LOCALE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
const LOCALE_MAX_LENGTH = 35;

/**
 * A client for a customer's usage spending budget. Every method validates its arguments before
 * sending anything, retries transient failures with the same `MS-RequestId`, and fails with a
 * subclass of `PartnerCenterError`. Each returns a {@link CallPromise}: await it for the
 * `SpendingBudget`, or call `.withResponse()` for `{ data, response }`.
 *
 * @example
 * const client = new UsageBudgetClient({ credential: async () => getToken() });
 * const budget = await client.getBudget('0c39d6d5-c70d-4c55-bc02-f620844f3fd1');
 * const { data, response } = await client.setBudget(id, 250.5).withResponse();
 */
export class UsageBudgetClient {
  readonly #basePath: string;
  readonly #axios: AxiosInstance | undefined;
  #api: Promise<UsageBudgetApi> | undefined;
  readonly #settings: CallSettings;
  readonly #headers: { xLocale: string; mSPartnerCenterApplication?: string; mSPartnerCenterClient: string };

  constructor(options: UsageBudgetClientOptions) {
    const {
      credential,
      locale = 'en-US',
      application,
      timeoutMs = 60_000,
      totalTimeoutMs = DEFAULT_TOTAL_TIMEOUT_MS,
      maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
      maxRetries = 3,
    } = options;
    const { initialDelayMs = 500, maxDelayMs = 60_000 } = options.backoff ?? {};
    // Never shown in the message: the credential may be a token.
    check(
      typeof credential === 'function' || (typeof credential === 'string' && credential !== ''),
      'credential',
      'must be a non-empty token or a function that returns one',
    );
    const cloud = options.cloud ?? 'global';
    check(Object.hasOwn(clouds, cloud), 'cloud', `must be one of ${Object.keys(clouds).join(', ')}`, cloud);
    const baseURL = options.baseURL ?? clouds[cloud].baseURL;
    check(/^https?:\/\/[^/]/.test(baseURL), 'baseURL', 'must be an http(s) URL', baseURL);
    check(
      LOCALE.test(locale) && locale.length <= LOCALE_MAX_LENGTH,
      'locale',
      `must be a language tag such as en-US, at most ${LOCALE_MAX_LENGTH} characters`,
      locale,
    );
    check(
      application === undefined || (application.length >= 1 && application.length <= 256),
      'application',
      'must be 1 to 256 characters',
      application,
    );
    checkRange(timeoutMs, 'timeoutMs', 1);
    checkRange(totalTimeoutMs, 'totalTimeoutMs', 1);
    checkRange(maxResponseBytes, 'maxResponseBytes', 1);
    checkRange(maxRetries, 'maxRetries', 0);
    checkRange(initialDelayMs, 'backoff.initialDelayMs', 0);
    checkRange(maxDelayMs, 'backoff.maxDelayMs', 0);

    this.#basePath = baseURL.replace(/\/+$/, '');
    this.#axios = options.axios;
    this.#settings = {
      credential,
      timeoutMs,
      totalTimeoutMs,
      maxResponseBytes,
      maxRetries,
      initialDelayMs,
      maxDelayMs,
      logger: options.logger,
    };
    this.#headers = {
      xLocale: locale,
      mSPartnerCenterApplication: application,
      mSPartnerCenterClient: SDK_CLIENT,
    };
  }

  #usageBudgetApi(): Promise<UsageBudgetApi> {
    this.#api ??= loadUsageBudgetApi(this.#basePath, this.#axios);
    return this.#api;
  }

  /** Reads the customer's budget. `amount` is `null` when none is allocated. */
  getBudget(customerTenantId: string, options?: CallOptions): CallPromise<SpendingBudget> {
    return this.#call('GET', customerTenantId, options, async (config) =>
      (await this.#usageBudgetApi()).getUsageBudget({ customerTenantId, ...this.#headers }, config),
    );
  }

  /** Sets the customer's budget to `amount` (a finite number >= 0) and returns the updated budget. */
  setBudget(customerTenantId: string, amount: number, options?: CallOptions): CallPromise<SpendingBudget> {
    return this.#update(customerTenantId, amount, options, () =>
      check(
        typeof amount === 'number' && Number.isFinite(amount) && amount >= 0,
        'amount',
        'must be a finite number >= 0 (clearBudget() removes a budget)',
        amount,
      ),
    );
  }

  /** Removes the customer's budget (`amount: null`) and returns the updated budget. */
  clearBudget(customerTenantId: string, options?: CallOptions): CallPromise<SpendingBudget> {
    return this.#update(customerTenantId, null, options);
  }

  #update(
    customerTenantId: string,
    amount: number | null,
    options: CallOptions | undefined,
    validate?: () => void,
  ): CallPromise<SpendingBudget> {
    return this.#call(
      'PATCH',
      customerTenantId,
      options,
      async (config) =>
        (await this.#usageBudgetApi()).updateUsageBudget(
          { customerTenantId, spendingBudget: { amount }, ...this.#headers },
          config,
        ),
      validate,
    );
  }

  #call(
    method: string,
    customerTenantId: string,
    options: CallOptions | undefined,
    send: Send,
    validate?: () => void,
  ): CallPromise<SpendingBudget> {
    const run = async () => {
      check(isGuid(customerTenantId), 'customerTenantId', 'must be a GUID', customerTenantId);
      validate?.();
      const { correlationId, timeoutMs, totalTimeoutMs } = options ?? {};
      check(correlationId === undefined || isGuid(correlationId), 'correlationId', 'must be a GUID', correlationId);
      checkRange(timeoutMs, 'timeoutMs', 1);
      checkRange(totalTimeoutMs, 'totalTimeoutMs', 1);
      // Loaded before the deadlines start: loading axios is no part of an attempt's time.
      await this.#usageBudgetApi();
      // MS-RequestId and MS-CorrelationId are set per attempt by runCall(), which owns the one
      // request id that every retry of this call must repeat.
      return runCall<SpendingBudget>(this.#settings, `${method} customer ${customerTenantId}`, send, options);
    };
    return new CallPromise(run());
  }
}
