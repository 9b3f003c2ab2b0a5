// Costs through the facade, against a real HTTP server: every digit as the service wrote it.
import { spec } from '@usagebudget/openapi';
import { costProperties } from '@usagebudget/openapi/operations';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UsageBudgetClientOptions } from '../src/index.js';
import { parseBody as parseExactJson } from '../src/internal/pipeline/response-parsing.js';
import { clientOf, failure } from './support/client-of.js';
import { OTHER_TENANT as OTHER, TENANT, useFaultServer } from './support/fault-server.js';

const server = useFaultServer();

const client = (options: Partial<UsageBudgetClientOptions> = {}) => clientOf(server, options);

// The body of a usage summary as Partner Center writes it: costs as JSON numbers with every digit.
const SUMMARY_TEXT = `{
  "budget": { "amount": 97, "attributes": { "objectType": "SpendingBudget" } },
  "resourceId": "${TENANT}",
  "resourceName": "Modern Azure Customer UK, \\"totalCost\\": 1.5",
  "billingStartDate": "2019-09-01T00:00:00+00:00",
  "billingEndDate": "2019-10-01T00:00:00+00:00",
  "totalCost": 28.82860766744404945074,
  "currencyCode": "GBP",
  "usdTotalCost" :35.23000000000000362337,
  "lastModifiedDate": "2019-09-18T17:09:26.16+00:00",
  "attributes": { "objectType": "CustomerUsageSummary" }
}`;

describe('money', () => {
  it('gives the costs of a real response exactly as received, digit for digit', async () => {
    server.enqueue({ status: 200, text: SUMMARY_TEXT, contentType: 'application/json' });
    const { data, response } = await client().getCustomerUsageSummary(TENANT).withResponse();
    expect(data.totalCost).toBe('28.82860766744404945074');
    expect(data.usdTotalCost).toBe('35.23000000000000362337');
    // JSON.parse would have rounded it: a double keeps about 17 significant digits.
    expect(String((JSON.parse(SUMMARY_TEXT) as { totalCost: number }).totalCost)).toBe('28.82860766744405');
    // Everything else is as JSON.parse reads it: the budget stays a number, strings stay intact.
    expect(data.budget.amount).toBe(97);
    expect(data.resourceName).toBe('Modern Azure Customer UK, "totalCost": 1.5');
    expect(data).toEqual({
      ...JSON.parse(SUMMARY_TEXT),
      totalCost: '28.82860766744404945074',
      usdTotalCost: '35.23000000000000362337',
    });
    expect(server.requests[0]?.url).toBe(`/v1/customers/${TENANT}/usagesummary`);
    expect(response.status).toBe(200);
  });

  it('keeps a cost sent as a string, and reads integer costs as their text too', async () => {
    const records = {
      totalCount: 2,
      items: [
        {
          budget: {},
          percentUsed: 0,
          isUpgraded: false,
          resourceId: TENANT,
          resourceName: 'A',
          totalCost: 0,
          usdTotalCost: 0,
          lastModifiedDate: 'x',
          attributes: {},
        },
        {
          budget: { amount: 20 },
          percentUsed: 602.84,
          isUpgraded: true,
          resourceId: OTHER,
          resourceName: 'B',
          totalCost: '120.5682999999995904716',
          lastModifiedDate: 'x',
          attributes: {},
        },
      ],
      links: { self: { uri: '/customers/usagerecords', method: 'GET', headers: [] } },
      attributes: { objectType: 'Collection' },
    };
    server.enqueue({ status: 200, json: records });
    const { data, response } = await client().listCustomerUsageRecords().withResponse();
    expect(data.map(({ totalCost, usdTotalCost, percentUsed }) => [totalCost, usdTotalCost, percentUsed])).toEqual([
      ['0', '0', 0],
      ['120.5682999999995904716', undefined, 602.84],
    ]);
    expect(response.requestId).toBe(server.requests[0]?.headers['ms-requestid']);
    expect(server.requests[0]?.url).toBe('/v1/customers/usagerecords');
  });

  it('refuses a cost that is not a JSON number, as JSON.parse refuses the body', async () => {
    for (const bad of ['01', '1.', '.5', '1e', '--1', '1.5.5']) {
      server.enqueue({ status: 200, text: `{"totalCost": ${bad}}`, contentType: 'application/json' });
      const error = await failure(client({ maxRetries: 0 }).getPartnerUsageSummary());
      expect(error.message).toMatch(/^the 200 response of getPartnerUsageSummary .* not a body that is not valid JSON/);
    }
  });

  it('keeps any decimal, wherever and however spaced, and changes nothing else (property)', () => {
    const decimal = fc
      .tuple(
        fc.boolean(),
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.option(fc.stringMatching(/^[0-9]{1,25}$/)),
        fc.option(fc.constantFrom('e5', 'E-3', 'e+12')),
      )
      .map(
        ([negative, whole, fraction, exponent]) =>
          `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}${exponent ?? ''}`,
      );
    const space = fc.constantFrom('', ' ', '\n  ', '\t');
    fc.assert(
      fc.property(
        decimal,
        decimal,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        space,
        space,
        (total, usd, other, before, after) => {
          const text = `{"items":[{"totalCost"${before}:${after}${total},"percentUsed":${JSON.stringify(other)},"nested":{"usdTotalCost":${usd}}}],"name":"totalCost"}`;
          expect(parseExactJson(text)).toEqual({
            items: [
              { totalCost: total, percentUsed: JSON.parse(JSON.stringify(other)), nested: { usdTotalCost: usd } },
            ],
            name: 'totalCost',
          });
        },
      ),
    );
  });

  it('covers every property the spec types as a cost', () => {
    const costs = costProperties(spec).map(({ property }) => property);
    expect(new Set(costs).size).toBeGreaterThan(0);
    for (const name of new Set(costs)) {
      expect(parseExactJson(`{"${name}": 1.10000000000000000001}`)).toEqual({ [name]: '1.10000000000000000001' });
    }
    // A number that is not a cost stays a number.
    expect(parseExactJson('{"percentUsed": 1.10000000000000000001}')).toEqual({ percentUsed: 1.1 });
  });
});
