// The usage reads through the facade, against a real HTTP server: the usage records (paged should
// they come paged), the partner usage summary, the customer usage summary's checks and refusals.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PermissionDeniedError, type UsageBudgetClientOptions, ValidationError } from '../src/index.js';
import { clientOf, failure } from './support/client-of.js';
import { OTHER_TENANT as OTHER, TENANT, CONTINUATION_TOKEN as TOKEN, useFaultServer } from './support/fault-server.js';

const server = useFaultServer();

const client = (options: Partial<UsageBudgetClientOptions> = {}) => clientOf(server, options);

describe('the usage reads', () => {
  it('follows links.next of the usage records, should a response carry one', async () => {
    const record = (id: string) => ({
      budget: {},
      percentUsed: 0,
      isUpgraded: true,
      resourceId: id,
      resourceName: id,
      totalCost: 1.25,
      lastModifiedDate: 'x',
      attributes: {},
    });
    server.enqueue(
      {
        status: 200,
        json: {
          totalCount: 1,
          items: [record(TENANT)],
          links: {
            next: {
              uri: '/customers/usagerecords?page=2',
              method: 'GET',
              headers: [{ key: 'MS-ContinuationToken', value: TOKEN }],
            },
          },
          attributes: {},
        },
      },
      { status: 200, json: { totalCount: 1, items: [record(OTHER)], links: {}, attributes: {} } },
    );
    const records = await client().listCustomerUsageRecords();
    expect(records.map(({ resourceId, totalCost }) => [resourceId, totalCost])).toEqual([
      [TENANT, '1.25'],
      [OTHER, '1.25'],
    ]);
    expect(server.requests[1]?.url).toBe('/v1/customers/usagerecords?page=2');
    expect(server.requests[1]?.headers['ms-continuationtoken']).toBe(TOKEN);
  });

  it('reads the partner usage summary', async () => {
    server.enqueue({
      status: 200,
      text: '{"customersOverBudget":1,"totalCost":22.861172,"currencyLocale":"fr-FR"}',
      contentType: 'application/json',
    });
    await expect(client().getPartnerUsageSummary()).resolves.toEqual({
      customersOverBudget: 1,
      totalCost: '22.861172',
      currencyLocale: 'fr-FR',
    });
    expect(server.requests[0]?.url).toBe('/v1/usagesummary');
  });

  it('marks the partner usage summary deprecated in the declarations it ships', () => {
    // The main entry's declarations, with the chunks it shares with the other entries.
    const dist = new URL('../dist/', import.meta.url);
    const declarations = readdirSync(dist)
      .filter((name) => name.endsWith('.d.ts'))
      .map((name) => readFileSync(new URL(name, dist), 'utf8'))
      .join('\n');
    expect(declarations).toMatch(/@deprecated[^/]*\*\/\s*getPartnerUsageSummary\(/);
  });

  it('refuses a customer id that is not a GUID, and maps an app-only token refusal', async () => {
    const invalid = await failure(client().getCustomerUsageSummary('contoso'));
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(server.requests).toHaveLength(0);
    server.enqueue({
      status: 403,
      json: { code: 'TokenKindNotAccepted', description: 'app+user only', data: ['app+user'] },
    });
    const refused = await failure(client().getCustomerUsageSummary(TENANT));
    expect(refused).toBeInstanceOf(PermissionDeniedError);
    expect(refused).toMatchObject({ code: 'TokenKindNotAccepted', data: ['app+user'] });
  });
});
