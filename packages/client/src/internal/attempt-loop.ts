import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import type { WithResponse } from '../core/call-promise.js';
import type { CallOptions, Logger, ResponseInfo, TokenProvider } from '../core/call-types.js';
import { AbortError, AuthenticationError, PartnerCenterError } from '../core/errors.js';
import { getToken } from './credential.js';
import { type CallIds, describeBody, errorFromResponse, transportError } from './error-mapping.js';
import { parseExactJson } from './exact-json.js';
import { type RetrySettings, retryDelayMs } from './retry-policy.js';
import { parseRetryAfter } from './retry-strategies/retry-after.js';
import { sleep } from './sleep.js';

/** What a client fixes for all its calls. */
export interface CallSettings extends RetrySettings {
  credential: string | TokenProvider;
  /** Sent on every attempt of every call: `X-Locale`, `MS-PartnerCenter-Client`, `MS-PartnerCenter-Application`. */
  headers: Record<string, string>;
  timeoutMs: number;
  logger?: Logger;
}

/** Sends one attempt with the given request config (headers, signal, timeout, response handling). */
export type Send = (config: AxiosRequestConfig) => Promise<AxiosResponse<unknown>>;

const keepText = (data: unknown) => data;

function responseInfo(response: AxiosResponse<unknown>, ids: CallIds, attempts: number): ResponseInfo {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) headers[name.toLowerCase()] = String(value);
  return {
    status: response.status,
    headers,
    requestId: headers['ms-requestid'] || ids.requestId,
    correlationId: headers['ms-correlationid'] || ids.correlationId,
    attempts,
  };
}

/**
 * Runs one logical call: one `MS-RequestId` for all its attempts, a token per attempt (refreshed
 * once after a 401), retries as the retry policy says, and the mapping of every outcome to data
 * or an error.
 */
export async function runCall<T>(
  settings: CallSettings,
  label: string,
  send: Send,
  options: CallOptions = {},
): Promise<WithResponse<T>> {
  const { signal, throttle } = options;
  const timeoutMs = options.timeoutMs ?? settings.timeoutMs;
  const ids = {
    requestId: options.requestId ?? crypto.randomUUID(),
    correlationId: options.correlationId ?? crypto.randomUUID(),
  };
  const log = settings.logger;
  let retries = 0;
  let refreshed = false;
  let forceRefresh = false;
  for (let attempts = 1; ; attempts++) {
    // A shared throttle may hold every attempt (the first too) until the service takes requests again.
    await throttle?.acquire(signal);
    if (signal?.aborted) throw new AbortError('the call was aborted', ids);
    const token = await getToken(settings.credential, forceRefresh, signal, ids);
    forceRefresh = false;
    log?.debug?.(`usagebudget: ${label}, attempt ${attempts}`, { ...ids, attempt: attempts });
    let failure: unknown;
    let retryAfterMs: number | undefined;
    let response: AxiosResponse<unknown> | undefined;
    try {
      response = await send({
        headers: {
          ...settings.headers,
          Authorization: `Bearer ${token}`,
          'MS-RequestId': ids.requestId,
          'MS-CorrelationId': ids.correlationId,
        },
        signal,
        timeout: timeoutMs,
        responseType: 'text',
        transformResponse: keepText,
        // Every status resolves: this module, not axios, decides what is an error.
        validateStatus: null,
        transitional: { clarifyTimeoutError: true },
      });
    } catch (error) {
      if (signal?.aborted) throw new AbortError('the call was aborted', ids);
      failure = transportError(error, ids, timeoutMs);
    }
    const info = response && responseInfo(response, ids, attempts);
    retryAfterMs = parseRetryAfter(info?.headers['retry-after']);
    throttle?.settle(info?.status ?? 0, retryAfterMs);
    if (response && info) {
      // A server that echoes the Authorization header must not put the token into an error.
      const body = String(response.data ?? '')
        .split(token)
        .join('[redacted]');
      const known = { requestId: info.requestId, correlationId: info.correlationId };
      if (info.status >= 200 && info.status < 300) {
        // Costs keep every digit: a double would round them (see exact-json.ts).
        const data = parseExactJson(body);
        if (data === null || typeof data !== 'object' || Array.isArray(data)) {
          throw new PartnerCenterError(`${info.status} ${describeBody(body)} instead of a JSON object`, {
            status: info.status,
            ...known,
          });
        }
        return { data: data as T, response: info };
      }
      failure = errorFromResponse(info.status, body, { ...known, retryAfterMs });
    }
    if (failure instanceof AuthenticationError && typeof settings.credential === 'function' && !refreshed) {
      refreshed = forceRefresh = true;
      log?.warn?.(`usagebudget: ${label} got 401, retrying once with a fresh token`, ids);
      continue;
    }
    const delayMs = retryDelayMs(failure, retries, retryAfterMs, settings);
    if (delayMs === undefined) throw failure;
    retries++;
    log?.warn?.(`usagebudget: ${label} failed (${(failure as Error).message}), retry ${retries} in ${delayMs} ms`, {
      ...ids,
      attempt: attempts,
      delayMs,
    });
    await sleep(delayMs, signal);
  }
}
