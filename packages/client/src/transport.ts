import type { AxiosError, AxiosRequestConfig, AxiosResponse } from 'axios';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  describeBody,
  errorFromResponse,
  PartnerCenterError,
  parseJson,
  RateLimitError,
  ServerError,
  TimeoutError,
} from './errors.js';

/** Returns an access token for Partner Center. Called before every attempt. */
export type TokenProvider = (context: {
  /** True once per call, after a 401: return a fresh token rather than a cached one. */
  forceRefresh: boolean;
  signal?: AbortSignal;
}) => string | Promise<string>;

/** Where the client writes what it does. `console` fits. Lines never contain the token. */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
}

/** Options of one call. */
export interface CallOptions {
  /** Aborts the call, its retries and its waits; the call then fails with an `AbortError`. */
  signal?: AbortSignal;
  /** The `MS-CorrelationId` (a GUID) that ties this call to others; a new one by default. */
  correlationId?: string;
  /** Per-attempt timeout in milliseconds; the client's `timeoutMs` by default. */
  timeoutMs?: number;
}

/** What the response said besides its body. */
export interface ResponseInfo {
  /** HTTP status. */
  status: number;
  /** Response headers, names in lower case. */
  headers: Readonly<Record<string, string>>;
  /** The `MS-RequestId` of the call: the response's echo, or the one the client sent. */
  requestId: string;
  /** The `MS-CorrelationId` of the call: the response's echo, or the one the client sent. */
  correlationId: string;
  /** How many requests the call took (1 when it needed no retry). */
  attempts: number;
}

/** A call's result together with its response metadata. */
export interface WithResponse<T> {
  data: T;
  response: ResponseInfo;
}

/**
 * The promise every client method returns. Await it for the data, or call `withResponse()` for
 * the data and the response metadata (status, `MS-RequestId`, `MS-CorrelationId`, headers).
 */
export class CallPromise<T> extends Promise<T> {
  readonly #result: Promise<WithResponse<T>>;

  constructor(result: Promise<WithResponse<T>>) {
    // The base promise is never observed: then/catch/finally read #result instead.
    super((resolve) => resolve(undefined as T));
    this.#result = result;
  }

  /** Resolves with `{ data, response }`; rejects like the call itself. */
  withResponse(): Promise<WithResponse<T>> {
    return this.#result;
  }

  // biome-ignore lint/suspicious/noThenProperty: this class is a promise, then() is its contract.
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#result.then((result) => result.data).then(onFulfilled, onRejected);
  }

  override catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onRejected);
  }

  override finally(onFinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onFinally);
  }
}

/** The retry policy. */
export interface RetryOptions {
  /** Retries after the first attempt; 0 disables retries. */
  maxRetries: number;
  /** The first backoff; each retry doubles it, with jitter. */
  initialDelayMs: number;
  /** The cap of a backoff. A `Retry-After` longer than this ends the call instead of waiting. */
  maxDelayMs: number;
}

/** What a client fixes for all its calls. */
export interface TransportSettings extends RetryOptions {
  credential: string | TokenProvider;
  timeoutMs: number;
  logger?: Logger;
}

/** Sends one attempt with the given request config (headers, signal, timeout, response handling). */
export type Send = (config: AxiosRequestConfig) => Promise<AxiosResponse<unknown>>;

/** The ids of one logical call, the same on all its attempts. */
type Ids = { requestId: string; correlationId: string };

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const keepText = (data: unknown) => data;

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": between half and all of min(cap, initial * 2^retry). */
export function backoffMs(retry: number, { initialDelayMs, maxDelayMs }: RetryOptions): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** retry);
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

/** Resolves after `ms`, or as soon as `signal` aborts (the caller checks which). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function getToken(
  credential: string | TokenProvider,
  forceRefresh: boolean,
  signal: AbortSignal | undefined,
  ids: Ids,
): Promise<string> {
  if (typeof credential === 'string') return credential;
  let token: unknown;
  try {
    token = await credential({ forceRefresh, signal });
  } catch (cause) {
    throw new AuthenticationError(`the credential provider failed: ${(cause as Error)?.message ?? cause}`, ids, {
      cause,
    });
  }
  if (typeof token !== 'string' || token === '') {
    throw new AuthenticationError('the credential provider returned no token', ids);
  }
  return token;
}

function responseInfo(response: AxiosResponse<unknown>, ids: Ids, attempts: number): ResponseInfo {
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

/** Maps an error thrown by axios (no response arrived) to the client's errors. */
function transportError(error: unknown, ids: Ids, timeoutMs: number) {
  const axiosError = error as AxiosError;
  // Anything else comes from the caller's own interceptors: pass it on untouched.
  if (!axiosError?.isAxiosError) return error;
  const fields = { code: axiosError.code, ...ids };
  if (axiosError.code === 'ETIMEDOUT') return new TimeoutError(`no response within ${timeoutMs} ms`, fields);
  if (axiosError.code === 'ERR_CANCELED') return new AbortError('the request was canceled', fields);
  return new ConnectionError(`connection failed: ${axiosError.message}`, fields);
}

/**
 * Runs one logical call: one `MS-RequestId` for all its attempts, a token per attempt (refreshed
 * once after a 401), retries with backoff, and the mapping of every outcome to data or an error.
 */
export async function execute<T>(
  settings: TransportSettings,
  label: string,
  send: Send,
  options: CallOptions = {},
): Promise<WithResponse<T>> {
  const { signal } = options;
  const timeoutMs = options.timeoutMs ?? settings.timeoutMs;
  const ids = { requestId: crypto.randomUUID(), correlationId: options.correlationId ?? crypto.randomUUID() };
  const log = settings.logger;
  let retries = 0;
  let refreshed = false;
  let forceRefresh = false;
  for (let attempts = 1; ; attempts++) {
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
    if (response) {
      const info = responseInfo(response, ids, attempts);
      // A server that echoes the Authorization header must not put the token into an error.
      const body = String(response.data ?? '')
        .split(token)
        .join('[redacted]');
      const known = { requestId: info.requestId, correlationId: info.correlationId };
      if (info.status >= 200 && info.status < 300) {
        const data = parseJson(body);
        if (data === null || typeof data !== 'object' || Array.isArray(data)) {
          throw new PartnerCenterError(`${info.status} ${describeBody(body)} instead of a JSON object`, {
            status: info.status,
            ...known,
          });
        }
        return { data: data as T, response: info };
      }
      retryAfterMs = parseRetryAfter(info.headers['retry-after']);
      failure = errorFromResponse(info.status, body, { ...known, retryAfterMs });
    }
    if (failure instanceof AuthenticationError && typeof settings.credential === 'function' && !refreshed) {
      refreshed = forceRefresh = true;
      log?.warn?.(`usagebudget: ${label} got 401, retrying once with a fresh token`, ids);
      continue;
    }
    const retryable =
      failure instanceof ConnectionError ||
      failure instanceof TimeoutError ||
      ((failure instanceof ServerError || failure instanceof RateLimitError) &&
        RETRYABLE_STATUSES.has(failure.status ?? 0));
    if (!retryable || retries >= settings.maxRetries) throw failure;
    // Waiting longer than the cap would hold the caller hostage: give them the 429 instead.
    if (retryAfterMs !== undefined && retryAfterMs > settings.maxDelayMs) throw failure;
    const delayMs = retryAfterMs ?? backoffMs(retries, settings);
    retries++;
    log?.warn?.(`usagebudget: ${label} failed (${(failure as Error).message}), retry ${retries} in ${delayMs} ms`, {
      ...ids,
      attempt: attempts,
      delayMs,
    });
    await sleep(delayMs, signal);
  }
}
