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
  /** Per-attempt timeout in milliseconds, body included; the client's `timeoutMs` by default. */
  timeoutMs?: number;
  /** Deadline of the whole call, retries and waits included; the client's `totalTimeoutMs` by default. */
  totalTimeoutMs?: number;
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
