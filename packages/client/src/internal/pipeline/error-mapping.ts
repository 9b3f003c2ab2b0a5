import type { AxiosError } from 'axios';
import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  type ErrorFields,
  NotFoundError,
  PartnerCenterError,
  PermissionDeniedError,
  RateLimitError,
  ResponseTooLargeError,
  ServerError,
  TimeoutError,
} from '../core/errors.js';
import { parseExactJson } from './exact-json.js';

/** The ids of one logical call, the same on all its attempts. */
export type CallIds = { requestId: string; correlationId: string };

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

/** Says what a body that is not the JSON we expected looks like, in a few words. */
export function describeBody(body: string): string {
  const text = body.trim();
  if (text === '') return 'an empty body';
  if (text.startsWith('<')) {
    const title = /<title[^>]*>([^<]*)</i.exec(text)?.[1]?.trim();
    return title ? `an HTML page titled "${title.slice(0, SNIPPET_LENGTH)}"` : 'an HTML page';
  }
  const snippet = JSON.stringify(text.length > SNIPPET_LENGTH ? `${text.slice(0, SNIPPET_LENGTH)}…` : text);
  return parseExactJson(text) === undefined ? `a body that is not valid JSON: ${snippet}` : `the JSON ${snippet}`;
}

/**
 * Builds the error for an HTTP error response from its body (an `ApiFault`, a `ThrottleFault`,
 * or anything else a proxy may send; redacted by the caller) and the call's ids.
 */
export function errorFromResponse(
  status: number,
  body: string,
  fields: Pick<ErrorFields, 'requestId' | 'correlationId'> & { retryAfterMs?: number },
): PartnerCenterError {
  const { retryAfterMs, ...ids } = fields;
  const fault = parseExactJson(body) as Record<string, unknown> | null | undefined;
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
  return withDetails(status, what, known);
}

function withDetails(status: number, what: string, known: ErrorFields): PartnerCenterError {
  const details = [
    known.code === undefined ? '' : `code ${known.code}`,
    known.requestId ? `MS-RequestId ${known.requestId}` : '',
  ].filter(Boolean);
  const ErrorClass = classByStatus[status] ?? (status >= 500 ? ServerError : PartnerCenterError);
  return new ErrorClass(`${status} ${what}${details.length ? ` (${details.join(', ')})` : ''}`, known);
}

/**
 * The error for a redirect (or, where the transport followed one itself, for an answer from
 * another origin, `location` being that origin). The API never redirects, and following one would re-send the request
 * (a PATCH with its body) somewhere else and take that place's answer for the service's: a
 * redirect ends the call, and is not retried (a redirect loop is no transient failure).
 */
export function redirectError(status: number, location: string | undefined, ids: CallIds): PartnerCenterError {
  const where = location ? ` to ${JSON.stringify(location.slice(0, SNIPPET_LENGTH))}` : '';
  return withDetails(status, `a redirect${where}, which the client does not follow`, { status, ...ids });
}

/** Maps an error thrown by axios (no complete response arrived) to the client's errors. */
export function transportError(error: unknown, ids: CallIds, maxResponseBytes: number): unknown {
  const { isAxiosError, code, message } = (error ?? {}) as AxiosError;
  // Anything else comes from the caller's own interceptors: pass it on untouched.
  if (!isAxiosError) return error;
  const fields = { code, ...ids };
  if (code === 'ERR_CANCELED') return new AbortError('the request was canceled', fields);
  // axios' only sign of its maxContentLength limit is this message; it stopped reading there.
  return message.startsWith('maxContentLength')
    ? new ResponseTooLargeError(
        `the response body exceeds maxResponseBytes (${maxResponseBytes} bytes); the rest was not read`,
        fields,
      )
    : new ConnectionError(`connection failed: ${message}`, fields);
}
