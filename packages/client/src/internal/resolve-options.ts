import { LOCALE, PARTNER_CENTER_APPLICATION } from '@usagebudget/openapi/limits';
import { clouds } from '../clouds.js';
import type { UsageBudgetClientOptions } from '../core/client-options.js';
import { clientDefaults } from '../core/defaults.js';
import { SDK_CLIENT } from '../core/sdk-client.js';
import { check, checkRange, fits } from './argument-checks.js';
import type { RetrySettings } from './retry-policy.js';

/** A client's options, checked, with the defaults filled in: what its pipeline is composed from. */
export interface ResolvedClientOptions extends UsageBudgetClientOptions {
  /** The base URL without a trailing slash. */
  baseURL: string;
  /** Sent on every attempt of every call: `X-Locale`, `MS-PartnerCenter-Client`, `MS-PartnerCenter-Application`. */
  headers: Record<string, string>;
  timeoutMs: number;
  totalTimeoutMs: number;
  retry: RetrySettings;
  maxPages: number;
}

/** The numeric options, each an integer from its minimum to what a timer can hold. */
function checkNumbers(options: UsageBudgetClientOptions): void {
  const backoff = options.backoff ?? {};
  for (const [name, min] of [
    ['timeoutMs', 1],
    ['totalTimeoutMs', 1],
    ['maxResponseBytes', 1],
    ['maxRetries', 0],
    ['maxPages', 1],
  ] as const) {
    checkRange(options[name], name, min);
  }
  checkRange(backoff.initialDelayMs, 'backoff.initialDelayMs', 0);
  checkRange(backoff.maxDelayMs, 'backoff.maxDelayMs', 0);
}

/** Checks a client's options (a `ValidationError` naming the first that is wrong) and fills in the defaults. */
export function resolveClientOptions(options: UsageBudgetClientOptions): ResolvedClientOptions {
  const { credential, locale = clientDefaults.locale, application, cloud = clientDefaults.cloud } = options;
  // Never shown in the message: the credential may be a token.
  check(
    typeof credential === 'function' ||
      typeof (credential as { getToken?: unknown })?.getToken === 'function' ||
      (typeof credential === 'string' && credential !== ''),
    'credential',
    'must be a non-empty token, a function that returns one, or a TokenCredential',
  );
  check(Object.hasOwn(clouds, cloud), 'cloud', `must be one of ${Object.keys(clouds).join(', ')}`, cloud);
  const baseURL = options.baseURL ?? clouds[cloud].baseURL;
  check(/^https?:\/\/[^/]/.test(baseURL), 'baseURL', 'must be an http(s) URL', baseURL);
  check(
    fits(locale, LOCALE),
    'locale',
    `must be a language tag such as en-US, at most ${LOCALE.maxLength} characters`,
    locale,
  );
  check(
    application === undefined || fits(application, PARTNER_CENTER_APPLICATION),
    'application',
    `must be ${PARTNER_CENTER_APPLICATION.minLength} to ${PARTNER_CENTER_APPLICATION.maxLength} characters`,
    application,
  );
  checkNumbers(options);
  const { backoff } = clientDefaults;
  return {
    ...options,
    baseURL: baseURL.replace(/\/+$/, ''),
    headers: {
      'X-Locale': locale,
      'MS-PartnerCenter-Client': SDK_CLIENT,
      ...(application === undefined ? {} : { 'MS-PartnerCenter-Application': application }),
    },
    timeoutMs: options.timeoutMs ?? clientDefaults.timeoutMs,
    totalTimeoutMs: options.totalTimeoutMs ?? clientDefaults.totalTimeoutMs,
    retry: {
      maxRetries: options.maxRetries ?? clientDefaults.maxRetries,
      initialDelayMs: options.backoff?.initialDelayMs ?? backoff.initialDelayMs,
      maxDelayMs: options.backoff?.maxDelayMs ?? backoff.maxDelayMs,
    },
    maxPages: options.maxPages ?? clientDefaults.maxPages,
  };
}
