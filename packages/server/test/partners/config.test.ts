import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { budgetStanding, exactDecimal } from '@usagebudget/openapi/rules';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/partners/config-reader.js';
import { demoConfig, demoPartner } from '../../src/partners/demo-partner.js';
import { scratchDir } from '../support/use-server.js';

const customer = '0C39D6D5-C70D-4C55-BC02-F620844F3FD1';
const partnerId = '9a1e7c3d-4b5f-4a2e-8c6d-0f1b2a3c4d5e';
const partner = (overrides: Record<string, unknown> = {}) => ({
  id: partnerId,
  name: 'Partner one',
  tokens: ['token-1'],
  customers: [customer],
  ...overrides,
});
const period = { start: '2024-05-01T00:00:00+00:00', end: '2024-06-01T00:00:00+00:00' };

describe('parseConfig', () => {
  it('accepts the short format: customer GUIDs (Azure plans in USD, no cost yet) and app+user tokens', () => {
    const config = parseConfig({ partners: [partner()], throttle: { requestsPerSecond: 0.5, burst: 3 } });
    const [parsed] = config.partners;
    expect(parsed?.tokens).toEqual([{ token: 'token-1', kind: 'app+user' }]);
    expect(parsed?.customers).toEqual([
      {
        id: customer.toLowerCase(),
        name: 'Customer 0c39d6d5',
        domain: 'customer0c39d6d5.onmicrosoft.com',
        relationship: 'reseller',
        offer: 'azurePlan',
        currency: 'USD',
        cost: '0',
        usdCost: '0',
        budget: null,
        lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/),
      },
    ]);
    expect(parsed?.currencyLocale).toBe('en-US');
    // The current calendar month, UTC.
    const month = new Date().toISOString().slice(0, 7);
    expect(parsed?.billingPeriod.start).toBe(`${month}-01T00:00:00+00:00`);
    expect(Date.parse(parsed?.billingPeriod.end ?? '')).toBeGreaterThan(Date.now());
    expect(config.throttle).toEqual({ requestsPerSecond: 0.5, burst: 3 });
  });

  it('accepts customers with their usage, tokens of both kinds and a billing period, keeping every digit', () => {
    const config = parseConfig({
      partners: [
        partner({
          tokens: ['token-1', { token: 'token-2', kind: 'app-only' }],
          billingPeriod: period,
          currencyLocale: 'fr-FR',
          customers: [
            {
              id: customer,
              name: 'Modern Azure Customer UK',
              domain: 'modernuk.onmicrosoft.com',
              relationship: 'advisor',
              associatedPartnerId: 'reseller-1',
              indirectProvider: 'provider-1',
              offer: 'azurePlan',
              currency: 'GBP',
              cost: '28.82860766744404945074',
              usdCost: '35.23000000000000362337',
              budget: 97,
              lastModified: '2019-09-18T17:09:26.16+00:00',
            },
            { id: '11111111-1843-4b3b-872f-206e08a08e51', offer: 'legacy', cost: '0.0' },
            { id: '11111111-5892-4326-8541-9da1fdb233fb', name: 'Dormant', offer: 'none', budget: 10 },
          ],
        }),
      ],
      continuationTokenSecret: 'x'.repeat(32),
    });
    const [parsed] = config.partners;
    expect(parsed?.tokens.map(({ kind }) => kind)).toEqual(['app+user', 'app-only']);
    expect(parsed?.billingPeriod).toEqual(period);
    expect(parsed?.customers[0]).toMatchObject({
      relationship: 'advisor',
      cost: '28.82860766744404945074',
      usdCost: '35.23000000000000362337',
      budget: 97,
    });
    expect(parsed?.customers[1]).toMatchObject({ offer: 'legacy', currency: 'fr-FR', cost: '0.0' });
    expect(parsed?.customers[1]).not.toHaveProperty('usdCost');
    expect(parsed?.customers[2]).toEqual({
      id: '11111111-5892-4326-8541-9da1fdb233fb',
      name: 'Dormant',
      domain: 'dormant.onmicrosoft.com',
      relationship: 'reseller',
      offer: 'none',
      budget: 10,
    });
    expect(config.continuationTokenSecret).toBe('x'.repeat(32));
  });

  it('gives back a config that parses to itself', () => {
    const once = parseConfig(demoConfig);
    expect(parseConfig(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it.each([
    [{ partners: [] }, 'partners must list at least one partner'],
    [{ partners: [partner({ id: 'p1' })] }, "partners[0].id must be a GUID (the partner's tenant ID)"],
    [{ partners: [partner({ customers: ['not-a-guid'] })] }, 'partners[0].customers[0] must be a GUID'],
    [{ partners: [partner({ tokens: ['has space'] })] }, 'partners[0].tokens[0] must be a bearer token'],
    [{ partners: [partner({ tokens: [{ token: 't', kind: 'robot' }] })] }, 'partners[0].tokens[0].kind must be'],
    [
      { partners: [partner(), partner({ id: 'f0e1d2c3-b4a5-4968-8776-655443322110', customers: [] })] },
      'partners[1].tokens[0] repeats the token "token-1" of partners[0].tokens[0]',
    ],
    [
      { partners: [partner(), partner({ id: partnerId.toUpperCase(), tokens: ['t2'], customers: [] })] },
      'partners[1].id repeats the partner id',
    ],
    [
      {
        partners: [
          partner(),
          partner({ id: 'f0e1d2c3-b4a5-4968-8776-655443322110', tokens: ['t2'], customers: [customer.toLowerCase()] }),
        ],
      },
      'partners[1].customers[0] repeats the customer',
    ],
    [{ partners: [partner({ token: 'x' })] }, 'partners[0] has unknown keys: token'],
    [
      { partners: [partner({ customers: [{ id: customer, currency: 'usd' }] })] },
      'customers[0].currency must be an ISO 4217',
    ],
    [{ partners: [partner({ customers: [{ id: customer, cost: 28.5 }] })] }, 'customers[0].cost must be a string'],
    [
      { partners: [partner({ customers: [{ id: customer, cost: '-1' }] })] },
      'customers[0].cost must be a decimal string',
    ],
    [
      { partners: [partner({ customers: [{ id: customer, cost: '1e3' }] })] },
      'customers[0].cost must be a decimal string',
    ],
    [{ partners: [partner({ customers: [{ id: customer, budget: -5 }] })] }, 'customers[0].budget must be a number'],
    [{ partners: [partner({ customers: [{ id: customer, budget: '5' }] })] }, 'customers[0].budget must be a number'],
    [{ partners: [partner({ customers: [{ id: customer, offer: 'csp' }] })] }, 'customers[0].offer must be'],
    [{ partners: [partner({ customers: [{ id: customer, relationship: 'friend' }] })] }, 'customers[0].relationship'],
    [
      { partners: [partner({ customers: [{ id: customer, offer: 'none', cost: '1' }] })] },
      'customers[0].cost is usage',
    ],
    [
      { partners: [partner({ customers: [{ id: customer, offer: 'legacy', currency: 'sv-SE' }] })] },
      "customers[0].currency must be the partner's currencyLocale en-US",
    ],
    [
      { partners: [partner({ customers: [{ id: customer, lastModified: 'yesterday' }] })] },
      'lastModified must be a date-time',
    ],
    [
      { partners: [partner({ billingPeriod: { start: period.end, end: period.start } })] },
      'billingPeriod.end must come after start',
    ],
    [{ partners: [partner({ currencyLocale: 'en_US' })] }, 'partners[0].currencyLocale must be a locale'],
    [
      { partners: [partner({ generatedCustomers: { count: 0, seed: 's' } })] },
      'generatedCustomers.count must be a positive integer',
    ],
    [
      { partners: [partner()], throttle: { requestsPerSecond: 0, burst: 1 } },
      'requestsPerSecond must be a positive number',
    ],
    [{ partners: [partner()], throttle: { requestsPerSecond: 1, burst: 1.5 } }, 'burst must be a positive integer'],
    [{ partners: [partner({ name: '' })] }, 'partners[0].name must be a non-empty string'],
    [
      { partners: [partner()], continuationTokenSecret: 'short' },
      'continuationTokenSecret must be a string of at least 32',
    ],
  ])('rejects %j', (value, message) => {
    expect(() => parseConfig(value, 'test.json')).toThrow(/^test\.json: /);
    expect(() => parseConfig(value, 'test.json')).toThrow(message);
  });

  it('names every bad field at once, each with its place in the file', () => {
    const value = {
      partners: [
        partner({
          customers: [customer, { id: 'nope', cost: 1 }, { id: customer.toLowerCase(), budget: -1 }],
          tokens: [''],
        }),
      ],
    };
    const error = (() => {
      try {
        parseConfig(value, 'partners.json');
      } catch (caught) {
        return caught;
      }
    })();
    // The problems as a list too, for callers that answer with them (the mock's 400 InvalidSeed).
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(5);
    expect((error as ConfigError).problems[1]).toBe('partners[0].customers[1].id must be a GUID');
    expect(() => parseConfig(value, 'partners.json')).toThrow(
      [
        'partners.json: 5 problems:',
        '  - partners[0].tokens[0] must be a bearer token (letters, digits and -._~+/, then any =)',
        '  - partners[0].customers[1].id must be a GUID',
        '  - partners[0].customers[1].cost must be a string of decimal digits such as "28.82860766744404945074": a JSON number loses digits',
        '  - partners[0].customers[2].budget must be a number of at least 0, or null for no budget',
        '  - partners[0].customers[2] repeats the customer "0c39d6d5-c70d-4c55-bc02-f620844f3fd1" of partners[0].customers[0]',
      ].join('\n'),
    );
  });
});

describe('the demo portfolio', () => {
  const [demo] = parseConfig(demoConfig).partners;
  const customers = demo?.customers ?? [];

  it('is the demo partner with its two tokens, its hand-written customers first', () => {
    expect(demo).toMatchObject({ id: demoPartner.id, name: demoPartner.name });
    expect(demo?.tokens).toEqual([
      { token: demoPartner.token, kind: 'app+user' },
      { token: demoPartner.appOnlyToken, kind: 'app-only' },
    ]);
    expect(customers.slice(0, 2).map(({ id }) => id)).toEqual([...demoPartner.customers]);
    expect(customers[0]).toMatchObject({ id: demoPartner.customerId, budget: null, offer: 'azurePlan' });
    expect(customers).toHaveLength(demoPartner.portfolioSize);
  });

  it('is the same on every read: ids, names, costs and budgets come from a seeded generator', () => {
    const again = parseConfig(demoConfig).partners[0]?.customers ?? [];
    const stable = ({ lastModified: _, ...rest }: (typeof customers)[number]) => rest;
    expect(again.map(stable)).toEqual(customers.map(stable));
    const other = parseConfig({
      partners: [{ ...demoConfig.partners[0], id: partnerId, tokens: ['t'], customers: [] }],
    }).partners[0]?.customers;
    expect(other?.[0]?.id).not.toBe(customers[2]?.id);
  });

  it('is realistic: several currencies, legacy offers, customers without usage or budget, some over and near budget', () => {
    const currencies = new Set(customers.filter(({ offer }) => offer === 'azurePlan').map(({ currency }) => currency));
    expect([...currencies]).toEqual(expect.arrayContaining(['USD', 'EUR', 'GBP', 'SEK', 'JPY']));
    const count = (test: (c: (typeof customers)[number]) => boolean) => customers.filter(test).length;
    expect(count(({ offer }) => offer === 'legacy')).toBeGreaterThan(10);
    expect(count(({ offer }) => offer === 'none')).toBeGreaterThan(3);
    expect(count(({ offer, budget }) => offer !== 'none' && budget === null)).toBeGreaterThan(20);
    const standing = (wanted: string) =>
      count(
        ({ offer, cost, budget }) =>
          offer !== 'none' &&
          budgetStanding(cost ?? '0', budget === null ? null : (exactDecimal(String(budget)) ?? null)) === wanted,
      );
    expect(standing('overBudget')).toBeGreaterThan(10);
    expect(standing('trendingOver')).toBeGreaterThan(10);
    expect(standing('withinBudget')).toBeGreaterThan(50);
    // Costs carry more digits than a double holds, as Partner Center's do.
    expect(customers.filter(({ cost }) => (cost?.split('.')[1]?.length ?? 0) === 20).length).toBeGreaterThan(150);
    expect(new Set(customers.map(({ name }) => name)).size).toBe(customers.length);
  });
});

describe("the README's config example", () => {
  it('is a valid config', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const example = /## Config\n\n```json\n([\s\S]*?)```/.exec(readme)?.[1];
    const [parsed] = parseConfig(JSON.parse(example ?? 'null'), 'README.md').partners;
    expect(parsed?.tokens.map(({ kind }) => kind)).toEqual(['app+user', 'app-only']);
    expect(parsed?.customers.map(({ offer }) => offer).slice(0, 4)).toEqual([
      'azurePlan',
      'azurePlan',
      'legacy',
      'none',
    ]);
  });
});

describe('loadConfig', () => {
  it('reads a file and names it in errors', () => {
    const scratch = scratchDir();
    try {
      const good = join(scratch.dir, 'good.json');
      writeFileSync(good, JSON.stringify({ partners: [partner()] }));
      expect(loadConfig(good).partners[0]?.id).toBe(partnerId);
      const bad = join(scratch.dir, 'bad.json');
      writeFileSync(bad, '{"partners": [');
      expect(() => loadConfig(bad)).toThrow(bad);
    } finally {
      scratch.remove();
    }
  });
});
