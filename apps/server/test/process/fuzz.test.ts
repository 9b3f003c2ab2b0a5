import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomPartner } from '../../src/testing/index.js';
import { budgetPath, send } from '../support/http.js';
import { specViolations } from '../support/spec-conformance.js';
import { useServer } from '../support/use-server.js';

const mine = randomPartner('Fuzzed partner', 3);
const theirs = randomPartner('Other partner');
const server = useServer({ partners: [mine, theirs] }, { args: ['--no-access-log'] });

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
  anyOf(...mine.customers, ...theirs.customers, (mine.customers[0] as string).toUpperCase()),
  fc.uuid().map(String),
  fc.string().map(encodeURIComponent),
  anyOf('', '..', '%2e%2e', 'null', '00000000-0000-0000-0000-000000000000'),
);
const otherSegment = mostly(
  anyOf('v1', 'customers', 'usagebudget', 'docs', 'healthz', 'openapi.json', 'openapi.yaml', '..', '%2f', 'index.html'),
  fc.string().map(encodeURIComponent),
);
const path = fc
  .tuple(
    mostly(
      customerSegment.map(budgetPath),
      fc.array(otherSegment, { maxLength: 5 }).map((segments) => `/${segments.join('/')}`),
    ),
    fc.option(
      fc.string().map((query) => `?${encodeURIComponent(query)}`),
      { nil: '', freq: 4 },
    ),
  )
  .map(([base, query]) => base + query);

const authorization = sometimes(
  mostly(
    anyOf(`Bearer ${mine.tokens[0]}`, `Bearer ${theirs.tokens[0]}`, `bearer ${mine.tokens[0]}`),
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
    await fc.assert(
      fc.asyncProperty(
        mostly(anyOf('GET', 'PATCH'), anyOf('PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS')),
        path,
        headers,
        body,
        async (method, target, sent, payload) => {
          const response = await send(server.current.url, {
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
    const health = await send(server.current.url, { path: '/healthz' });
    expect(health.status).toBe(200);
    expect(server.current.child.exitCode).toBeNull();
    expect(server.current.output()).not.toContain('"kind":"fault"');
  }, 60_000);

  it('answers a fuzzed request id with itself only when it is a GUID', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uuid().map(String), headerText), async (requestId) => {
        const response = await send(server.current.url, { path: '/healthz', headers: { 'MS-RequestId': requestId } });
        // A test oracle, written out on purpose rather than taken from @usagebudget/openapi/rules.
        const isGuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(requestId);
        expect(response.headers['ms-requestid'] === requestId).toBe(isGuid);
      }),
      { numRuns: 100 },
    );
    expect(randomUUID()).not.toBe(randomUUID());
  });
});
