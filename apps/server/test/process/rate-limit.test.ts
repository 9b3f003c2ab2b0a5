import { describe, expect, it } from 'vitest';
import { randomPartner } from '../../src/testing/index.js';
import { budgetPath, jsonHeaders, send } from '../support/http.js';
import { specViolations } from '../support/spec-conformance.js';
import { useServer } from '../support/use-server.js';

const busy = randomPartner('Busy partner');
const quiet = randomPartner('Quiet partner');
// The flags override the config's throttle; at their rate no token comes back during the test.
const server = useServer(
  { partners: [busy, quiet], throttle: { requestsPerSecond: 100, burst: 100 } },
  { db: ':memory:', args: ['--rate-limit', '0.01', '--burst', '3'] },
);

const getAs = async (partner: typeof busy) => {
  const path = budgetPath(partner.customers[0] as string);
  const response = await send(server.current.url, { path, headers: jsonHeaders(partner.tokens[0]) });
  expect(specViolations('GET', path, response)).toEqual([]);
  return response;
};

describe('per-partner token bucket', () => {
  it('answers 429 with Retry-After and a ThrottleFault once a partner spends its burst, and only that partner', async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await getAs(busy)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const throttled = await getAs(busy);
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(throttled.text)).toEqual({
      statusCode: 429,
      message: `Rate limit is exceeded. Try again in ${retryAfter} seconds.`,
    });
    expect((await getAs(quiet)).status).toBe(200);
  });
});
