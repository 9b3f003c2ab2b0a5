import {
  AuthenticationError,
  BadRequestError,
  type CallPromise,
  ConflictError,
  MfaRequiredError,
  NotFoundError,
  PartnerCenterError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  type WithResponse,
} from '@usagebudget/client';
import { expect } from 'vitest';
import { clientModelFor, fieldsUnknownToClient } from './client-models.js';
import type { DocumentedResponse } from './documented-responses.js';
import type { Exchange } from './exchange-recorder.js';
import { expectClientData } from './operation-calls.js';
import type { ScenarioClient, ScenarioContext } from './scenario-context.js';

type ErrorClass = abstract new (...args: never[]) => PartnerCenterError;

/** The error class the client's README promises for each status the spec documents. */
const errorClassByStatus: Readonly<Record<number, ErrorClass>> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  413: PartnerCenterError,
  415: PartnerCenterError,
  429: RateLimitError,
  500: ServerError,
  503: ServerError,
};

/** Partner Center's code for an app+user call without MFA: the client's `MfaRequiredError`, an `AuthenticationError`. */
const MFA_REQUIRED_CODE = 900421;

/**
 * The class a documented error status must arrive as (with the body, when known: a `401` of
 * code `900421` is the `MfaRequiredError` the client's README promises); throws for a status the
 * suite does not know.
 */
export function expectedErrorClass(status: number, body?: Record<string, unknown>): ErrorClass {
  if (status === 401 && body?.code === MFA_REQUIRED_CODE) return MfaRequiredError;
  const errorClass = errorClassByStatus[status];
  if (!errorClass) throw new Error(`no expected error class for status ${status}: add it to outcomes.ts`);
  return errorClass;
}

const label = (documented: DocumentedResponse) => `${documented.method} ${documented.status}`;

/** The body is valid against the documented schema, and the client's model knows every field. */
export function expectDocumentedBody(context: ScenarioContext, documented: DocumentedResponse, body: unknown): void {
  const check = context.validator.compile(documented.schemaPointer)(body);
  expect(check.errors, `${label(documented)} body against ${documented.schemaPointer}`).toEqual([]);
  const unknown = fieldsUnknownToClient(body, clientModelFor(documented.schemaPointer));
  expect(unknown, `${label(documented)}: fields the client's model does not declare`).toEqual([]);
}

export function expectDeclaredHeaders(documented: DocumentedResponse, exchange: Exchange): void {
  const missing = documented.headers.filter((name) => exchange.responseHeaders[name] === undefined);
  expect(missing, `${label(documented)}: declared response headers missing`).toEqual([]);
}

/**
 * MS-RequestId and MS-CorrelationId both ways: every attempt of the call sent the same ids (the
 * caller's correlation id when given), the client reports the ids of the response, and a target
 * that echoes answered with the ids it was sent.
 */
export function expectIdFlow(
  context: ScenarioContext,
  exchanges: readonly Exchange[],
  reported: { requestId?: string | undefined; correlationId?: string | undefined },
  correlationId: string | undefined,
): void {
  const sent = (name: string) => [...new Set(exchanges.map((exchange) => exchange.requestHeaders[name]))];
  const [requestId, ...otherRequestIds] = sent('ms-requestid');
  const [sentCorrelationId, ...otherCorrelationIds] = sent('ms-correlationid');
  expect(requestId, 'MS-RequestId sent').toEqual(expect.any(String));
  expect(otherRequestIds, 'every attempt of a call sends the same MS-RequestId').toEqual([]);
  expect(sentCorrelationId, 'MS-CorrelationId sent').toEqual(correlationId ?? expect.any(String));
  expect(otherCorrelationIds, 'every attempt of a call sends the same MS-CorrelationId').toEqual([]);
  const answered = (exchanges.at(-1) as Exchange).responseHeaders;
  expect(reported.requestId, 'the client reports the response MS-RequestId').toBe(answered['ms-requestid']);
  expect(reported.correlationId, 'the client reports the response MS-CorrelationId').toBe(answered['ms-correlationid']);
  if (context.target.capabilities.has('echo')) {
    expect(answered['ms-requestid'], 'MS-RequestId echoed').toBe(requestId);
    expect(answered['ms-correlationid'], 'MS-CorrelationId echoed').toBe(sentCorrelationId);
  }
}

export interface CallCheck {
  /** The `correlationId` option the call was made with, which must be what was sent. */
  correlationId?: string;
}

/** Settles `call`, and returns what it gave and the exchanges it took. */
async function settle<T>(scenarioClient: ScenarioClient, call: CallPromise<T>) {
  const before = scenarioClient.exchanges.length;
  const outcome = await call.withResponse().then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
  const exchanges = scenarioClient.exchanges.slice(before);
  return { outcome, exchanges, last: exchanges.at(-1) };
}

/**
 * The call succeeds with the documented status and a documented body, which the client gives as
 * it came (costs as their exact text); returns what the call gave.
 */
export async function expectSuccess<T>(
  context: ScenarioContext,
  scenarioClient: ScenarioClient,
  call: CallPromise<T>,
  documented: DocumentedResponse,
  check: CallCheck = {},
): Promise<WithResponse<T>> {
  const { outcome, exchanges, last } = await settle(scenarioClient, call);
  if ('error' in outcome) throw outcome.error;
  const { data, response } = outcome.result;
  expect(response.status, label(documented)).toBe(documented.status);
  if (!last) throw new Error(`${label(documented)}: the call succeeded without an exchange`);
  expectClientData(context.document, documented.operationId, data, last.body);
  expectDocumentedBody(context, documented, JSON.parse(last.body));
  expectDeclaredHeaders(documented, last);
  expectIdFlow(context, exchanges, response, check.correlationId);
  return outcome.result;
}

/** The fields the client must have read from an error body (ApiFault, or ThrottleFault for 429). */
function faultFields(body: Record<string, unknown>, exchange: Exchange): Record<string, unknown> {
  if ('statusCode' in body) {
    const retryAfter = exchange.responseHeaders['retry-after'];
    return {
      code: body.statusCode,
      description: body.message,
      ...(retryAfter !== undefined && /^\d+$/.test(retryAfter) ? { retryAfterMs: Number(retryAfter) * 1000 } : {}),
    };
  }
  const { code, description, source, data } = body;
  return { code, description, ...(source === undefined ? {} : { source }), ...(data === undefined ? {} : { data }) };
}

/**
 * The call fails with the documented status as the client's error class for it, carrying the
 * fields of the documented body, which must be one the spec documents (schema and error code).
 */
export async function expectFault(
  context: ScenarioContext,
  scenarioClient: ScenarioClient,
  call: CallPromise<unknown>,
  documented: DocumentedResponse,
  check: CallCheck = {},
): Promise<PartnerCenterError> {
  const { outcome, exchanges, last } = await settle(scenarioClient, call);
  if ('result' in outcome) {
    throw new Error(`${label(documented)} expected, got ${outcome.result.response.status}: the call succeeded`);
  }
  const error = outcome.error as PartnerCenterError;
  if (!last) throw new Error(`${label(documented)}: the error came without an exchange: ${error}`);
  const body = JSON.parse(last.body) as Record<string, unknown>;
  const expectedClass = expectedErrorClass(documented.status, body);
  expect(Object.getPrototypeOf(error), `${label(documented)}: ${error}`).toBe(expectedClass.prototype);
  expect(error.status).toBe(documented.status);
  expectDocumentedBody(context, documented, body);
  expect(error, 'the error carries the fields of the body').toMatchObject(faultFields(body, last));
  const documentedCodes = Object.values(documented.examples).map((example) => (example as { code?: unknown }).code);
  if (body.code !== undefined) {
    expect(documentedCodes, `${label(documented)}: the spec documents the code`).toContain(body.code);
  }
  expectDeclaredHeaders(documented, last);
  expectIdFlow(context, exchanges, error, check.correlationId);
  return error;
}
