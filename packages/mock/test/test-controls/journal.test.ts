import { randomUUID } from 'node:crypto';
import { budgetPath, jsonHeaders, sendRaw } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StatefulMock, startMock } from '../../src/index.js';
import { MOCK_ADMIN_PATH } from '../../src/test-controls/control-surface.js';
import type { Journal } from '../../src/test-controls/journal.js';
import {
  adminViolations,
  CONTROL_HEADERS,
  customer,
  second,
  seed,
  token,
  useSeededMock,
} from '../support/test-controls.js';

const server = useSeededMock();
const { admin, addFault, journal, call, getBudget } = server;

describe('the journal', () => {
  it('keeps every request of the API with its operation, customer, redacted headers, body and answer', async () => {
    const rule = await addFault({ operationId: 'updateUsageBudget', status: 503, times: 1 });
    const requestId = randomUUID();
    const patch = (amount: number) =>
      sendRaw(server.url, {
        method: 'PATCH',
        path: `${budgetPath(customer.toUpperCase())}?trace=1`,
        headers: jsonHeaders(token, { 'MS-RequestId': requestId }),
        body: JSON.stringify({ amount }),
      });
    expect((await patch(12)).status).toBe(503);
    expect((await patch(12)).status).toBe(200);
    await sendRaw(server.url, { path: '/nowhere' });
    const { entries, dropped } = await journal();
    expect(dropped).toBe(0);
    expect(entries).toHaveLength(3);
    const [first, retry, nowhere] = entries as [
      Journal['entries'][number],
      Journal['entries'][number],
      Journal['entries'][number],
    ];
    expect(first).toMatchObject({
      method: 'PATCH',
      path: budgetPath(customer.toUpperCase()),
      query: 'trace=1',
      operationId: 'updateUsageBudget',
      customer,
      body: { amount: 12 },
      status: 503,
      fault: rule.id,
    });
    expect(first.headers.authorization).toBe('Bearer [redacted]');
    expect(JSON.stringify(entries)).not.toContain(token);
    expect(retry).toMatchObject({ status: 200, fault: null, id: first.id + 1 });
    expect(retry.headers['ms-requestid']).toBe(requestId);
    expect(nowhere).toMatchObject({ operationId: null, customer: null, status: 404, body: null });
  });

  it('redacts every credential a header (or a query parameter) carries, whatever its format, and keeps the rest', async () => {
    const secret = (n: number) => `s3cr3t-${n}-${randomUUID()}`;
    const secrets: string[] = [];
    const sent = (n: number) => {
      const value = secret(n);
      secrets.push(value);
      return value;
    };
    const get = (headers: Record<string, string>, query = '') =>
      sendRaw(server.url, { path: `${budgetPath(customer)}${query}`, headers });
    await get({ Authorization: `Bearer\t${sent(1)}` });
    await get({ Authorization: sent(2) });
    await get({ Authorization: `bEaReR   ${sent(3)}` });
    await get({ authorization: `Basic ${sent(4)}` }, `?access_token=${sent(5)}&trace=1&API_KEY=${sent(6)}`);
    const continuation = 'v1.not-a-secret.paging';
    await get({
      Authorization: `Bearer ${token}`,
      'Proxy-Authorization': `Basic ${sent(7)}`,
      Cookie: `session=${sent(8)}; theme=dark`,
      'Set-Cookie': `id=${sent(9)}`,
      'X-Api-Key': sent(10),
      'X-Auth-Token': sent(11),
      'X-Client-Secret': sent(12),
      'Ocp-Apim-Subscription-Key': sent(13),
      'X-Functions-Key': sent(14),
      'X-Amz-Security-Token': sent(15),
      'X-Ms-Token-Aad-Access-Token': sent(16),
      'X-Password': sent(17),
      DPoP: sent(18),
      'MS-ContinuationToken': continuation,
      'X-Locale': 'en-GB',
      'User-Agent': 'journal-test',
    });
    const { entries } = await journal();
    const text = JSON.stringify(entries);
    for (const value of [token, ...secrets]) expect(text, value).not.toContain(value);
    expect(entries.map((entry) => entry.headers.authorization)).toEqual([
      'Bearer [redacted]',
      '[redacted]',
      'bEaReR [redacted]',
      'Basic [redacted]',
      'Bearer [redacted]',
    ]);
    expect(entries[3]?.query).toBe('access_token=[redacted]&trace=1&API_KEY=[redacted]');
    expect(entries[4]?.headers).toMatchObject({
      'proxy-authorization': 'Basic [redacted]',
      cookie: '[redacted]',
      'set-cookie': ['[redacted]'],
      'x-api-key': '[redacted]',
      'x-auth-token': '[redacted]',
      'x-client-secret': '[redacted]',
      'ocp-apim-subscription-key': '[redacted]',
      'x-functions-key': '[redacted]',
      'x-amz-security-token': '[redacted]',
      'x-ms-token-aad-access-token': '[redacted]',
      'x-password': '[redacted]',
      dpop: '[redacted]',
      // The API's own headers carry no credential, though one is named a token: kept.
      'ms-continuationtoken': continuation,
      'x-locale': 'en-GB',
      'user-agent': 'journal-test',
    });
  });

  it('filters by method, operation, customer and status, refuses unknown filters, and clears', async () => {
    await getBudget(customer);
    await getBudget(second);
    await call({ method: 'PATCH', path: budgetPath(second), headers: jsonHeaders(token), body: '{"amount": 3}' });
    expect((await journal(`?customer=${second.toUpperCase()}`)).entries).toHaveLength(2);
    expect((await journal('?method=patch')).entries.map((entry) => entry.customer)).toEqual([second]);
    expect((await journal('?operationId=getUsageBudget&status=200')).entries).toHaveLength(2);
    expect((await journal('?status=404')).entries).toHaveLength(0);
    const refused = await admin('GET', '/journal?colour=red');
    expect([refused.status, JSON.parse(refused.text).data]).toEqual([400, ['colour']]);
    expect((await admin('DELETE', '/journal')).status).toBe(204);
    expect((await journal()).entries).toEqual([]);
  });
});

describe('the journal, bounded by bytes', () => {
  it('keeps 32 MiB by default', async () => {
    expect(await journal()).toMatchObject({ entries: [], dropped: 0, bytes: 0, maxBytes: 32 * 1024 * 1024 });
  });

  describe('of 300,000 bytes', () => {
    const maxBytes = 300_000;
    let own: StatefulMock;
    beforeAll(async () => {
      own = await startMock({ seed, journalMaxBytes: maxBytes });
    });
    afterAll(() => own?.close());
    const read = async () => {
      const response = await sendRaw(own.url, { path: `${MOCK_ADMIN_PATH}/journal`, headers: CONTROL_HEADERS });
      expect(adminViolations('GET', `${MOCK_ADMIN_PATH}/journal`, response)).toEqual([]);
      return JSON.parse(response.text) as Journal;
    };

    it('keeps the newest requests within its budget, and counts those it drops', async () => {
      // 59 KB each: a budget of 300 KB holds four of them with their headers, not five.
      const padded = (amount: number) => JSON.stringify({ amount, padding: 'x'.repeat(59 * 1024) });
      for (let amount = 1; amount <= 10; amount++) {
        const response = await sendRaw(own.url, {
          method: 'PATCH',
          path: budgetPath(customer),
          headers: jsonHeaders(token),
          body: padded(amount),
        });
        expect(response.status).toBe(200);
      }
      const bounded = await read();
      expect(bounded.maxBytes).toBe(maxBytes);
      expect(bounded.bytes).toBeGreaterThan(4 * 59 * 1024);
      expect(bounded.bytes).toBeLessThanOrEqual(maxBytes);
      expect(bounded.entries.map((entry) => (entry.body as { amount: number }).amount)).toEqual([7, 8, 9, 10]);
      expect(bounded.dropped).toBe(6);
      expect(bounded.entries[3]).toMatchObject({ bodyBytes: padded(10).length, bodyTruncated: false });
    });

    it('cuts a body past 64 KiB, with a marker and its full size', async () => {
      const oversized = `{"amount": 1, "padding": "${'y'.repeat(70_000)}"}`;
      const refused = await sendRaw(own.url, {
        method: 'PATCH',
        path: budgetPath(customer),
        headers: jsonHeaders(token),
        body: oversized,
      });
      expect(refused.status).toBe(413);
      const [last] = (await read()).entries.slice(-1);
      expect(last).toMatchObject({ status: 413, bodyBytes: oversized.length, bodyTruncated: true });
      expect(last?.body).toBe(oversized.slice(0, 64 * 1024));
    });
  });
});
