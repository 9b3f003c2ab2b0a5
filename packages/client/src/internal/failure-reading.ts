// How a failed attempt reads as the client's error: the fault in a response's body, what a body
// that is no fault looks like, the Retry-After a 429 asked for, the token redacted from all of it.
// Loaded by the pipeline's steps on an attempt's first failure (a dynamic import): a call that
// succeeds never needs it, so it is no part of the main entry's bundle.
import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  type ErrorFields,
  MfaRequiredError,
  NotFoundError,
  PartnerCenterError,
  PermissionDeniedError,
  RateLimitError,
  type ResponseProblem,
  ResponseTooLargeError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
} from '../core/errors.js';
import type { Call, CallIds, PipelineRequest, PipelineResponse } from './pipeline/pipeline.js';
import { redactToken } from './redaction.js';
import { parseRetryAfter } from './retry-strategies/retry-after.js';

// A 408 is a TimeoutError like a timeout of the client's own, and is retried as one.
const classByStatus: Record<number, typeof PartnerCenterError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  408: TimeoutError,
  409: ConflictError,
  429: RateLimitError,
};

const SNIPPET_LENGTH = 120;

/** `JSON.parse`, `undefined` for text that is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Says what a body that is not the JSON we expected looks like, in a few words. */
export function describeBody(body: string): string {
  const text = body.trim();
  if (text === '') return 'an empty body';
  if (text.startsWith('<')) {
    const title = /<title[^>]*>([^<]*)</i.exec(text)?.[1]?.trim();
    return title ? `an HTML page titled "${title.slice(0, SNIPPET_LENGTH)}"` : 'an HTML page';
  }
  const snippet = JSON.stringify(text.length > SNIPPET_LENGTH ? `${text.slice(0, SNIPPET_LENGTH)}…` : text);
  return parseJson(text) === undefined ? `a body that is not valid JSON: ${snippet}` : `the JSON ${snippet}`;
}

/**
 * Builds the error for an HTTP error response from its body (an `ApiFault`, a `ThrottleFault`,
 * or anything else a proxy may send; redacted by the caller) and the call's ids.
 */
export function errorFromResponse(
  status: number,
  body: string,
  fields: Pick<ErrorFields, 'requestId' | 'correlationId'> & { retryAfterMs?: number | undefined },
): PartnerCenterError {
  const { retryAfterMs, ...ids } = fields;
  const fault = parseJson(body) as Record<string, unknown> | null | undefined;
  const known: ErrorFields & { retryAfterMs?: number } = { status, ...ids };
  if (status === 429 && retryAfterMs !== undefined) known.retryAfterMs = retryAfterMs;
  let what: string;
  if (fault && typeof fault === 'object' && typeof (fault.description ?? fault.message) === 'string') {
    // ApiFault has code/description/data/source; ThrottleFault has statusCode/message.
    known.description = (fault.description ?? fault.message) as string;
    known.code = (fault.code ?? fault.statusCode) as number | string | undefined;
    if (typeof fault.source === 'string') known.source = fault.source;
    if (Array.isArray(fault.data)) known.data = fault.data;
    what = known.description;
  } else {
    what = `${describeBody(body)} instead of an ApiFault`;
  }
  return errorWithDetails(status, what, known);
}

/** Partner Center's code for an App+User call whose token does not carry MFA. */
const MFA_REQUIRED_CODE = 900421;

/** What to do about a token without MFA, and where Microsoft says so. */
const MFA_ADVICE =
  'the App+User token does not show a sign-in with multi-factor authentication: sign the user in again with MFA ' +
  '(https://learn.microsoft.com/partner-center/security/partner-security-requirements-mandating-mfa)';

/** A 401 or 403 that says the token lacks MFA: Partner Center's code 900421, or words that name MFA. */
function isMfaRequired(status: number, { code, description = '' }: ErrorFields): boolean {
  return (
    (status === 401 || status === 403) &&
    (Number(code) === MFA_REQUIRED_CODE || /\bMFA\b|multi-?factor/i.test(description))
  );
}

/** The error class of `status`, with a message that names its code and request id. */
export function errorWithDetails(status: number, what: string, known: ErrorFields): PartnerCenterError {
  if (isMfaRequired(status, known)) return new MfaRequiredError(`${status} ${MFA_ADVICE}: ${what}`, known);
  const details = [
    known.code === undefined ? '' : `code ${known.code}`,
    known.requestId ? `MS-RequestId ${known.requestId}` : '',
  ].filter(Boolean);
  const ErrorClass = classByStatus[status] ?? (status >= 500 ? ServerError : PartnerCenterError);
  return new ErrorClass(`${status} ${what}${details.length ? ` (${details.join(', ')})` : ''}`, known);
}

/**
 * The error of a request that got no complete response, from what the transport threw: an axios
 * error is a `ConnectionError` (refused, reset, dropped), or an `AbortError` when it was canceled
 * (neither deadline fired: something else, such as an interceptor, canceled it). Anything else
 * comes from the caller's own interceptors, or is already the client's: it passes untouched.
 */
export function transportError(error: unknown, ids: CallIds): unknown {
  const { isAxiosError, code, message } = (error ?? {}) as { isAxiosError?: boolean; code?: string; message: string };
  if (!isAxiosError) return error;
  const fields = { code, ...ids };
  return code === 'ERR_CANCELED'
    ? new AbortError('the request was canceled', fields)
    : new ConnectionError(`connection failed: ${message}`, fields);
}

/** The error of a response that is not a 2xx (nor a redirect), its body's text redacted of the request's token. */
export function responseError(response: PipelineResponse, request: PipelineRequest, ids: CallIds): PartnerCenterError {
  const { status, headers } = response;
  return errorFromResponse(status, redactToken(response.body, request.headers), {
    ...ids,
    retryAfterMs: parseRetryAfter(headers['retry-after']),
  });
}

/**
 * The error for a redirect (or, where the transport followed one itself, for an answer from
 * another origin, `location` being that origin), its `location` redacted of the request's token.
 */
export function redirectError(status: number, location: string, request: PipelineRequest, ids: CallIds) {
  const where = location
    ? ` to ${JSON.stringify(redactToken(location, request.headers).slice(0, SNIPPET_LENGTH))}`
    : '';
  return errorWithDetails(status, `a redirect${where}, which the client does not follow`, { status, ...ids });
}

/** The rule a 2xx body that is not a JSON object breaks, the body redacted of the request's token. */
export function notAnObject(body: string, request: PipelineRequest, shape: 'object' | 'array' = 'object'): string {
  return `must be a JSON ${shape}, not ${describeBody(redactToken(body, request.headers))}`;
}

/**
 * What the transport threw when it stopped reading a body at the attempt's cap (axios'
 * `maxContentLength`, whose only sign is its message), as a `ResponseTooLargeError`; anything
 * else as it is.
 */
export function tooLargeError(error: unknown, maxResponseBytes: number, ids: CallIds): unknown {
  const { isAxiosError, code, message } = (error ?? {}) as { isAxiosError?: boolean; code?: string; message?: string };
  if (!isAxiosError || !message?.startsWith('maxContentLength')) return error;
  return new ResponseTooLargeError(
    `the response body exceeds maxResponseBytes (${maxResponseBytes} bytes); the rest was not read`,
    { code, ...ids },
  );
}

/** The error of a 2xx whose body breaks the spec: its first three `problems` in the message, all of them on the error. */
export function validationError(
  status: number,
  operationId: string,
  problems: readonly ResponseProblem[],
  ids: CallIds,
): ResponseValidationError {
  const shown = problems.slice(0, 3).map(({ pointer, rule }) => `${pointer || '(root)'} ${rule}`);
  return new ResponseValidationError(
    `the ${status} response of ${operationId} does not match the spec: ${shown.join('; ')}`,
    { status, ...ids, problems } as ErrorFields,
  );
}

/** The error of a token provider that threw (`cause`), or answered no token (no `cause`). */
export function providerError(ids: CallIds, ...cause: [unknown] | []): AuthenticationError {
  if (!cause.length) return new AuthenticationError('the credential provider returned no token', ids);
  const [error] = cause;
  return new AuthenticationError(`the credential provider failed: ${(error as Error)?.message ?? error}`, ids, {
    cause: error,
  });
}

/**
 * The error of a call stopped by a deadline or by its caller: an `AbortError` when the caller's
 * signal fired, a `TimeoutError` when the call's deadline (`totalTimeoutMs`) or the attempt's
 * (`timeoutMs`) passed, `limitMs` being that deadline's.
 */
export function stoppedError(by: 'caller' | 'call' | 'attempt', limitMs: number, { ids, attempts }: Call) {
  if (by === 'caller') return new AbortError('the call was aborted', ids);
  const what =
    by === 'call'
      ? `the call did not finish within ${limitMs} ms (totalTimeoutMs), attempts: ${attempts}`
      : `no response within ${limitMs} ms`;
  return new TimeoutError(what, { code: 'ETIMEDOUT', ...ids });
}
