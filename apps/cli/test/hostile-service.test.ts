// A service that says what the API does not allow (issue 21), and the built CLI against it, as a
// user runs it: paging that never ends or leads elsewhere, bodies that break the spec, and text
// that would drive the terminal. Each stand-in is a real HTTP server on loopback.
import { spec } from '@usagebudget/openapi';
import { responseExamples, specOperations } from '@usagebudget/openapi/operations';
import { demoPartner } from '@usagebudget/server/testing';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE, SHOWN } from './support/hostile-text.js';
import { usagebudget } from './support/run.js';
import { json, startStandIn, stopStandIns } from './support/stand-in.js';

const customer = demoPartner.customerId;
const auth = { PARTNER_CENTER_TOKEN: 'stand-in-token' };
// A CLI that never ends its walk runs until the runner kills it (no exit code at all).
const RUN_LIMIT_MS = 20_000;
const BAD_ANSWER = 7;

/** What a terminal must not get from the service: controls (but the CLI's own line breaks), format characters, separators. */
const UNSAFE = /[\p{Cf}\p{Zl}\p{Zp}]|(?!\n)\p{Cc}/u;

afterEach(stopStandIns);

/** The spec's first example of an operation's 200 body, to change. */
function example(operationId: string): Record<string, unknown> {
  const operation = specOperations(spec).find((found) => found.operationId === operationId);
  const response = operation?.responses.find(({ status }) => status === '200');
  const [first] = response ? responseExamples(spec, response) : [];
  if (!first) throw new Error(`no 200 example of ${operationId}`);
  return structuredClone(first.value) as Record<string, unknown>;
}

const run = (url: string, ...args: string[]) =>
  usagebudget([...args, '--base-url', url], auth, { timeoutMs: RUN_LIMIT_MS });

/** A CustomerCollection page; `next` overrides its links.next (`undefined`: the last page). */
function customersPage(items: unknown[], next?: Record<string, unknown>) {
  const body = example('listCustomers');
  const links = body.links as Record<string, unknown>;
  delete links.next;
  if (next) links.next = { method: 'GET', headers: [], ...next };
  return { ...body, totalCount: items.length, items };
}
const someCustomer = (n: number) => {
  const [first] = example('listCustomers').items as Record<string, unknown>[];
  const id = `${n.toString(16).padStart(8, '0')}-c70d-4c55-bc02-f620844f3fd1`;
  return { ...first, id, companyProfile: { ...(first?.companyProfile as object), tenantId: id } };
};
const tokenHeader = (value: string) => [{ key: 'MS-ContinuationToken', value }];

describe('paging that would never end or leads elsewhere', () => {
  it('ends customers whose links.next alternates between two pages, exit 7', async () => {
    const { url, requests } = await startStandIn((_, response, n) =>
      json(
        response,
        customersPage([someCustomer(n)], { uri: `/customers?page=${n % 2}`, headers: tokenHeader(`t${n % 2}`) }),
      ),
    );
    const result = await run(url, 'customers');
    expect(result.code).toBe(BAD_ANSWER);
    expect(result.stderr).toContain('links.next of page 3 leads back to page 2: the listing would never end');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(requests).toHaveLength(3);
  });

  it('ends customers after 10 empty pages in a row, each with a fresh token, exit 7', async () => {
    const { url, requests } = await startStandIn((_, response, n) =>
      json(response, customersPage([], { uri: '/customers?seekOperation=Next', headers: tokenHeader(`fresh-${n}`) })),
    );
    const result = await run(url, 'customers', '--json');
    expect(result.code).toBe(BAD_ANSWER);
    expect(JSON.parse(result.stderr)).toMatchObject({
      error: { type: 'PagingError', code: 'EmptyPages' },
      exitCode: BAD_ANSWER,
    });
    expect(requests).toHaveLength(10);
  });

  it('ends customers past --max-pages, every page with customers and a fresh token, printing those it read', async () => {
    const { url, requests } = await startStandIn((_, response, n) =>
      json(
        response,
        customersPage([someCustomer(n)], { uri: '/customers?seekOperation=Next', headers: tokenHeader(`t${n}`) }),
      ),
    );
    const result = await run(url, 'customers', '--max-pages', '5', '--json');
    expect(result.code).toBe(BAD_ANSWER);
    expect(JSON.parse(result.stderr).error.message).toBe('links.next of page 5 leads past maxPages (5)');
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(requests).toHaveLength(5);
  });

  it('refuses a next link that is a DELETE with a Host header, before it is sent', async () => {
    const { url, requests } = await startStandIn((_, response, n) =>
      json(
        response,
        customersPage([someCustomer(n)], {
          uri: '/customers?x=1',
          method: 'DELETE',
          headers: [...tokenHeader('t'), { key: 'Host', value: 'evil.example' }],
        }),
      ),
    );
    const result = await run(url, 'customers');
    expect(result.code).toBe(BAD_ANSWER);
    expect(result.stderr).toContain('links.next of page 1 is refused');
    expect(requests.map(({ method }) => method)).toEqual(['GET']);
  });

  it('ends a report whose usage records keep coming back under fresh tokens, at the second page', async () => {
    const { url, requests } = await startStandIn((_, response, n) => {
      const records = example('listCustomerUsageRecords');
      records.links = { next: { uri: '/customers/usagerecords', method: 'GET', headers: tokenHeader(`t${n}`) } };
      json(response, records);
    });
    const result = await run(url, 'report');
    expect(result.code).toBe(BAD_ANSWER);
    expect(result.stderr).toMatch(/page 2 of the usage records repeats customer [0-9a-f-]{36}/);
    expect(requests).toHaveLength(2);
  });
});

describe('a 2xx body that breaks the spec', () => {
  it('names the field of a count that is not a number, exit 7, no stack, nothing on stdout', async () => {
    const { url } = await startStandIn((_, response) =>
      json(response, { ...example('getPartnerUsageSummary'), customersOverBudget: 'many' }),
    );
    const result = await run(url, 'partner-usage');
    expect(result).toMatchObject({ code: BAD_ANSWER, stdout: '' });
    expect(result.stderr).toMatch(/^usagebudget: the service's answer breaks the API's spec \(HTTP 200\)\n/);
    expect(result.stderr).toContain('/customersOverBudget must be integer');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a cost that is not finite instead of showing Infinity', async () => {
    const { url } = await startStandIn((_, response) =>
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(example('getPartnerUsageSummary')).replace(/"totalCost":[^,]+/, '"totalCost":1e999')),
    );
    const result = await run(url, 'partner-usage', '--json');
    expect(result).toMatchObject({ code: BAD_ANSWER, stdout: '' });
    expect(JSON.parse(result.stderr)).toMatchObject({
      error: { type: 'ResponseValidationError', status: 200 },
      exitCode: BAD_ANSWER,
    });
    expect(JSON.parse(result.stderr).error.message).toContain('/totalCost must be a finite number');
  });

  it.each([
    ['get', ['get', customer], 'getUsageBudget', { amount: 'lots' }, '/amount must be number'],
    ['report', ['report'], 'listCustomerUsageRecords', { items: [{ percentUsed: 'x' }] }, '/items/0'],
    ['customers', ['customers'], 'listCustomers', { items: 'none' }, '/items must be array'],
    [
      'usage, with dates and a currency that carry escape sequences',
      ['usage', customer],
      'getCustomerUsageSummary',
      { billingStartDate: '\u001b[2J2026-11-01', currencyCode: 'G\u202eBP' },
      '/billingStartDate must match format "date-time"',
    ],
  ])('refuses the body of %s, exit 7', async (_, args, operationId, changes, shown) => {
    const { url } = await startStandIn((_, response) => json(response, { ...example(operationId), ...changes }));
    const result = await run(url, ...args);
    expect(result).toMatchObject({ code: BAD_ANSWER, stdout: '' });
    expect(result.stderr).toContain(shown);
    expect(result.stderr).not.toMatch(UNSAFE);
  });
});

describe('service text on the terminal', () => {
  it('shows a name and a request id with escape sequences, bidi and C1 controls as visible escapes', async () => {
    const { url } = await startStandIn((_, response) =>
      json(response, { ...example('getCustomerUsageSummary'), resourceName: HOSTILE }, { 'ms-requestid': '\u009b2J' }),
    );
    const result = await run(url, 'usage', customer);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(UNSAFE);
    expect(result.stdout).toContain(`Name          ${SHOWN}\n`);
    expect(result.stdout).toContain('Request ID    \\u{9b}2J\n');
  });

  it("shows a fault's description and an HTML error page's title made safe", async () => {
    const { url } = await startStandIn((_, response, n) => {
      if (n === 1) return json(response, { code: 60003, description: HOSTILE }, { 'ms-requestid': '\u009b2J' }, 404);
      response.writeHead(502, { 'content-type': 'text/html' }).end(`<html><title>${HOSTILE}</title></html>`);
    });
    const fault = await run(url, 'get', customer);
    expect(fault.code).toBe(3);
    expect(fault.stderr).not.toMatch(UNSAFE);
    const rows = fault.stderr.split('\n').map((line) => line.trim().split(/ {2,}/));
    expect(rows).toContainEqual(['Description', SHOWN]);
    expect(rows).toContainEqual(['Request ID', '\\u{9b}2J']);
    const page = await run(url, 'get', customer, '--retries', '0');
    expect(page.code).toBe(1);
    expect(page.stderr).not.toMatch(UNSAFE);
    expect(page.stderr).toContain(`an HTML page titled "${SHOWN}"`);
  });

  it('keeps --json data exact, with the controls JSON escapes', async () => {
    const { url } = await startStandIn((_, response) =>
      json(response, { ...example('getCustomerUsageSummary'), resourceName: HOSTILE }),
    );
    const result = await run(url, 'usage', customer, '--json');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(UNSAFE);
    expect(JSON.parse(result.stdout).customerName).toBe(HOSTILE);
  });

  it('lines up the report by display width: wide, combining and emoji names', async () => {
    const names = ['株式会社テスト', 'Cafe\u0301 Crème', '🚀 Rocket Ltd', 'Plain Name'];
    const { url } = await startStandIn((_, response) => {
      const records = example('listCustomerUsageRecords');
      const items = records.items as Record<string, unknown>[];
      for (const [index, item] of items.entries()) item.resourceName = names[index];
      json(response, records);
    });
    const result = await run(url, 'report');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n').slice(0, -1);
    expect(lines).toHaveLength(names.length + 1);
    // The display column where "Currency" starts is the same on every line.
    const [header = '', ...rows] = lines;
    const column = stringWidth(header.slice(0, header.indexOf('Currency')));
    for (const row of rows) {
      const currency = /\s([A-Z]{3}|[a-z]{2}-[A-Z]{2})\s/.exec(row);
      expect(currency, row).not.toBeNull();
      expect(stringWidth(row.slice(0, (currency?.index ?? 0) + 1)), row).toBe(column);
    }
  });
});
