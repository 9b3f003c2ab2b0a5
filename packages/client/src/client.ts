import type { AxiosInstance, AxiosRequestConfig } from 'axios';
import { type CloudName, clouds } from './clouds.js';
import { CallPromise, type WithResponse } from './core/call-promise.js';
import type { CallOptions, Logger, ResponseInfo, ResponseValidator, TokenProvider } from './core/call-types.js';
import { PagingError } from './core/errors.js';
import type { PagedList } from './core/paging.js';
import { isGuid } from './core/rules.js';
import { SDK_CLIENT } from './core/sdk-client.js';
import type {
  CustomerListQuery,
  CustomerMonthlyUsageRecord,
  CustomerUsageSummary,
  PartnerUsageSummary,
} from './core/usage-models.js';
import type { RequestArgs } from './generated/base.js';
import type { Customer, SpendingBudget } from './generated/models/index.js';
import {
  check,
  checkContinuationToken,
  checkRange,
  customerFilterText,
  PAGE_SIZE_MAX,
} from './internal/argument-checks.js';
import { type CallSettings, runCall, type Send, type SharedResponseBytes } from './internal/attempt-loop.js';
import { type CollectionBody, DEFAULT_MAX_PAGES, type PageRequest, pagedList, walkPages } from './internal/pager.js';
import { HEADERS_IN_CONFIG, loadRawApi, type RawApi, type RequestBuilders } from './internal/raw-api-loader.js';

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
  /** Receives a debug line per attempt and a warning per retry. */
  logger?: Logger;
}

/**
 * The response caps of the operations, unless the caller sets `maxResponseBytes`. The API's answers
 * are small: a budget is under a kilobyte, a page of customers a few hundred kilobytes. 10 MiB
 * leaves room for them and keeps a broken or hostile server from filling the caller's memory. The
 * usage records are the exception: unpaged, every customer of the portfolio in one body, about 250
 * bytes each (12 MB for 50,000 customers), so they get room for a million.
 */
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const USAGE_RECORDS_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
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
  #api: Promise<RawApi> | undefined;
  readonly #settings: CallSettings;
  readonly #maxPages: number;

  constructor(options: UsageBudgetClientOptions) {
    const {
      credential,
      locale = 'en-US',
      application,
      timeoutMs = 60_000,
      totalTimeoutMs = DEFAULT_TOTAL_TIMEOUT_MS,
      maxResponseBytes,
      maxRetries = 3,
      maxPages = DEFAULT_MAX_PAGES,
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
    checkRange(maxPages, 'maxPages', 1);
    checkRange(initialDelayMs, 'backoff.initialDelayMs', 0);
    checkRange(maxDelayMs, 'backoff.maxDelayMs', 0);

    this.#basePath = baseURL.replace(/\/+$/, '');
    this.#axios = options.axios;
    this.#maxPages = maxPages;
    this.#settings = {
      credential,
      timeoutMs,
      totalTimeoutMs,
      maxResponseBytes,
      maxRetries,
      initialDelayMs,
      maxDelayMs,
      logger: options.logger,
      validateResponses: options.validateResponses,
      headers: {
        'X-Locale': locale,
        'MS-PartnerCenter-Client': SDK_CLIENT,
        ...(application === undefined ? {} : { 'MS-PartnerCenter-Application': application }),
      },
    };
  }

  #rawApi(): Promise<RawApi> {
    this.#api ??= loadRawApi(this.#axios);
    return this.#api;
  }

  /** Sends the request `build` makes with the generated request builders and the attempt's config. */
  #send(build: (requests: RequestBuilders, config: AxiosRequestConfig) => Promise<RequestArgs> | RequestArgs): Send {
    return async (config) => {
      const { requests, axios } = await this.#rawApi();
      const { url, options } = await build(requests, config);
      return axios.request({ ...options, url: this.#basePath + url });
    };
  }

  /** Reads the customer's budget. `amount` is `null` when none is allocated. */
  getBudget(customerTenantId: string, options?: CallOptions): CallPromise<SpendingBudget> {
    return this.#customerCall(
      'getUsageBudget',
      customerTenantId,
      options,
      this.#send((requests, config) => requests.getUsageBudget(customerTenantId, ...HEADERS_IN_CONFIG, config)),
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

  /**
   * The partner's customers, a page at a time (`GET /v1/customers`), following `links.next` with
   * every header it lists (`MS-ContinuationToken`). Iterate it with `for await` for every
   * customer, or call `byPage()` for the pages and their continuation tokens. Each page is a call
   * of its own (retried, with its own `MS-RequestId`); the pages of one walk share one
   * `MS-CorrelationId`. `options.signal` stops the walk between pages and during one.
   *
   * A `size` outside 1 to 500, or a filter that is not `{ Field, Value, Operator }` with a
   * documented field and operator, fails the first page with a `ValidationError`: nothing is sent.
   *
   * @example
   * const filter = { Field: 'CompanyName', Value: 'Cont', Operator: 'starts_with' } as const;
   * for await (const customer of client.listCustomers({ filter })) {
   *   console.log(customer.id, customer.companyProfile.companyName);
   * }
   */
  listCustomers(query?: CustomerListQuery, options?: CallOptions): PagedList<Customer> {
    return pagedList<Customer>(
      (request, correlationId) => {
        const token = request.continuationToken;
        // The first page's query; a continued page has only its token (the token carries the query).
        let size: number | undefined;
        let filter: string | undefined;
        return this.#page(
          'listCustomers',
          request,
          { ...options, correlationId },
          this.#send((requests, config) =>
            requests.listCustomers(...HEADERS_IN_CONFIG, size, filter, token ? 'Next' : undefined, token, config),
          ),
          () => {
            if (token !== undefined) return checkContinuationToken(token);
            size = query?.size;
            checkRange(size, 'size', 1, PAGE_SIZE_MAX);
            if (query?.filter !== undefined) filter = customerFilterText(query.filter);
          },
        );
      },
      this.#maxPages,
      options?.correlationId,
    );
  }

  /**
   * The customer's budget next to the estimated cost of its usage in the current billing period
   * (`GET /v1/customers/{customerTenantId}/usagesummary`), costs as exact decimal strings. Needs an
   * app+user token: an app-only one gets a `PermissionDeniedError` (code `TokenKindNotAccepted`).
   * A customer without a usage-based subscription is a `NotFoundError` (`NoUsageBasedSubscription`).
   */
  getCustomerUsageSummary(customerTenantId: string, options?: CallOptions): CallPromise<CustomerUsageSummary> {
    return this.#customerCall(
      'getCustomerUsageSummary',
      customerTenantId,
      options,
      this.#send((requests, config) =>
        requests.getCustomerUsageSummary(customerTenantId, ...HEADERS_IN_CONFIG, config),
      ),
    );
  }

  /**
   * The usage record of every customer with a usage-based subscription
   * (`GET /v1/customers/usagerecords`): budget, cost and percent used, costs as exact decimal
   * strings. Resolves to the records; `.withResponse()` adds the response's metadata. The
   * collection is not paged, but should a response carry `links.next`, it is followed and the
   * records of every page are returned (`response` is then the last page's). Needs an app+user
   * token, as {@link UsageBudgetClient.getCustomerUsageSummary} does.
   */
  listCustomerUsageRecords(options?: CallOptions): CallPromise<CustomerMonthlyUsageRecord[]> {
    const run = async () => {
      const data: CustomerMonthlyUsageRecord[] = [];
      let response: ResponseInfo | undefined;
      // One body's cap for all the pages, and one record a customer: pages that bring the same
      // customers again are a loop, whatever their links say.
      const max = this.#settings.maxResponseBytes ?? USAGE_RECORDS_MAX_RESPONSE_BYTES;
      const bytes: SharedResponseBytes = { max, left: max };
      const customers = new Set<string>();
      let pageNumber = 0;
      const pages = walkPages<CustomerMonthlyUsageRecord>(
        (request, correlationId) =>
          this.#page(
            'listCustomerUsageRecords',
            request,
            { ...options, correlationId },
            this.#send((requests, config) => requests.listCustomerUsageRecords(...HEADERS_IN_CONFIG, config)),
            undefined,
            bytes,
          ),
        {},
        this.#maxPages,
        options?.correlationId,
      );
      for await (const page of pages) {
        pageNumber++;
        const repeated = page.items.find(({ resourceId }) => customers.has(resourceId));
        if (repeated) {
          throw new PagingError(`page ${pageNumber} of the usage records repeats customer ${repeated.resourceId}`, {
            code: 'PageRepeated',
            requestId: page.response.requestId,
            correlationId: page.response.correlationId,
          });
        }
        for (const { resourceId } of page.items) customers.add(resourceId);
        data.push(...page.items);
        response = page.response;
      }
      return { data, response: response as ResponseInfo };
    };
    return new CallPromise(run());
  }

  /**
   * The partner's usage summary (`GET /v1/usagesummary`). Needs an app+user token.
   *
   * @deprecated Partner Center plans to retire this operation, and its `totalCost` leaves out
   * customers on an Azure plan. Use {@link UsageBudgetClient.listCustomerUsageRecords} and count or
   * sum its records instead.
   */
  getPartnerUsageSummary(options?: CallOptions): CallPromise<PartnerUsageSummary> {
    return new CallPromise(
      this.#start(
        'getPartnerUsageSummary',
        options,
        this.#send((requests, config) => requests.getPartnerUsageSummary(...HEADERS_IN_CONFIG, config)),
      ),
    );
  }

  #update(
    customerTenantId: string,
    amount: number | null,
    options: CallOptions | undefined,
    validate?: () => void,
  ): CallPromise<SpendingBudget> {
    return this.#customerCall(
      'updateUsageBudget',
      customerTenantId,
      options,
      this.#send((requests, config) =>
        requests.updateUsageBudget(customerTenantId, { amount }, ...HEADERS_IN_CONFIG, config),
      ),
      validate,
    );
  }

  /** A call on one customer: its tenant ID is checked first. */
  #customerCall<T>(
    label: string,
    customerTenantId: string,
    options: CallOptions | undefined,
    send: Send,
    validate?: () => void,
  ): CallPromise<T> {
    return new CallPromise(
      this.#start<T>(`${label} ${customerTenantId}`, options, send, () => {
        check(isGuid(customerTenantId), 'customerTenantId', 'must be a GUID', customerTenantId);
        validate?.();
      }),
    );
  }

  /**
   * One page of a listing as a call of its own: the first (or a continued) page with `send`, a
   * next page by sending the request of its `links.next`.
   */
  #page<T>(
    label: string,
    request: PageRequest,
    options: CallOptions,
    send: Send,
    validate?: () => void,
    maxResponseBytes?: number | SharedResponseBytes,
  ): Promise<WithResponse<CollectionBody<T>>> {
    const { link } = request;
    // Each page is a request of its own: a caller's request id cannot name them all.
    const pageOptions = { ...options, requestId: undefined };
    if (!link) return this.#start(label, pageOptions, send, validate, maxResponseBytes);
    return this.#start(
      label,
      pageOptions,
      // The link was checked by the walk: a GET of a path of the API, at most a continuation token.
      this.#send((_, config) => ({
        url: link.url,
        options: {
          ...config,
          method: 'GET',
          headers: { ...(link.token && { 'MS-ContinuationToken': link.token }), ...config.headers },
        },
      })),
      undefined,
      maxResponseBytes,
    );
  }

  /**
   * Checks the arguments (`validate`) and the call options, then runs the call, whose response is
   * capped at `maxResponseBytes` unless the client's option sets another cap.
   */
  async #start<T>(
    label: string,
    options: CallOptions | undefined,
    send: Send,
    validate?: () => void,
    maxResponseBytes: number | SharedResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
  ): Promise<WithResponse<T>> {
    validate?.();
    const { correlationId, requestId, timeoutMs, totalTimeoutMs } = options ?? {};
    check(correlationId === undefined || isGuid(correlationId), 'correlationId', 'must be a GUID', correlationId);
    check(requestId === undefined || isGuid(requestId), 'requestId', 'must be a GUID', requestId);
    checkRange(timeoutMs, 'timeoutMs', 1);
    checkRange(totalTimeoutMs, 'totalTimeoutMs', 1);
    // Loaded before the deadlines start: loading axios is no part of an attempt's time.
    await this.#rawApi();
    // MS-RequestId and MS-CorrelationId are set per attempt by runCall(), which owns the one
    // request id that every retry of this call must repeat.
    return runCall<T>(this.#settings, label, send, options ?? {}, maxResponseBytes);
  }
}
