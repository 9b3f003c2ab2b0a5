import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/partners/config.js';
import { demoConfig, demoPartner } from '../../src/partners/demo-partner.js';
import { scratchDir } from '../support/use-server.js';

const customer = '0C39D6D5-C70D-4C55-BC02-F620844F3FD1';
const partner = (overrides: Record<string, unknown> = {}) => ({
  id: 'p1',
  name: 'Partner one',
  tokens: ['token-1'],
  customers: [customer],
  ...overrides,
});

describe('parseConfig', () => {
  it('accepts the documented format and lower-cases customer ids', () => {
    const config = parseConfig({ partners: [partner()], throttle: { requestsPerSecond: 0.5, burst: 3 } });
    expect(config.partners[0]?.customers).toEqual([customer.toLowerCase()]);
    expect(config.throttle).toEqual({ requestsPerSecond: 0.5, burst: 3 });
  });

  it('accepts the demo config, whose partner is the exported demo partner', () => {
    expect(parseConfig(demoConfig).partners).toEqual([
      { id: demoPartner.id, name: demoPartner.name, tokens: [demoPartner.token], customers: demoPartner.customers },
    ]);
    expect(demoPartner.customers).toContain(demoPartner.customerId);
  });

  it.each([
    [{ partners: [] }, 'at least one partner'],
    [{ partners: [partner({ customers: ['not-a-guid'] })] }, 'partners[0].customers[0] must be a GUID'],
    [{ partners: [partner({ tokens: ['has space'] })] }, 'partners[0].tokens[0] must be a bearer token'],
    [{ partners: [partner(), partner({ id: 'p2', customers: [] })] }, 'token "token-1" appears more than once'],
    [{ partners: [partner(), partner({ id: 'p2', tokens: ['t2'], customers: [customer.toLowerCase()] })] }, 'customer'],
    [{ partners: [partner(), partner({ tokens: ['t2'], customers: [] })] }, 'partner id "p1" appears more than once'],
    [{ partners: [partner({ token: 'x' })] }, 'unknown keys: token'],
    [
      { partners: [partner()], throttle: { requestsPerSecond: 0, burst: 1 } },
      'requestsPerSecond must be a positive number',
    ],
    [{ partners: [partner()], throttle: { requestsPerSecond: 1, burst: 1.5 } }, 'burst must be a positive integer'],
    [{ partners: [partner({ name: '' })] }, 'partners[0].name must be a non-empty string'],
  ])('rejects %j', (value, message) => {
    expect(() => parseConfig(value, 'test.json')).toThrow(message);
  });
});

describe('parseConfig reports every problem', () => {
  it('names the place of each bad field, not only the first', () => {
    const value = {
      partners: [
        partner({ id: '', customers: ['nope', customer] }),
        partner({ id: 'p2', name: 7, tokens: ['token-2', 'bad token'], customers: ['also-nope'] }),
      ],
      throttle: { requestsPerSecond: -1, burst: 0 },
    };
    let error: unknown;
    try {
      parseConfig(value, 'seed.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'partners[0].id must be a non-empty string',
      'partners[0].customers[0] must be a GUID',
      'partners[1].name must be a non-empty string',
      'partners[1].tokens[1] must be a bearer token (letters, digits and -._~+/, then any =)',
      'partners[1].customers[0] must be a GUID',
      'throttle.requestsPerSecond must be a positive number',
      'throttle.burst must be a positive integer',
    ]);
    expect((error as Error).message).toMatch(/^seed\.json: 7 problems:\n {2}- partners\[0\]\.id/);
  });
});

describe('loadConfig', () => {
  it('reads a file and names it in errors', () => {
    const scratch = scratchDir();
    try {
      const good = join(scratch.dir, 'good.json');
      writeFileSync(good, JSON.stringify({ partners: [partner()] }));
      expect(loadConfig(good).partners[0]?.id).toBe('p1');
      const bad = join(scratch.dir, 'bad.json');
      writeFileSync(bad, '{"partners": [');
      expect(() => loadConfig(bad)).toThrow(bad);
    } finally {
      scratch.remove();
    }
  });
});
