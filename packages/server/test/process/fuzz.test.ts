import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetPath, randomPartner, sendRaw, specViolations } from '../../src/testing/index.js';
import { useServer } from '../support/use-server.js';

const base = randomPartner('Fuzzed partner', 3);
const appOnlyToken = randomUUID();
const mine = { ...base, tokens: [...base.tokens, { token: appOnlyToken, kind: 'app-only' as const }] };
const theirs = randomPartner('Other partner', 2);
const server = useServer({ partners: [mine, theirs] }, { args: ['--no-access-log'] });
const myCustomers = base.customers;

/** Tokens the server issued (to this partner or another), some of them edited. */
const issued: string[] = [];
const continuationToken = fc.tuple(fc.nat(), fc.nat(), fc.boolean()).map(([which, at, edit]) => {
  const token = issued[which % Math.max(1, issued.length)] ?? 'v1.e30.x';
  if (!edit) return token;
  const index = at % token.length;
  return `${token.slice(0, index)}${token[index] === 'A' ? 'B' : 'A'}${token.slice(index + 1)}`;
});

/** Printable ASCII: what an HTTP client lets through in a header value. */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) });
const anyOf = <T>(...values: T[]) => fc.constantFrom(...values);

/** Mostly `likely`, sometimes `rest`: most fuzzed requests should get past the first checks. */
const mostly = <T>(likely: fc.Arbitrary<T>, ...rest: fc.Arbitrary<T>[]) =>
  fc.oneof(
    { arbitrary: likely, weight: 3 * Math.max(1, rest.length) },
    ...rest.map((arbitrary) => ({ arbitrary, weight: 1 })),
  );
/** Absent half the time at most. */
const sometimes = <T>(value: fc.Arbitrary<T>, freq = 1) => fc.option(value, { nil: undefined, freq });

const customerSegment = mostly(
  anyOf(...myCustomers, ...theirs.customers, (myCustomers[0] as string).toUpperCase()),
  fc.uuid().map(String),
  fc.string().map(encodeURIComponent),
  anyOf('', '..', '%2e%2e', 'null', '00000000-0000-0000-0000-000000000000'),
);
const otherSegment = mostly(
  anyOf(
    'v1',
    'customers',
    'usagebudget',
    'usagesummary',
    'usagerecords',
    'docs',
    'healthz',
    'openapi.json',
    'openapi.yaml',
    '..',
    '%2f',
    'index.html',
  ),
  fc.string().map(encodeURIComponent),
);
/** The customer list's query: its parameters, mostly well-formed, sometimes repeated or junk. */
const filterValue = mostly(
  fc
    .record({
      Field: mostly(anyOf('CompanyName', 'Domain', 'IndirectReseller', 'IndirectCloudSolutionProvider'), fc.string()),
      Value: mostly(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue()),
      Operator: mostly(anyOf('starts_with'), fc.string()),
    })
    .map((filter) => JSON.stringify(filter)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string(),
);
const listQuery = fc
  .array(
    fc.oneof(
      mostly(fc.integer({ min: 1, max: 500 }).map(String), fc.integer().map(String), fc.string()).map(
        (size) => `size=${encodeURIComponent(size)}`,
      ),
      filterValue.map((filter) => `filter=${encodeURIComponent(filter)}`),
      mostly(anyOf('Next'), anyOf('Previous', 'next', ''), fc.string()).map(
        (seek) => `seekOperation=${encodeURIComponent(seek)}`,
      ),
      fc.string().map((junk) => encodeURIComponent(junk)),
    ),
    { maxLength: 4 },
  )
  .map((parts) => (parts.length === 0 ? '' : `?${parts.join('&')}`));
const path = fc
  .tuple(
    mostly(
      customerSegment.map(budgetPath),
      customerSegment.map((customer) => `/v1/customers/${customer}/usagesummary`),
      anyOf('/v1/customers/usagerecords', '/v1/usagesummary'),
      listQuery.map((query) => `/v1/customers${query}`),
      fc.array(otherSegment, { maxLength: 5 }).map((segments) => `/${segments.join('/')}`),
    ),
    fc.option(
      fc.string().map((query) => `?${encodeURIComponent(query)}`),
      { nil: '', freq: 4 },
    ),
  )
  .map(([start, query]) => (start.includes('?') ? start : start + query));

const authorization = sometimes(
  mostly(
    anyOf(
      `Bearer ${base.tokens[0]}`,
      `Bearer ${appOnlyToken}`,
      `Bearer ${theirs.tokens[0]}`,
      `bearer ${base.tokens[0]}`,
    ),
    anyOf('Bearer', 'Basic x'),
    headerText.map((token) => `Bearer ${token}`),
  ),
  8,
);
const guidOrJunk = sometimes(mostly(fc.uuid().map(String), headerText));
const headers = fc
  .record(
    {
      Authorization: authorization,
      'Content-Type': sometimes(
        mostly(anyOf('application/json', 'application/json; charset=utf-8'), anyOf('text/plain'), headerText),
        8,
      ),
      'MS-RequestId': guidOrJunk,
      'MS-CorrelationId': guidOrJunk,
      'X-Locale': sometimes(mostly(anyOf('en-US', 'fr'), anyOf('"en-US"'), headerText)),
      'MS-Contract-Version': sometimes(mostly(anyOf('v1'), headerText)),
      'MS-PartnerCenter-Application': sometimes(headerText),
      'MS-ContinuationToken': sometimes(mostly(continuationToken, headerText), 4),
      Accept: sometimes(anyOf('application/json', '*/*', 'text/html')),
    },
    { requiredKeys: [] },
  )
  .map(
    (record) =>
      Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Record<string, string>,
  );

const amountText = mostly(
  fc.double().map((value) => (Number.isFinite(value) ? JSON.stringify(value) : '1e400')),
  fc.integer().map(String),
  anyOf('null', '"12"', 'true', '[]', '{}', '0.1000000000000000055511151231257827', '-0', '1e-400', '123.450'),
);
const attributes = mostly(
  anyOf('{"objectType": "SpendingBudget"}', '{"ObjectType": "SpendingBudget", "eTag": "x"}'),
  fc.jsonValue().map((value) => JSON.stringify(value)),
);
const budgetBody = fc
  .tuple(
    mostly(anyOf('amount', 'Amount', 'AMOUNT'), anyOf('__proto__', 'constructor', 'usageSpendingBudget')),
    amountText,
    sometimes(attributes),
    sometimes(fc.jsonValue()),
  )
  .map(([key, amount, attributesText, extra]) => {
    const members = [`"${key}": ${amount}`];
    if (attributesText !== undefined) members.push(`"Attributes": ${attributesText}`);
    if (extra !== undefined) members.push(`"unknown": ${JSON.stringify(extra)}`);
    return `{${members.join(', ')}}`;
  });
const body = sometimes(
  mostly(
    budgetBody,
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc.string(),
    anyOf(
      '{"__proto__": {"amount": 1}}',
      '{"constructor": {"prototype": {"amount": 1}}}',
      `{"pad": "${'x'.repeat(70_000)}"}`,
    ),
  ),
  4,
);

describe('fuzzed requests', () => {
  it('never get a 5xx, and every response conforms to the spec', async () => {
    for (const token of [base.tokens[0], theirs.tokens[0]]) {
      const response = await sendRaw(server.current.url, {
        path: '/v1/customers?size=1',
        headers: { Authorization: `Bearer ${token}` },
      });
      issued.push(JSON.parse(response.text).continuationToken as string);
    }
    expect(issued.every((token) => typeof token === 'string')).toBe(true);
    await fc.assert(
      fc.asyncProperty(
        mostly(anyOf('GET', 'PATCH'), anyOf('PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS')),
        path,
        headers,
        body,
        async (method, target, sent, payload) => {
          const response = await sendRaw(server.current.url, {
            method,
            path: target,
            headers: sent,
            ...(payload === undefined ? {} : { body: payload }),
          });
          expect(response.status).toBeLessThan(500);
          // Throttling is off unless configured.
          expect(response.status).not.toBe(429);
          if (method !== 'HEAD') expect(specViolations(method, target, response)).toEqual([]);
        },
      ),
      // The time limit stays well under the test's timeout, so a slow machine runs fewer cases
      // instead of failing the test.
      { numRuns: 400, interruptAfterTimeLimit: 20_000 },
    );
    const health = await sendRaw(server.current.url, { path: '/healthz' });
    expect(health.status).toBe(200);
    expect(server.current.child.exitCode).toBeNull();
    expect(server.current.output()).not.toContain('"kind":"fault"');
  }, 60_000);

  it('answers a fuzzed request id with itself only when it is a GUID', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uuid().map(String), headerText), async (requestId) => {
        const response = await sendRaw(server.current.url, {
          path: '/healthz',
          headers: { 'MS-RequestId': requestId },
        });
        // A test oracle, written out on purpose rather than taken from @usagebudget/openapi/rules.
        const isGuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(requestId);
        expect(response.headers['ms-requestid'] === requestId).toBe(isGuid);
      }),
      { numRuns: 100 },
    );
    expect(randomUUID()).not.toBe(randomUUID());
  });
});
