import type { ResponseProblem } from './errors.js';

/**
 * Checks the body of a 2xx response, as the service sent it, against what `operationId` may answer
 * with `status`: the problems found, none when it is valid. The client then fails the call with a
 * `ResponseValidationError` listing them, instead of returning the body; such a call is not
 * retried (a service that answers what the API does not allow would again).
 * `specResponseValidator()` of `@usagebudget/client/validation` checks every body against the
 * spec's schema of the operation's response.
 */
export type ResponseValidator = (
  operationId: string,
  status: number,
  body: string,
) => readonly ResponseProblem[] | Promise<readonly ResponseProblem[]>;

/** Returns an access token for Partner Center. Called before every attempt. */
export type TokenProvider = (context: {
  /** True once per call, after a 401: return a fresh token rather than a cached one. */
  forceRefresh: boolean;
  signal?: AbortSignal;
}) => string | Promise<string>;

/** An access token and when it expires, as `@azure/core-auth`'s `AccessToken` has them. */
export interface AccessToken {
  token: string;
  /** When the token expires, in milliseconds since the epoch. */
  expiresOnTimestamp: number;
  /** When to ask for a new one (Azure's proactive refresh), in milliseconds since the epoch. */
  refreshAfterTimestamp?: number;
}

/** What the client passes to `TokenCredential.getToken`, a subset of `@azure/core-auth`'s `GetTokenOptions`. */
export interface GetTokenOptions {
  /** Fires when the call ends (its deadline or the caller's signal). */
  abortSignal?: AbortSignal;
  /** The claims a `WWW-Authenticate` claims challenge asked for, decoded from base64 (JSON text). */
  claims?: string;
}

/**
 * A source of tokens in the Azure convention (`@azure/core-auth`'s `TokenCredential`): every
 * credential of `@azure/identity` is one. The client asks it for the scope of its cloud and the
 * operation's token kind: `https://api.partnercenter.microsoft.com/user_impersonation` for an
 * operation that accepts app+user tokens only, `https://api.partnercenter.microsoft.com/.default`
 * for the others. Structural: the client does not depend on `@azure/identity`.
 */
export interface TokenCredential {
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
}

/** How much the client logs: `error` only, up to `warning`, `info` (a line per attempt) or `debug`. */
export type LogLevel = 'error' | 'warning' | 'info' | 'debug';

/**
 * Where the client writes what it does. `console` fits. Lines never contain a body, the token or
 * any header but `MS-RequestId` and `MS-CorrelationId`.
 */
export interface Logger {
  error?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  debug?(message: string, fields?: Record<string, unknown>): void;
}

/** Options of one call. */
export interface CallOptions {
  /** Aborts the call, its retries and its waits; the call then fails with an `AbortError`. */
  signal?: AbortSignal;
  /** The `MS-CorrelationId` (a GUID) that ties this call to others; a new one by default. */
  correlationId?: string;
  /** Per-attempt timeout in milliseconds, body included; the client's `timeoutMs` by default. */
  timeoutMs?: number;
  /** Deadline of the whole call, retries and waits included; the client's `totalTimeoutMs` by default. */
  totalTimeoutMs?: number;
  /**
   * The `MS-RequestId` (a GUID) of this call and all its retries; a new one by default. Sending a
   * `PATCH` again with the same id (after a crash, from another process) is answered as a replay
   * by the service instead of being applied twice.
   */
  requestId?: string;
  /** Paces this call's attempts together with every other call that shares it (see {@link Throttle}). */
  throttle?: Throttle;
}

/**
 * Paces the attempts of the calls that share it, such as the bulk operations' `AdaptiveThrottle`
 * (`@usagebudget/client/bulk`). The client awaits `acquire` before each attempt and tells
 * `settle` what the attempt got.
 */
export interface Throttle {
  /** Resolves when an attempt may be sent; resolves early when `signal` aborts (the call then ends). */
  acquire(signal?: AbortSignal): Promise<void>;
  /**
   * What an attempt got: its HTTP status (0 when no response came) and the wait a `429`'s
   * `Retry-After` asked for, in milliseconds.
   */
  settle(status: number, retryAfterMs?: number): void;
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
