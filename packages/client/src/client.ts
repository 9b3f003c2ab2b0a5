import type { AxiosInstance } from 'axios';
import { ValidationError } from './errors.js';
import type { UsageBudgetApi } from './generated/api.js';
import type { SpendingBudget } from './generated/models/index.js';
import {
  type CallOptions,
  CallPromise,
  execute,
  type Logger,
  type Send,
  type TokenProvider,
  type TransportSettings,
} from './transport.js';

// Replaced by tsup (and vitest) with the version in package.json.
declare const __SDK_VERSION__: string;

/** Where a Partner Center cloud lives and where its tokens come from. */
export interface Cloud {
  /** The API base URL. */
  readonly baseURL: string;
  /** The token authority; put the partner's tenant ID (or domain) in place of `{tenant}`. */
  readonly authority: string;
  /** The scope of an app-only token (client credentials). */
  readonly scope: string;
  /** The scope of an app+user token (delegated; the user signs in with MFA). */
  readonly userScope: string;
}

const PARTNER_CENTER = 'https://api.partnercenter.microsoft.com';
const scopes = { scope: `${PARTNER_CENTER}/.default`, userScope: `${PARTNER_CENTER}/user_impersonation` };

/**
 * The Partner Center clouds. US Government shares the global API host and differs only in its
 * token authority. Microsoft does not document usage budgets for 21Vianet (`china`), nor a token
 * audience of its own there; calls may answer 404.
 */
export const clouds = {
  global: { baseURL: PARTNER_CENTER, authority: 'https://login.microsoftonline.com/{tenant}', ...scopes },
  usgov: { baseURL: PARTNER_CENTER, authority: 'https://login.microsoftonline.us/{tenant}', ...scopes },
  china: {
    baseURL: 'https://partner.partnercenterapi.microsoftonline.cn',
    authority: 'https://login.chinacloudapi.cn/{tenant}',
    ...scopes,
  },
} as const satisfies Record<string, Cloud>;

export type CloudName = keyof typeof clouds;

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
  /** Per-attempt timeout in milliseconds; 60 000 by default. */
  timeoutMs?: number;
  /** Retries of a transient failure (408, 429, 5xx, connection error, timeout); 3 by default, 0 disables. */
  maxRetries?: number;
  /** Backoff between retries: `initialDelayMs` (500) doubles with jitter up to `maxDelayMs` (60 000). */
  backoff?: { initialDelayMs?: number; maxDelayMs?: number };
  /** The axios instance to send with (interceptors, proxies, adapters); the global axios by default. */
  axios?: AxiosInstance;
  /** Receives a debug line per attempt and a warning per retry. */
  logger?: Logger;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The spec's X-Locale schema: this pattern and at most 35 characters.
const LOCALE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
const LOCALE_MAX_LENGTH = 35;

// The generated layer imports axios, which takes ~100 ms to load: loading it on the first call
// keeps importing the client cheap (a CLI's --help never pays for it).
let generatedLayer: Promise<typeof import('./generated-api.js')> | undefined;
const loadGeneratedLayer = () => {
  generatedLayer ??= import('./generated-api.js');
  return generatedLayer;
};

// setTimeout's limit: a longer delay fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Throws a ValidationError naming `field` unless `ok`; `got` is the offending value, when it may be shown. */
function check(ok: boolean, field: string, rule: string, ...got: [unknown] | []): void {
  if (ok) return;
  const shown = got.length ? ` (got ${typeof got[0] === 'string' ? `"${got[0]}"` : got[0]})` : '';
  throw new ValidationError(field, `${rule}${shown}`);
}

function checkRange(value: number | undefined, field: string, min: number): void {
  check(
    value === undefined || (Number.isInteger(value) && value >= min && value <= MAX_TIMER_MS),
    field,
    `must be an integer from ${min} to ${MAX_TIMER_MS}`,
    value,
  );
}

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
  readonly #settings: TransportSettings;
  readonly #headers: { xLocale: string; mSPartnerCenterApplication?: string; mSPartnerCenterClient: string };

  constructor(options: UsageBudgetClientOptions) {
    const { credential, locale = 'en-US', application, timeoutMs = 60_000, maxRetries = 3 } = options;
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
    checkRange(maxRetries, 'maxRetries', 0);
    checkRange(initialDelayMs, 'backoff.initialDelayMs', 0);
    checkRange(maxDelayMs, 'backoff.maxDelayMs', 0);

    this.#basePath = baseURL.replace(/\/+$/, '');
    this.#axios = options.axios;
    this.#settings = { credential, timeoutMs, maxRetries, initialDelayMs, maxDelayMs, logger: options.logger };
    this.#headers = {
      xLocale: locale,
      mSPartnerCenterApplication: application,
      mSPartnerCenterClient: `usagebudget-sdk/${__SDK_VERSION__}`,
    };
  }

  #generatedApi(): Promise<UsageBudgetApi> {
    this.#api ??= loadGeneratedLayer().then(
      ({ UsageBudgetApi, Configuration }) =>
        new UsageBudgetApi(new Configuration({ basePath: this.#basePath }), this.#basePath, this.#axios),
    );
    return this.#api;
  }

  /** Reads the customer's budget. `amount` is `null` when none is allocated. */
  getBudget(customerTenantId: string, options?: CallOptions): CallPromise<SpendingBudget> {
    return this.#call('GET', customerTenantId, options, async (config) =>
      (await this.#generatedApi()).getUsageBudget({ customerTenantId, ...this.#headers }, config),
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
        (await this.#generatedApi()).updateUsageBudget(
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
      check(
        typeof customerTenantId === 'string' && GUID.test(customerTenantId),
        'customerTenantId',
        'must be a GUID',
        customerTenantId,
      );
      validate?.();
      const { correlationId, timeoutMs } = options ?? {};
      check(correlationId === undefined || GUID.test(correlationId), 'correlationId', 'must be a GUID', correlationId);
      checkRange(timeoutMs, 'timeoutMs', 1);
      // MS-RequestId and MS-CorrelationId are set per attempt by execute(), which owns the one
      // request id that every retry of this call must repeat.
      return execute<SpendingBudget>(this.#settings, `${method} customer ${customerTenantId}`, send, options);
    };
    return new CallPromise(run());
  }
}
