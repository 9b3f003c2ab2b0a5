import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  clouds,
  NotFoundError,
  PartnerCenterError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  SDK_CLIENT,
  ServerError,
  TimeoutError,
  UsageBudgetClient,
  type UsageBudgetClientOptions,
  ValidationError,
} from '../src/index.js';
import { clientOf, failure } from './support/client-of.js';
import { budget, TENANT, useFaultServer } from './support/fault-server.js';

// A test oracle, kept apart from the client's own rule on purpose: lower case, as randomUUID() makes them.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const server = useFaultServer();

const client = (options: Partial<UsageBudgetClientOptions> = {}) => clientOf(server, options);

const requestIds = () => server.requests.map((request) => request.headers['ms-requestid']);

describe('successful calls', () => {
  it('gets a budget and sends the documented headers', async () => {
    server.enqueue({ status: 200, json: budget(100), headers: { 'MS-RequestId': 'echoed-id' } });
    const { data, response } = await client({ application: 'Contoso Billing', locale: 'fr-FR' })
      .getBudget(TENANT)
      .withResponse();
    expect(data).toEqual(budget(100));
    const [request] = server.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe(`/v1/customers/${TENANT}/usagebudget`);
    expect(request?.headers.authorization).toBe('Bearer test-token');
    expect(request?.headers['ms-requestid']).toMatch(GUID);
    expect(request?.headers['ms-correlationid']).toMatch(GUID);
    expect(request?.headers['x-locale']).toBe('fr-FR');
    expect(request?.headers['ms-partnercenter-client']).toBe(`usagebudget-sdk/${version}`);
    expect(SDK_CLIENT).toBe(`usagebudget-sdk/${version}`);
    expect(request?.headers['ms-partnercenter-application']).toBe('Contoso Billing');
    expect(request?.headers['content-type']).toBeUndefined();
    expect(response).toMatchObject({
      status: 200,
      requestId: 'echoed-id',
      correlationId: request?.headers['ms-correlationid'],
      attempts: 1,
    });
    expect(response.headers['content-type']).toBe('application/json');
  });

  it('awaits to the data, with en-US and no application header by default', async () => {
    server.enqueue({ status: 200, json: budget(null) });
    await expect(client().getBudget(TENANT)).resolves.toEqual(budget(null));
    expect(server.requests[0]?.headers['x-locale']).toBe('en-US');
    expect(server.requests[0]?.headers).not.toHaveProperty('ms-partnercenter-application');
  });

  it('sets and clears a budget with PATCH, keeping the amount exact', async () => {
    server.enqueue({ status: 200, json: budget(123.45) }, { status: 200, json: budget(null) });
    const c = client();
    await expect(c.setBudget(TENANT, 123.45)).resolves.toMatchObject({ amount: 123.45 });
    await expect(c.clearBudget(TENANT)).resolves.toMatchObject({ amount: null });
    expect(server.requests.map((request) => [request.method, request.body, request.headers['content-type']])).toEqual([
      ['PATCH', '{"amount":123.45}', 'application/json'],
      ['PATCH', '{"amount":null}', 'application/json'],
    ]);
  });

  it('sends the given correlation id, and a new request id per call', async () => {
    const correlationId = '7cb67bb7-4750-403d-8c2e-6bc44c52d52c';
    server.enqueue({ status: 200, json: budget(1) }, { status: 200, json: budget(1) });
    const c = client();
    const { response } = await c.getBudget(TENANT, { correlationId }).withResponse();
    await c.getBudget(TENANT, { correlationId });
    expect(response.correlationId).toBe(correlationId);
    expect(server.requests.map((request) => request.headers['ms-correlationid'])).toEqual([
      correlationId,
      correlationId,
    ]);
    const [first, second] = requestIds();
    expect(first).toMatch(GUID);
    expect(second).toMatch(GUID);
    expect(first).not.toBe(second);
  });
});

describe('the returned promise', () => {
  it('is a Promise whose catch and finally see the outcome', async () => {
    const call = client().getBudget('not-a-guid');
    expect(call).toBeInstanceOf(Promise);
    let settled = false;
    const caught = await call
      .finally(() => {
        settled = true;
      })
      .catch((error: unknown) => error);
    expect(settled).toBe(true);
    expect(caught).toBeInstanceOf(ValidationError);
    await expect(call.withResponse()).rejects.toBe(caught);
  });
});

describe('error responses', () => {
  const fault = { code: 60003, description: 'Tenant not found', source: 'PartnerFD', data: ['customerTenantId'] };
  it.each(
    (
      [
        [400, BadRequestError],
        [401, AuthenticationError],
        [403, PermissionDeniedError],
        [404, NotFoundError],
        [409, ConflictError],
        [500, ServerError],
        [501, ServerError],
        [413, PartnerCenterError],
      ] as [number, typeof PartnerCenterError][]
    ).map(([status, ErrorClass]) => [status, ErrorClass.name, ErrorClass] as const),
  )('maps %i to %s with the ApiFault fields, without retrying', async (status, _, ErrorClass) => {
    server.enqueue({ status, json: fault, headers: { 'ms-requestid': 'server-request-id' } });
    const error = await failure(client({ maxRetries: 0 }).getBudget(TENANT));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.name).toBe(ErrorClass.name);
    expect(error).toMatchObject({
      status,
      code: 60003,
      description: 'Tenant not found',
      source: 'PartnerFD',
      data: ['customerTenantId'],
      requestId: 'server-request-id',
      correlationId: server.requests[0]?.headers['ms-correlationid'],
    });
    expect(error.message).toBe(`${status} Tenant not found (code 60003, MS-RequestId server-request-id)`);
    expect(server.requests).toHaveLength(1);
  });

  it.each([400, 403, 404, 409, 413, 501])('does not retry %i even when retries are allowed', async (status) => {
    server.enqueue({ status, json: fault }, { status: 200, json: budget(1) });
    await failure(client({ maxRetries: 3 }).getBudget(TENANT));
    expect(server.requests).toHaveLength(1);
  });

  it('accepts a string code and keeps it a string', async () => {
    server.enqueue({ status: 503, json: { code: 'ServiceUnavailable', description: 'Try later' } });
    const error = await failure(client({ maxRetries: 0 }).getBudget(TENANT));
    expect(error).toBeInstanceOf(ServerError);
    expect(error.code).toBe('ServiceUnavailable');
  });

  it.each([
    ['malformed JSON', 500, '{"code": 800003, "descr', 'application/json', 'not valid JSON: "{\\"code\\": 800003'],
    [
      'an HTML page',
      502,
      '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
      'text/html',
      'an HTML page titled "502 Bad Gateway"',
    ],
    ['an empty body', 503, '', 'text/plain', 'an empty body'],
    [
      'JSON that is not an ApiFault',
      500,
      '{"error":"boom"}',
      'application/json',
      'the JSON "{\\"error\\":\\"boom\\"}" instead of an ApiFault',
    ],
  ])('explains %s instead of crashing', async (_, status, text, contentType, expected) => {
    server.enqueue({ status, text, contentType });
    const error = await failure(client({ maxRetries: 0 }).getBudget(TENANT));
    expect(error).toBeInstanceOf(ServerError);
    expect(error.status).toBe(status);
    expect(error.message).toContain(expected);
    expect(error.description).toBeUndefined();
  });

  it('rejects a 200 whose body is JSON but not an object', async () => {
    server.enqueue({ status: 200, json: [] });
    const error = await failure(client().getBudget(TENANT));
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.message).toBe(
      'the 200 response of getUsageBudget does not match the spec: (root) must be a JSON object, not the JSON "[]"',
    );
    expect((error as ResponseValidationError).problems).toEqual([
      { pointer: '', rule: 'must be a JSON object, not the JSON "[]"' },
    ]);
  });

  it('rejects a 200 whose body is not JSON', async () => {
    server.enqueue({ status: 200, text: '<html><title>Sign in</title></html>', contentType: 'text/html' });
    const error = await failure(client().getBudget(TENANT));
    expect(error.constructor).toBe(ResponseValidationError);
    expect(error.status).toBe(200);
    expect(error.message).toContain('must be a JSON object, not an HTML page titled "Sign in"');
  });
});

describe('retries', () => {
  it('retries 408, 429, 500, 502, 503 and 504 with one MS-RequestId', async () => {
    for (const status of [408, 429, 500, 502, 503, 504]) server.enqueue({ status, text: '' });
    server.enqueue({ status: 200, json: budget(5) });
    const { data, response } = await client({ maxRetries: 6 }).getBudget(TENANT).withResponse();
    expect(data.amount).toBe(5);
    expect(response.attempts).toBe(7);
    const ids = requestIds();
    expect(ids).toHaveLength(7);
    expect(new Set(ids).size).toBe(1);
  });

  it('retries a PATCH with the same MS-RequestId and body', async () => {
    server.enqueue({ status: 500, json: { code: 800003, description: 'Unexpected service error' } });
    server.enqueue({ status: 200, json: budget(7) });
    await expect(client().setBudget(TENANT, 7)).resolves.toMatchObject({ amount: 7 });
    const [first, second] = server.requests;
    expect(second?.method).toBe('PATCH');
    expect(second?.headers['ms-requestid']).toBe(first?.headers['ms-requestid']);
    expect(second?.body).toBe(first?.body);
  });

  it('gives up after maxRetries with the last error', async () => {
    for (let i = 0; i < 3; i++)
      server.enqueue({ status: 503, json: { code: 'ServiceUnavailable', description: 'busy' } });
    const error = await failure(client({ maxRetries: 2 }).getBudget(TENANT));
    expect(error).toBeInstanceOf(ServerError);
    expect(error.status).toBe(503);
    expect(server.requests).toHaveLength(3);
    expect(error.requestId).toBe(server.requests[0]?.headers['ms-requestid']);
  });

  it('sends once when maxRetries is 0', async () => {
    // A retry would get the 200 and succeed.
    server.enqueue({ status: 503, text: '' }, { status: 200, json: budget(1) });
    await failure(client({ maxRetries: 0 }).getBudget(TENANT));
    expect(server.requests).toHaveLength(1);
  });

  it('waits the Retry-After seconds of a 429, then succeeds', async () => {
    const warnings: Record<string, unknown>[] = [];
    server.enqueue({
      status: 429,
      json: { statusCode: 429, message: 'Rate limit is exceeded. Try again in 1 seconds.' },
      headers: { 'retry-after': '1' },
    });
    server.enqueue({ status: 200, json: budget(3) });
    const logger = { warn: (_: string, fields?: Record<string, unknown>) => warnings.push(fields ?? {}) };
    const { response } = await client({ logger }).getBudget(TENANT).withResponse();
    expect(response.attempts).toBe(2);
    expect(warnings.filter((fields) => 'delayMs' in fields)).toEqual([expect.objectContaining({ delayMs: 1000 })]);
    expect(warnings[0]).toMatchObject({ operation: 'getUsageBudget', status: 429 }); // the attempt's line
    const [first, second] = server.requests;
    // A few ms of slack: timers and Date.now() round differently.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('honours a Retry-After HTTP date', async () => {
    const date = new Date(Date.now() + 2_000).toUTCString();
    server.enqueue({ status: 429, text: '', headers: { 'retry-after': date } });
    server.enqueue({ status: 200, json: budget(3) });
    await client().getBudget(TENANT);
    expect(server.requests[1]?.at).toBeGreaterThanOrEqual(Date.parse(date) - 10);
  });

  it.each([
    ['seconds', () => '120', 120_000],
    ['an HTTP date', () => new Date(Date.now() + 60_000).toUTCString(), 59_000],
  ])('ends with the 429 when Retry-After in %s exceeds the cap', async (_, retryAfter, atLeastMs) => {
    server.enqueue({
      status: 429,
      json: { statusCode: 429, message: 'Rate limit is exceeded. Try again in 120 seconds.' },
      headers: { 'retry-after': retryAfter() },
    });
    const error = (await failure(client({ maxRetries: 3 }).getBudget(TENANT))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(atLeastMs);
    expect(error).toMatchObject({ status: 429, code: 429, description: expect.stringContaining('Rate limit') });
    expect(server.requests).toHaveLength(1);
  });

  it('retries a reset connection, and reports ConnectionError when it persists', async () => {
    server.enqueue({ reset: true }, { status: 200, json: budget(9) });
    await expect(client().getBudget(TENANT)).resolves.toMatchObject({ amount: 9 });
    expect(new Set(requestIds()).size).toBe(1);

    await server.reset();
    server.enqueue({ reset: true }, { reset: true });
    const error = await failure(client({ maxRetries: 1 }).getBudget(TENANT));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe('ECONNRESET');
    expect(error.requestId).toBe(server.requests[0]?.headers['ms-requestid']);
    expect(server.requests).toHaveLength(2);
  });

  it('times out an attempt, retries it, then reports TimeoutError', async () => {
    server.enqueue({ hang: true }, { hang: true });
    // Long enough for the second attempt to reach the server on two busy cores: its count is asserted.
    const error = await failure(client({ maxRetries: 1, timeoutMs: 1_000 }).getBudget(TENANT));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('no response within 1000 ms');
    expect(server.requests).toHaveLength(2);
  });

  it('takes a per-call timeout over the client one', async () => {
    server.enqueue({ hang: true });
    const error = await failure(client({ maxRetries: 0 }).getBudget(TENANT, { timeoutMs: 50 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('no response within 50 ms');
  });
});

describe('abort', () => {
  it('aborts a call in flight', async () => {
    server.enqueue({ hang: true });
    const controller = new AbortController();
    const call = client().getBudget(TENANT, { signal: controller.signal });
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const error = await failure(call);
    expect(error).toBeInstanceOf(AbortError);
    expect(error.requestId).toBe(server.requests[0]?.headers['ms-requestid']);
    expect(server.requests).toHaveLength(1);
  });

  it('aborts the wait before a retry', async () => {
    server.enqueue({ status: 503, text: '', headers: { 'retry-after': '1' } });
    const controller = new AbortController();
    const call = client().getBudget(TENANT, { signal: controller.signal });
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect(await failure(call)).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(1);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const error = await failure(client().getBudget(TENANT, { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('credentials', () => {
  it('asks the provider for a fresh token once after a 401', async () => {
    const calls: boolean[] = [];
    const credential = ({ forceRefresh }: { forceRefresh: boolean }) => {
      calls.push(forceRefresh);
      return forceRefresh ? 'fresh-token' : 'stale-token';
    };
    server.enqueue({ status: 401, json: { code: 800001, description: 'Partner Token missing in request context' } });
    server.enqueue({ status: 200, json: budget(4) });
    await expect(client({ credential, maxRetries: 0 }).getBudget(TENANT)).resolves.toMatchObject({ amount: 4 });
    expect(calls).toEqual([false, true]);
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      'Bearer stale-token',
      'Bearer fresh-token',
    ]);
    expect(new Set(requestIds()).size).toBe(1);
  });

  it('gives up with AuthenticationError when the fresh token is refused too', async () => {
    const fault = { status: 401, json: { code: 800001, description: 'Partner Token missing in request context' } };
    server.enqueue(fault, fault);
    const error = await failure(client({ credential: async () => 'token' }).getBudget(TENANT));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe(800001);
    expect(server.requests).toHaveLength(2);
  });

  it('does not resend a fixed token after a 401', async () => {
    server.enqueue({ status: 401, text: '' });
    expect(await failure(client({ maxRetries: 3 }).getBudget(TENANT))).toBeInstanceOf(AuthenticationError);
    expect(server.requests).toHaveLength(1);
  });

  it('reports a failing provider as AuthenticationError, sending nothing', async () => {
    const cause = new Error('no certificate');
    const error = await failure(
      client({
        credential: () => {
          throw cause;
        },
      }).getBudget(TENANT),
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toBe('the credential provider failed: no certificate');
    expect(error.cause).toBe(cause);
    expect(server.requests).toHaveLength(0);
  });
});

describe('the token stays in the Authorization header', () => {
  const SENTINEL = 'SENTINEL-7f3a9c1e-token-value';

  it('appears in no error message, JSON, inspect output nor log line', async () => {
    const logs: string[] = [];
    const logger = {
      debug: (message: string, fields?: unknown) => logs.push(message, JSON.stringify(fields)),
      warn: (message: string, fields?: unknown) => logs.push(message, JSON.stringify(fields)),
    };
    // A hostile or buggy server that echoes the Authorization header into its error bodies.
    const echo =
      (status: number, html = false) =>
      (request: { headers: Record<string, unknown> }) => {
        const auth = String(request.headers.authorization);
        return html
          ? { status, text: `<html><title>${auth}</title></html>`, contentType: 'text/html' }
          : { status, json: { code: 1, description: `bad ${auth}`, data: [auth], source: auth } };
      };
    // Only the hanging scenario gets a short timeout: on a busy machine a 100 ms limit on every call
    // turned a slow 400 into a retried timeout and shifted the queued answers.
    const c = client({ credential: async () => SENTINEL, logger, maxRetries: 1, timeoutMs: 10_000 });
    const errors: PartnerCenterError[] = [];
    const scenarios: [string, () => void, number?][] = [
      ['400', () => server.enqueue(echo(400))],
      ['401', () => server.enqueue(echo(401), echo(401))],
      ['403', () => server.enqueue(echo(403))],
      ['404', () => server.enqueue(echo(404))],
      ['409', () => server.enqueue(echo(409))],
      ['429', () => server.enqueue(echo(429), echo(429))],
      ['500', () => server.enqueue(echo(500), echo(502, true))],
      ['200 html', () => server.enqueue(echo(200, true))],
      ['reset', () => server.enqueue({ reset: true }, { reset: true })],
      ['timeout', () => server.enqueue({ hang: true }, { hang: true }), 100],
    ];
    for (const [, queue, timeoutMs] of scenarios) {
      queue();
      errors.push(await failure(c.getBudget(TENANT, timeoutMs ? { timeoutMs } : undefined)));
    }
    const controller = new AbortController();
    controller.abort();
    errors.push(await failure(c.getBudget(TENANT, { signal: controller.signal })));

    // The server did receive the token, so the echoes above really carried it.
    expect(server.requests.some((request) => request.headers.authorization === `Bearer ${SENTINEL}`)).toBe(true);
    expect(errors.map((error) => error.name)).toEqual([
      'BadRequestError',
      'AuthenticationError',
      'PermissionDeniedError',
      'NotFoundError',
      'ConflictError',
      'RateLimitError',
      'ServerError',
      'ResponseValidationError',
      'ConnectionError',
      'TimeoutError',
      'AbortError',
    ]);
    for (const error of errors) {
      const outputs = [
        error.message,
        String(error.stack),
        JSON.stringify(error),
        inspect(error, { depth: Infinity, showHidden: true }),
      ];
      for (const output of outputs) expect(output).not.toContain(SENTINEL);
    }
    expect(logs.length).toBeGreaterThan(errors.length);
    expect(logs.join('\n')).not.toContain(SENTINEL);
    expect(JSON.stringify(errors[0])).toContain('[redacted]');
  });
});

describe('validation before sending', () => {
  it.each([
    [
      'a tenant id that is not a GUID',
      (c: UsageBudgetClient) => c.getBudget('contoso.onmicrosoft.com'),
      'customerTenantId',
    ],
    ['a tenant id with a path', (c: UsageBudgetClient) => c.getBudget(`${TENANT}/../x`), 'customerTenantId'],
    ['a negative amount', (c: UsageBudgetClient) => c.setBudget(TENANT, -1), 'amount'],
    ['NaN', (c: UsageBudgetClient) => c.setBudget(TENANT, Number.NaN), 'amount'],
    ['Infinity', (c: UsageBudgetClient) => c.setBudget(TENANT, Number.POSITIVE_INFINITY), 'amount'],
    ['a numeric string', (c: UsageBudgetClient) => c.setBudget(TENANT, '5' as unknown as number), 'amount'],
    ['null given to setBudget', (c: UsageBudgetClient) => c.setBudget(TENANT, null as unknown as number), 'amount'],
    ['a bad tenant id on clear', (c: UsageBudgetClient) => c.clearBudget(''), 'customerTenantId'],
    [
      'a correlation id that is not a GUID',
      (c: UsageBudgetClient) => c.getBudget(TENANT, { correlationId: 'x' }),
      'correlationId',
    ],
    ['a zero timeout', (c: UsageBudgetClient) => c.getBudget(TENANT, { timeoutMs: 0 }), 'timeoutMs'],
    ['a zero total timeout', (c: UsageBudgetClient) => c.getBudget(TENANT, { totalTimeoutMs: 0 }), 'totalTimeoutMs'],
  ])('rejects %s with a ValidationError and sends nothing', async (_, call, field) => {
    const error = await failure(call(client()));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect(error.message).toMatch(new RegExp(`^${field} `));
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [{ credential: '' }, 'credential'],
    [{ locale: '"en-US"' }, 'locale'],
    [{ locale: 'aaaaaaaa-bbbbbbbb-bbbbbbbb-bbbbbbb-b' }, 'locale'],
    [{ application: '' }, 'application'],
    [{ maxRetries: -1 }, 'maxRetries'],
    [{ maxRetries: 1.5 }, 'maxRetries'],
    [{ timeoutMs: -5 }, 'timeoutMs'],
    [{ timeoutMs: Number.POSITIVE_INFINITY }, 'timeoutMs'],
    [{ totalTimeoutMs: 0 }, 'totalTimeoutMs'],
    [{ maxResponseBytes: 0 }, 'maxResponseBytes'],
    [{ maxResponseBytes: 1.5 }, 'maxResponseBytes'],
    [{ backoff: { maxDelayMs: -1 } }, 'backoff.maxDelayMs'],
    [{ baseURL: 'api.partnercenter.microsoft.com' }, 'baseURL'],
    [{ baseURL: undefined, cloud: 'mars' as 'global' }, 'cloud'],
  ])('rejects the option %o in the constructor', (options, field) => {
    expect(() => client(options)).toThrow(ValidationError);
    expect(() => client(options)).toThrow(new RegExp(`^${field.replace('.', '\\.')} `));
  });

  it('never shows the credential in its validation message', () => {
    expect(() => client({ credential: '' })).toThrow(
      /^credential must be a non-empty token, a function that returns one, or a TokenCredential$/,
    );
  });
});

describe('clouds and the axios option', () => {
  it.each(Object.keys(clouds) as (keyof typeof clouds)[])('sends %s calls to its base URL', async (cloud) => {
    const urls: string[] = [];
    // A custom adapter stands in for the network: the URL is all this test looks at.
    const instance = axios.create({
      adapter: async (config) => {
        urls.push(axios.getUri(config));
        return { data: JSON.stringify(budget(1)), status: 200, statusText: 'OK', headers: {}, config };
      },
    });
    await new UsageBudgetClient({ cloud, credential: 't', axios: instance }).getBudget(TENANT);
    expect(urls).toEqual([`${clouds[cloud].baseURL}/v1/customers/${TENANT}/usagebudget`]);
  });

  it('publishes each cloud with its token authority and scopes', () => {
    expect(clouds.usgov.baseURL).toBe(clouds.global.baseURL);
    expect(clouds.usgov.authority).toBe('https://login.microsoftonline.us/{tenant}');
    expect(clouds.china.baseURL).toBe('https://partner.partnercenterapi.microsoftonline.cn');
    for (const cloud of Object.values(clouds)) {
      expect(cloud.scope).toBe('https://api.partnercenter.microsoft.com/.default');
      expect(cloud.authority).toMatch(/^https:\/\/login\.[a-z.]+\/\{tenant\}$/);
    }
  });
});
