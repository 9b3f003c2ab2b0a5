import type { AxiosRequestConfig, AxiosResponse } from 'axios';
import type { WithResponse } from '../core/call-promise.js';
import type { CallOptions, Logger, ResponseInfo, ResponseValidator, TokenProvider } from '../core/call-types.js';
import {
  AbortError,
  AuthenticationError,
  type ErrorFields,
  ResponseValidationError,
  TimeoutError,
} from '../core/errors.js';
import { getToken } from './credential.js';
import { aborted, sleep, timeLimit } from './deadlines.js';
import { type CallIds, describeBody, errorFromResponse, redirectError, transportError } from './error-mapping.js';
import { parseExactJson } from './exact-json.js';
import { redactor } from './redaction.js';
import { type RetrySettings, retryDelayMs } from './retry-policy.js';
import { parseRetryAfter } from './retry-strategies/retry-after.js';

/** What a client fixes for all its calls. */
export interface CallSettings extends RetrySettings {
  credential: string | TokenProvider;
  /** Sent on every attempt of every call: `X-Locale`, `MS-PartnerCenter-Client`, `MS-PartnerCenter-Application`. */
  headers: Record<string, string>;
  timeoutMs: number;
  totalTimeoutMs: number;
  /** The caller's cap on a response body; without one, the operation's own (`runCall`'s argument). */
  maxResponseBytes?: number | undefined;
  logger?: Logger;
  /** Checks each 2xx body before it is returned (the client's `validateResponses`). */
  validateResponses?: ResponseValidator | undefined;
}

/**
 * Bytes that the bodies of several calls share: the usage records' pages, all together, are held
 * to one cap. Each 2xx body read takes its length (in UTF-16 units, which a JSON body of ASCII has
 * as many of as bytes) from `left`.
 */
export interface SharedResponseBytes {
  max: number;
  left: number;
}

/** Sends one attempt with the given request config (headers, signal, limits, response handling). */
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
 * The origin a response came from when it is not the one asked, which happens where the
 * transport follows redirects itself (a browser's XMLHttpRequest): such an answer is not the
 * service's. `undefined` when it is the origin asked, or the transport does not say.
 */
function redirectedAway({ request, config }: AxiosResponse<unknown>): string | undefined {
  const finalURL: unknown = request?.responseURL;
  // The facade always asks an absolute URL (the base URL and a path).
  const { origin } = new URL(typeof finalURL === 'string' && finalURL ? finalURL : (config.url as string));
  return origin === new URL(config.url as string).origin ? undefined : origin;
}

/**
 * Runs one logical call: one `MS-RequestId` for all its attempts, a token per attempt (refreshed
 * once after a 401), retries as the retry policy says, and the mapping of every outcome to data
 * or an error. Two deadlines bound it: `timeoutMs` each attempt, from connecting to the last byte
 * of the body, and `totalTimeoutMs` the whole call, token requests, attempts and waits included.
 */
export async function runCall<T>(
  settings: CallSettings,
  label: string,
  send: Send,
  options: CallOptions,
  operationMaxResponseBytes: number | SharedResponseBytes,
): Promise<WithResponse<T>> {
  const timeoutMs = options.timeoutMs ?? settings.timeoutMs;
  // The call's own cap (the caller's, or the operation's), or one it shares with other calls.
  let bytes = operationMaxResponseBytes as SharedResponseBytes;
  if (typeof operationMaxResponseBytes === 'number') {
    const max = settings.maxResponseBytes ?? operationMaxResponseBytes;
    bytes = { max, left: max };
  }
  const maxResponseBytes = bytes.max;
  const totalTimeoutMs = options.totalTimeoutMs ?? settings.totalTimeoutMs;
  const endsAt = Date.now() + totalTimeoutMs;
  const ids = {
    requestId: options.requestId ?? crypto.randomUUID(),
    correlationId: options.correlationId ?? crypto.randomUUID(),
  };
  const call = timeLimit(totalTimeoutMs, options.signal);
  const log = settings.logger;
  let attempts = 0;
  let retries = 0;
  let refreshed = false;
  let forceRefresh = false;
  try {
    for (;;) {
      attempts++;
      // A shared throttle may hold every attempt (the first too) until the service takes requests again.
      await options.throttle?.acquire(call.signal);
      call.signal.throwIfAborted();
      // A token provider that ignores the signal cannot hold the call past its deadline either.
      const token = await Promise.race([
        getToken(settings.credential, forceRefresh, call.signal, ids),
        aborted(call.signal),
      ]);
      call.signal.throwIfAborted();
      forceRefresh = false;
      log?.debug?.(`usagebudget: ${label}, attempt ${attempts}`, { ...ids, attempt: attempts });
      let failure: unknown;
      let retryAfterMs: number | undefined;
      let response: AxiosResponse<unknown> | undefined;
      const attempt = timeLimit(timeoutMs, call.signal);
      try {
        response = await send({
          headers: {
            ...settings.headers,
            Authorization: `Bearer ${token}`,
            'MS-RequestId': ids.requestId,
            'MS-CorrelationId': ids.correlationId,
          },
          signal: attempt.signal,
          // The attempt's deadline bounds it; axios' socket idle timeout (of an instance the caller
          // passed, too) would let a trickling body run on, and end a silent one as a broken stream.
          timeout: 0,
          maxContentLength: bytes.left,
          // The API never redirects; the response is turned into an error below.
          maxRedirects: 0,
          responseType: 'text',
          transformResponse: keepText,
          // Every status resolves: this module, not axios, decides what is an error.
          validateStatus: null,
        });
      } catch (error) {
        if (call.signal.aborted) throw error;
        failure = attempt.signal.aborted
          ? new TimeoutError(`no response within ${timeoutMs} ms`, { code: 'ETIMEDOUT', ...ids })
          : transportError(error, ids, maxResponseBytes);
      } finally {
        attempt.clear();
      }
      const info = response && responseInfo(response, ids, attempts);
      if (info) retryAfterMs = parseRetryAfter(info.headers['retry-after']);
      options.throttle?.settle(info?.status ?? 0, retryAfterMs);
      if (response && info) {
        const known = { requestId: info.requestId, correlationId: info.correlationId };
        const body = String(response.data ?? '');
        // A server that echoes the Authorization header must not put the token into an error.
        const redact = redactor(token as string);
        const { location } = info.headers;
        const elsewhere = redirectedAway(response) ?? (info.status >= 300 && info.status < 400 ? location : undefined);
        if (elsewhere !== undefined) throw redirectError(info.status, redact(elsewhere), known);
        if (info.status >= 200 && info.status < 300) {
          // Costs keep every digit: a double would round them (see exact-json.ts).
          const data = parseExactJson(body);
          // The label starts with the operation's id.
          const operationId = label.split(' ')[0] as string;
          const problems =
            data === null || typeof data !== 'object' || Array.isArray(data)
              ? [{ pointer: '', rule: `must be a JSON object, not ${describeBody(redact(body))}` }]
              : await settings.validateResponses?.(operationId, info.status, body);
          if (problems?.length) {
            const shown = problems.slice(0, 3).map(({ pointer, rule }) => `${pointer || '(root)'} ${rule}`);
            throw new ResponseValidationError(
              `the ${info.status} response of ${operationId} does not match the spec: ${shown.join('; ')}`,
              { status: info.status, ...known, problems } as ErrorFields,
            );
          }
          bytes.left -= body.length;
          return { data: data as T, response: info };
        }
        failure = errorFromResponse(info.status, redact(body), { ...known, retryAfterMs });
      }
      if (failure instanceof AuthenticationError && typeof settings.credential === 'function' && !refreshed) {
        refreshed = forceRefresh = true;
        log?.warn?.(`usagebudget: ${label} got 401, retrying once with a fresh token`, ids);
        continue;
      }
      const delayMs = retryDelayMs(failure, retries, retryAfterMs, settings);
      // A wait that ends past the call's deadline would only end in a timeout: the failure is the answer.
      if (delayMs === undefined || delayMs >= endsAt - Date.now()) throw failure;
      retries++;
      log?.warn?.(`usagebudget: ${label} failed (${(failure as Error).message}), retry ${retries} in ${delayMs} ms`, {
        ...ids,
        attempt: attempts,
        delayMs,
      });
      await sleep(delayMs, call.signal);
    }
  } catch (error) {
    // Stopped by the caller or by the call's deadline, whatever the attempt was doing.
    if (!call.signal.aborted) throw error;
    throw options.signal?.aborted
      ? new AbortError('the call was aborted', ids)
      : new TimeoutError(
          `the call did not finish within ${totalTimeoutMs} ms (totalTimeoutMs), attempts: ${attempts}`,
          {
            code: 'ETIMEDOUT',
            ...ids,
          },
        );
  } finally {
    call.clear();
  }
}
