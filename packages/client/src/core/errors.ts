/** What is known about a failed call. Every field is optional: a connection error has no status. */
export interface ErrorFields {
  /** HTTP status of the response, when one arrived. */
  status?: number;
  /** Partner Center's error code (`ApiFault.code`, `ThrottleFault.statusCode`), or the transport's (`ECONNRESET`). */
  code?: number | string;
  /** Partner Center's own words (`ApiFault.description`, `ThrottleFault.message`). */
  description?: string;
  /** The component that raised the error (`ApiFault.source`, e.g. `PartnerFD`). */
  source?: string;
  /** Additional details (`ApiFault.data`), such as the names of invalid properties. */
  data?: unknown[];
  /** The `MS-RequestId` of the call: the response's echo, or the one the client sent. */
  requestId?: string;
  /** The `MS-CorrelationId` of the call: the response's echo, or the one the client sent. */
  correlationId?: string;
}

/**
 * The base of every error the client throws. The access token is never stored on an error, so
 * `message`, `toJSON()` and `util.inspect` cannot reveal it.
 */
export class PartnerCenterError extends Error {
  declare readonly status?: number;
  declare readonly code?: number | string;
  declare readonly description?: string;
  declare readonly source?: string;
  declare readonly data?: unknown[];
  declare readonly requestId?: string;
  declare readonly correlationId?: string;

  constructor(message: string, fields: ErrorFields = {}, options?: ErrorOptions) {
    super(message, options);
    // Only the fields that are known become own properties, which keeps inspect output short.
    Object.assign(this, fields);
  }

  /** The error as plain data, for structured logs. */
  toJSON(): Record<string, unknown> {
    // Own fields only: `cause` and `stack` are not enumerable and stay out.
    return { name: this.name, message: this.message, ...(this as object) };
  }
}

/** 400: the service rejected the request (for example code `900118` or `3000`). */
export class BadRequestError extends PartnerCenterError {}

/** 401, or a token that could not be obtained: the token is missing, expired or for another audience. */
export class AuthenticationError extends PartnerCenterError {}

/**
 * 401 or 403 because the App+User token does not show that the user signed in with multi-factor
 * authentication (Partner Center's code `900421`, or a description that names MFA). Asking the
 * same credential again does not help: the user must sign in again with MFA.
 */
export class MfaRequiredError extends AuthenticationError {}

/** 403: the customer belongs to another partner, or the caller's role lacks rights. */
export class PermissionDeniedError extends PartnerCenterError {}

/** 404: no customer of the partner has this tenant ID. */
export class NotFoundError extends PartnerCenterError {}

/** 409: the request conflicts with the resource's state. */
export class ConflictError extends PartnerCenterError {}

/** 429 after the retries, or with a `Retry-After` longer than the client may wait. */
export class RateLimitError extends PartnerCenterError {
  /** How long the service asked to wait (`Retry-After`), when it said. */
  declare readonly retryAfterMs?: number;
}

/** 5xx after the retries. */
export class ServerError extends PartnerCenterError {}

/** No response: the connection was refused, reset or dropped (after the retries). */
export class ConnectionError extends PartnerCenterError {}

/**
 * No complete response within `timeoutMs` (after the retries), the call not done within
 * `totalTimeoutMs`, or a 408 from the service.
 */
export class TimeoutError extends PartnerCenterError {}

/** The response body was longer than `maxResponseBytes`; the rest of it was not read. Never retried. */
export class ResponseTooLargeError extends PartnerCenterError {}

/** One way a response body breaks the spec: where (a JSON pointer into the body, `''` for all of it) and the rule. */
export interface ResponseProblem {
  /** The field: a JSON pointer (RFC 6901) into the body, such as `/items/3/percentUsed`; `''` is the whole body. */
  pointer: string;
  /** The rule it breaks, such as `must be integer`. */
  rule: string;
}

/**
 * A 2xx response whose body the client will not return: not a JSON object, or, with the client's
 * `validateResponses` (`specResponseValidator()` of `@usagebudget/client/validation`), not what
 * the spec's schema of the operation's response allows. `problems` names each field (a JSON
 * pointer into the body) and the rule it breaks. Never retried: the service said something the API
 * does not allow, and would again.
 */
export class ResponseValidationError extends PartnerCenterError {
  /** Every field of the body that breaks the spec, with its rule. */
  declare readonly problems: readonly ResponseProblem[];
}

/**
 * A walk of pages (`listCustomers`, the usage records should they come paged) that cannot go on,
 * because it would never end or would go where the client does not send a token. `code` says why:
 * `PageRepeated` (a `links.next` or continuation token the walk has followed before, or usage
 * records of customers an earlier page had), `EmptyPages` (10 pages in a row with no items but a
 * `links.next`), `PageLimit` (more pages than the client's `maxPages`), `LinkRefused` (a
 * `links.next` the client does not follow: not a `GET` of a path of the API with at most an
 * `MS-ContinuationToken`). Never retried.
 */
export class PagingError extends PartnerCenterError {}

/** The caller's `AbortSignal` fired. Never retried. */
export class AbortError extends PartnerCenterError {}

/** An argument or option is invalid; nothing was sent. */
export class ValidationError extends PartnerCenterError {
  /** The name of the invalid argument or option. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field} ${message}`);
    this.field = field;
  }
}

// Minifiers rename classes, so each prototype gets its name here rather than from the class.
for (const [name, ErrorClass] of Object.entries({
  PartnerCenterError,
  BadRequestError,
  AuthenticationError,
  MfaRequiredError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  RateLimitError,
  ServerError,
  ConnectionError,
  TimeoutError,
  ResponseTooLargeError,
  ResponseValidationError,
  PagingError,
  AbortError,
  ValidationError,
})) {
  ErrorClass.prototype.name = name;
}
