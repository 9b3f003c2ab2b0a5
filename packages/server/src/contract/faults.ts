import type { Schema } from '@usagebudget/openapi/types';

/** The error body of every status but 429, as the spec defines it. */
export type ApiFault = Schema<'ApiFault'>;
/** The body of a 429, as the spec defines it. */
export type ThrottleFault = Schema<'ThrottleFault'>;

/** Partner Center's codes for the errors this resource returns (see the spec's "Errors" section). */
const FaultCode = {
  invalidCustomerId: 900118,
  invalidProperty: 3000,
  invalidInput: 800002,
  tokenMissing: 800001,
  mfaRequired: 900421,
  noRelationship: 20002,
  tenantNotFound: 60003,
  unexpected: 800003,
} as const;

const SOURCE = 'usagebudget-server';
const MAX_DESCRIPTION = 1024;

/** A response that ends a request early; thrown by any step and written by the request handler. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiFault | ThrottleFault,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super('description' in body ? body.description : body.message);
    this.name = 'HttpError';
  }
}

function fault(
  status: number,
  code: number | string,
  description: string,
  data?: unknown[],
  headers?: Record<string, string>,
): HttpError {
  const text = description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 1)}…` : description;
  const body: ApiFault = data
    ? { code, description: text, data, source: SOURCE }
    : { code, description: text, source: SOURCE };
  return new HttpError(status, body, headers);
}

const REALM = 'usagebudget';
const USER_SCOPE = 'https://api.partnercenter.microsoft.com/user_impersonation';
/** A request's value as a description echoes it: as sent (JSON for a non-string), at most 64 characters. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

export const faults = {
  tokenMissing: () =>
    fault(401, FaultCode.tokenMissing, 'Partner Token missing in request context', undefined, {
      'WWW-Authenticate': `Bearer realm="${REALM}"`,
    }),
  tokenInvalid: () =>
    fault(
      401,
      FaultCode.tokenMissing,
      'Partner Token missing in request context: the bearer token is not valid',
      undefined,
      {
        'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"`,
      },
    ),
  /** A JWT bearer that failed `--token-issuer`'s verification, and why (never the token). */
  tokenRejected: (why: string) =>
    fault(
      401,
      FaultCode.tokenMissing,
      `Partner Token missing in request context: the bearer token is not valid: ${why}.`,
      undefined,
      {
        // A header holds printable ASCII only (a claim quoted in `why` may hold anything).
        'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="${why.replace(/[^\x20-\x21\x23-\x7e]/g, '?')}"`,
      },
    ),
  /** A verified token of a tenant that is no configured partner. */
  tenantNotPartner: (tenantId: string) =>
    fault(
      401,
      FaultCode.tokenMissing,
      `Partner Token missing in request context: the token's tenant (tid ${shown(tenantId)}) is not a partner of this server.`,
      undefined,
      { 'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
    ),
  /** An app+user token whose sign-in used no second factor (Partner Center's MFA mandate). */
  mfaRequired: () =>
    fault(
      401,
      FaultCode.mfaRequired,
      "Multifactor authentication required: the app+user token's sign-in did not use multi-factor authentication (its amr claim has no mfa). Sign the user in again with MFA.",
      undefined,
      { 'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
    ),
  /** The token issuer's keys could not be read: the token may be good, try again. */
  issuerUnavailable: () =>
    fault(
      503,
      'ServiceUnavailable',
      "The service is temporarily unavailable: the token issuer's signing keys could not be read. Try again in 5 seconds.",
      undefined,
      { 'Retry-After': '5' },
    ),
  noRelationship: (partnerId: string, customerId: string) =>
    fault(
      403,
      FaultCode.noRelationship,
      `The partner id ${partnerId} has no commerce relationship with the customer id ${customerId}.`,
    ),
  tenantNotFound: () => fault(404, FaultCode.tenantNotFound, 'Tenant not found'),
  requestIdReused: () =>
    fault(
      409,
      'RequestIdReused',
      'This MS-RequestId already applied a different update (another customer or amount). Send a new MS-RequestId for every new call.',
      ['MS-RequestId'],
    ),
  invalidCustomerId: () => fault(400, FaultCode.invalidCustomerId, 'Invalid Customer Id'),
  invalidProperties: (problems: readonly { name: string; message: string }[]) =>
    fault(
      400,
      FaultCode.invalidProperty,
      problems.map(({ name, message }) => `Invalid property '${name}': ${message}.`).join(' '),
      [...new Set(problems.map(({ name }) => name))],
    ),
  invalidHeader: (name: string, message: string) =>
    fault(400, FaultCode.invalidInput, `Invalid request input. Header ${name} ${message}.`, [name]),
  invalidInput: (reason: string) => fault(400, FaultCode.invalidInput, `Invalid request input. ${reason}`),
  payloadTooLarge: (limit: number) =>
    fault(413, FaultCode.invalidInput, `Invalid request input. The request body exceeds ${limit} bytes.`),
  unsupportedMediaType: (mediaType: string) =>
    fault(415, FaultCode.invalidInput, `Invalid request input. The request body must be ${mediaType}.`),
  // Rejections Node's HTTP layer would otherwise answer itself, without an ApiFault or the ids.
  hostMissing: () => fault(400, FaultCode.invalidInput, 'Invalid request input. An HTTP/1.1 request must send Host.'),
  expectationFailed: (expectation: string) =>
    fault(
      417,
      FaultCode.invalidInput,
      `Invalid request input. Expect: ${expectation} cannot be met; only 100-continue is supported.`,
    ),
  connectNotAllowed: () =>
    fault(
      405,
      FaultCode.invalidInput,
      'Invalid request input. CONNECT is not allowed: this server is no proxy.',
      undefined,
      {
        Allow: 'GET, HEAD, PATCH, POST, PUT',
      },
    ),
  requestTimeout: (headersSeconds: number, requestSeconds: number) =>
    fault(
      408,
      FaultCode.invalidInput,
      `Invalid request input. The request did not arrive in time: its headers must arrive within ${headersSeconds} seconds, all of it within ${requestSeconds} seconds.`,
    ),
  tooManyConnections: (retryAfterSeconds: number) =>
    fault(
      503,
      'TooManyConnections',
      `The server has too many open connections. Try again in ${retryAfterSeconds} seconds.`,
      undefined,
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  /** The spec's transient 503: the database does not answer now. */
  serviceUnavailable: (retryAfterSeconds: number) =>
    fault(
      503,
      'ServiceUnavailable',
      `The service is temporarily unavailable: its database does not answer. Try again in ${retryAfterSeconds} seconds.`,
      undefined,
      { 'Retry-After': String(retryAfterSeconds) },
    ),
  methodNotAllowed: (method: string, allow: string) =>
    fault(
      405,
      FaultCode.invalidInput,
      `Invalid request input. ${method} is not allowed here; use ${allow}.`,
      undefined,
      {
        Allow: allow,
      },
    ),
  routeNotFound: () => fault(404, 'NotFound', 'No resource at this path.'),
  // The admin API's (namespaces): its own token, and its own codes.
  adminTokenMissing: () =>
    fault(401, 'AdminTokenMissing', 'The admin API needs Authorization: Bearer <the admin token>.', undefined, {
      'WWW-Authenticate': `Bearer realm="${REALM}-admin"`,
    }),
  adminTokenInvalid: () =>
    fault(401, 'AdminTokenInvalid', 'The bearer token is not the admin token.', undefined, {
      'WWW-Authenticate': `Bearer realm="${REALM}-admin", error="invalid_token"`,
    }),
  invalidNamespace: (problems: readonly string[]) =>
    fault(400, 'InvalidNamespace', `The namespace is not valid: ${problems.join('; ')}`, [...problems]),
  namespaceNotFound: (id: string) => fault(404, 'NamespaceNotFound', `No namespace has the id ${shown(id)}.`),
  tooManyNamespaces: (max: number) =>
    fault(
      409,
      'TooManyNamespaces',
      `${max} namespaces exist, the most the server keeps: delete one (or wait for one to expire) first.`,
    ),
  invalidPathParameter: (name: string, message: string) =>
    fault(400, FaultCode.invalidInput, `Invalid request input. Path parameter ${name} ${message}.`, [name]),
  tokenKindNotAccepted: (accepted: readonly string[], sent: string) =>
    fault(
      403,
      'TokenKindNotAccepted',
      accepted.length === 1 && accepted[0] === 'app+user'
        ? `This operation accepts app+user tokens only, and the request's token is an ${sent} token. Call again with a token of a signed-in user (scope ${USER_SCOPE}).`
        : `This operation accepts ${accepted.join(' and ')} tokens only, and the request's token is an ${sent} token.`,
      [...accepted],
    ),
  noUsageBasedSubscription: () =>
    fault(
      404,
      'NoUsageBasedSubscription',
      'The customer has no usage-based subscription (an Azure plan or a Microsoft Azure offer), so it has no usage summary.',
    ),
  invalidSeekOperation: (value: string) =>
    fault(400, 'InvalidSeekOperation', `Invalid seekOperation '${shown(value)}': the only seek operation is Next.`, [
      'seekOperation',
    ]),
  tokenWithoutSeekOperation: () =>
    fault(
      400,
      'InvalidSeekOperation',
      'MS-ContinuationToken is read only with seekOperation=Next. Send the request of links.next as it is.',
      ['seekOperation'],
    ),
  invalidContinuationToken: () =>
    fault(
      400,
      'InvalidContinuationToken',
      'The MS-ContinuationToken is not a valid continuation token for this partner. It may be malformed, expired or issued to another partner; list again from the first page.',
      ['MS-ContinuationToken'],
    ),
  missingContinuationToken: () =>
    fault(400, 'InvalidContinuationToken', 'seekOperation=Next needs the MS-ContinuationToken header of links.next.', [
      'MS-ContinuationToken',
    ]),
  invalidPageSize: (value: string, min: number, max: number) =>
    fault(
      400,
      'InvalidPageSize',
      `Invalid size '${shown(value)}': it must be an integer from ${min} to ${max}. Omit it for ${max}.`,
      ['size'],
    ),
  sizeWithContinuationToken: () =>
    fault(
      400,
      'InvalidPageSize',
      'A continuation request takes its size from MS-ContinuationToken; send no size with it.',
      ['size'],
    ),
  invalidFilter: (problem: string) => fault(400, 'InvalidFilter', `Invalid filter: ${problem}`, ['filter']),
  filterWithContinuationToken: () =>
    fault(
      400,
      'InvalidFilter',
      'A continuation request takes its filter from MS-ContinuationToken; send no filter with it.',
      ['filter'],
    ),
  webhookRegistrationNotFound: () =>
    fault(
      404,
      'WebhookRegistrationNotFound',
      'The partner has no webhook registration. Register one with POST /webhooks/v1/registration.',
    ),
  webhookRegistrationExists: () =>
    fault(
      409,
      'WebhookRegistrationExists',
      'The partner already has a webhook registration. Use PUT /webhooks/v1/registration to update it.',
    ),
  testEventNotRegistered: () =>
    fault(
      409,
      'TestEventNotRegistered',
      'The webhook registration does not include test-created. Add it with PUT /webhooks/v1/registration to send test events.',
      ['webhookEvents'],
    ),
  validationEventNotFound: () =>
    fault(
      404,
      'ValidationEventNotFound',
      'No test event of this partner has this correlation ID. Test events are kept 7 days.',
      ['correlationId'],
    ),
  unexpected: () => fault(500, FaultCode.unexpected, 'Unexpected service error'),
  throttled: (retryAfterSeconds: number) =>
    new HttpError(
      429,
      { statusCode: 429, message: `Rate limit is exceeded. Try again in ${retryAfterSeconds} seconds.` },
      { 'Retry-After': String(retryAfterSeconds) },
    ),
};
