import { describe, expect, it } from 'vitest';
import { budgetPath, jsonHeaders, randomPartner, sendRaw, specViolations } from '../../src/testing/index.js';
import { useServer } from '../support/use-server.js';

const busy = randomPartner('Busy partner');
const quiet = randomPartner('Quiet partner');
// The flags override the config's throttle; at their rate no token comes back during the test.
const server = useServer(
  { partners: [busy, quiet], throttle: { requestsPerSecond: 100, burst: 100 } },
  { db: ':memory:', args: ['--rate-limit', '0.01', '--burst', '3'] },
);

const getAs = async (partner: typeof busy, path = budgetPath(partner.customers[0] as string)) => {
  const response = await sendRaw(server.current.url, { path, headers: jsonHeaders(partner.tokens[0]) });
  expect(specViolations('GET', path, response)).toEqual([]);
  return response;
};

describe('per-partner token bucket', () => {
  it('answers 429 with Retry-After and a ThrottleFault once a partner spends its burst, on every operation, and only for that partner', async () => {
    const customer = busy.customers[0] as string;
    // One bucket per partner, whatever the operation: the burst goes on three of them.
    const statuses = [];
    for (const path of [budgetPath(customer), '/v1/customers?size=1', '/v1/customers/usagerecords']) {
      statuses.push((await getAs(busy, path)).status);
    }
    expect(statuses).toEqual([200, 200, 200]);
    for (const path of [
      budgetPath(customer),
      '/v1/customers',
      '/v1/customers/usagerecords',
      `/v1/customers/${customer}/usagesummary`,
      '/v1/usagesummary',
    ]) {
      const throttled = await getAs(busy, path);
      expect(throttled.status, path).toBe(429);
      const retryAfter = Number(throttled.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(throttled.text)).toEqual({
        statusCode: 429,
        message: `Rate limit is exceeded. Try again in ${retryAfter} seconds.`,
      });
    }
    expect((await getAs(quiet)).status).toBe(200);
    expect((await getAs(quiet, '/v1/usagesummary')).status).toBe(200);
  });
});
