import { inspect } from 'node:util';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import {
  PagingError,
  PartnerCenterError,
  ResponseTooLargeError,
  ServerError,
  TimeoutError,
  type UsageBudgetClientOptions,
} from '../src/index.js';
import { clientOf, collect } from './support/client-of.js';
import { budget, TENANT, useFaultServer } from './support/fault-server.js';

// Servers that try to hold, flood, redirect or trick the client (issue 12). Each deadline here is
// short and real; the assertions bound time generously, so a slow machine cannot fail them, while
// a client without the deadline never settles at all.
const SETTLES_WITHIN_MS = 5_000;

const server = useFaultServer();
const elsewhere = useFaultServer();

const client = (options: Partial<UsageBudgetClientOptions> = {}) => clientOf(server, options);

/** How `promise` settles, or `undefined` when it is still pending after `withinMs`. */
async function settle(promise: Promise<unknown>, withinMs = SETTLES_WITHIN_MS) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), withinMs);
  });
  const outcome = await Promise.race([
    promise.then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error }),
    ),
    pending,
  ]);
  clearTimeout(timer);
  return outcome && { ...outcome, ms: performance.now() - started };
}

async function failure(promise: Promise<unknown>, withinMs?: number): Promise<PartnerCenterError> {
  const outcome = await settle(promise, withinMs);
  expect(outcome, 'the call was still pending').toBeDefined();
  expect(outcome?.error).toBeInstanceOf(PartnerCenterError);
  return outcome?.error as PartnerCenterError;
}

/**
 * Whether the server's response to each of the `count` requests finished, once they have arrived
 * and their responses closed (the client may reject before the server sees either).
 */
async function responsesFinished(count: number): Promise<(boolean | undefined)[]> {
  const closed = () =>
    server.requests.length >= count && server.requests.every((request) => request.responseFinished !== undefined);
  for (const started = Date.now(); !closed() && Date.now() - started < SETTLES_WITHIN_MS; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return server.requests.map((request) => request.responseFinished);
}

describe('the attempt deadline (timeoutMs)', () => {
  it('ends an attempt whose body trickles in, with a TimeoutError', async () => {
    server.enqueue({ trickleEveryMs: 50 });
    // 1 s, not less: on two busy cores a shorter deadline can pass before the request reaches the server.
    const error = await failure(client({ maxRetries: 0, timeoutMs: 1_000 }).getBudget(TENANT));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('no response within 1000 ms');
    expect(await responsesFinished(1)).toEqual([false]);
  });

  it('retries a trickling attempt like any timeout, each one bounded', async () => {
    server.enqueue({ trickleEveryMs: 50 }, { trickleEveryMs: 50 }, { trickleEveryMs: 50 });
    const retries: unknown[] = [];
    const logger = { warn: (_: string, fields?: Record<string, unknown>) => retries.push(fields) };
    const error = await failure(client({ maxRetries: 2, timeoutMs: 300, logger }).getBudget(TENANT));
    expect(error).toBeInstanceOf(TimeoutError);
    // A warning per retry (with its wait) beside the three attempts' lines.
    expect(retries.filter((fields) => Object.hasOwn(fields as object, 'delayMs'))).toHaveLength(2);
    expect(retries).toHaveLength(5);
  });

  it('ends headers followed by silence with a TimeoutError, not a ConnectionError', async () => {
    server.enqueue({ silence: true });
    const error = await failure(client({ maxRetries: 0 }).getBudget(TENANT, { timeoutMs: 300 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('no response within 300 ms');
    expect(error.requestId).toBe(server.requests[0]?.headers['ms-requestid']);
  });

  it('is not extended by an axios instance whose own timeout is longer', async () => {
    server.enqueue({ trickleEveryMs: 50 });
    const instance = axios.create({ timeout: 60_000 });
    const error = await failure(client({ maxRetries: 0, timeoutMs: 300, axios: instance }).getBudget(TENANT));
    expect(error).toBeInstanceOf(TimeoutError);
  });
});

describe('the call deadline (totalTimeoutMs)', () => {
  it('ends a call, retries included, even when each attempt may take longer', async () => {
    server.enqueue({ trickleEveryMs: 50 }, { trickleEveryMs: 50 });
    const error = await failure(client({ maxRetries: 3, timeoutMs: 60_000, totalTimeoutMs: 400 }).getBudget(TENANT));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/^the call did not finish within 400 ms \(totalTimeoutMs\), attempts: 1$/);
    expect(error.requestId).toBe(server.requests[0]?.headers['ms-requestid']);
  });

  it('does not wait for a retry that would start past the deadline: the failure is the answer', async () => {
    server.enqueue({ status: 503, text: '', headers: { 'retry-after': '10' } }, { status: 200, json: budget(1) });
    const c = client({ backoff: { maxDelayMs: 20_000 }, totalTimeoutMs: 3_000 });
    const outcome = await settle(c.getBudget(TENANT), 20_000);
    expect(outcome?.error).toBeInstanceOf(ServerError);
    // It did not sleep the 10 s that Retry-After asked for, only to time out.
    expect(outcome?.ms).toBeLessThan(9_000);
    expect(server.requests).toHaveLength(1);
  });

  it('bounds a token provider that never answers', async () => {
    const credential = () => new Promise<string>(() => {});
    const error = await failure(client({ credential, totalTimeoutMs: 300 }).getBudget(TENANT));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toContain('totalTimeoutMs');
    expect(server.requests).toHaveLength(0);
  });

  it('takes a per-call totalTimeoutMs over the client one', async () => {
    server.enqueue({ trickleEveryMs: 50 });
    const error = await failure(client({ timeoutMs: 60_000 }).getBudget(TENANT, { totalTimeoutMs: 300 }));
    expect(error.message).toContain('within 300 ms (totalTimeoutMs)');
  });
});

describe('Retry-After', () => {
  it.each(['-1', '2.5', '1e3', 'soon', 'Fri, 31 Feb 2031 00:00:00 GMT'])(
    'falls back to the exponential backoff for %j',
    async (retryAfter) => {
      server.enqueue(
        { status: 503, text: '', headers: { 'retry-after': retryAfter } },
        { status: 200, json: budget(1) },
      );
      await client({ backoff: { initialDelayMs: 200, maxDelayMs: 2_000 } }).getBudget(TENANT);
      const [first, second] = server.requests;
      // Equal jitter waits at least half of the 200 ms step; an unreadable header read as a past
      // date retried at once (a few ms).
      expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(95);
    },
  );
});

describe('the response size cap (maxResponseBytes)', () => {
  it('fails a 50 MB body with ResponseTooLargeError and does not read the rest', async () => {
    server.enqueue({ status: 500, bodyBytes: 50 * 1024 * 1024 });
    const error = await failure(client({ maxRetries: 3 }).getBudget(TENANT), 20_000);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error.message).toBe('the response body exceeds maxResponseBytes (10485760 bytes); the rest was not read');
    // The client hung up: the server could not send it all. And a flood is not retried.
    expect(await responsesFinished(1)).toEqual([false]);
  });

  it('reads a body up to the cap, and a larger one when the option raises it', async () => {
    server.enqueue({ status: 200, bodyBytes: 2_000 });
    expect(await failure(client({ maxResponseBytes: 1_000 }).getBudget(TENANT))).toBeInstanceOf(ResponseTooLargeError);
    // The same body under a higher cap is read whole (and is then no JSON object).
    server.enqueue({ status: 200, bodyBytes: 2_000 });
    const error = await failure(client({ maxResponseBytes: 2_000 }).getBudget(TENANT));
    expect(error.message).toContain(
      'the 200 response of getUsageBudget does not match the spec: (root) must be a JSON object, not a body that is not valid JSON',
    );
  });
});

describe('redirects', () => {
  it('does not follow a 307 of a PATCH to another origin, nor retry it', async () => {
    server.enqueue({ status: 307, text: '', headers: { location: `${elsewhere.url}/evil` } });
    elsewhere.enqueue({ status: 200, json: budget(666) });
    const error = await failure(client({ maxRetries: 3 }).setBudget(TENANT, 5));
    expect(error.constructor).toBe(PartnerCenterError);
    expect(error.status).toBe(307);
    expect(error.message).toMatch(
      /^307 a redirect to "http:\/\/127\.0\.0\.1:\d+\/evil", which the client does not follow/,
    );
    expect(elsewhere.requests).toHaveLength(0);
    expect(server.requests).toHaveLength(1);
  });

  it('does not follow a same-origin redirect either', async () => {
    server.enqueue({ status: 308, text: '', headers: { location: '/moved' } }, { status: 200, json: budget(1) });
    const error = await failure(client().setBudget(TENANT, 5));
    expect(error.status).toBe(308);
    expect(server.requests).toHaveLength(1);
  });

  it('ends a redirect loop after one request', async () => {
    for (let i = 0; i < 100; i++)
      server.enqueue((request) => ({ status: 302, text: '', headers: { location: request.url } }));
    const error = await failure(client({ maxRetries: 3 }).getBudget(TENANT));
    expect(error.status).toBe(302);
    expect(server.requests).toHaveLength(1);
  });

  it('refuses an answer from another origin where the transport followed a redirect itself', async () => {
    // A browser's XMLHttpRequest follows redirects before axios sees the response, and says where
    // the answer came from in responseURL: this adapter stands in for it.
    const instance = axios.create({
      adapter: async (config) => ({
        data: JSON.stringify(budget(666)),
        status: 200,
        statusText: 'OK',
        headers: {},
        config,
        request: { responseURL: 'https://elsewhere.example/evil' },
      }),
    });
    const error = await failure(client({ axios: instance }).setBudget(TENANT, 5));
    expect(error.message).toMatch(
      /^200 a redirect to "https:\/\/elsewhere\.example", which the client does not follow \(MS-RequestId /,
    );
    expect(error.status).toBe(200);
  });
});

describe('redaction of a token the server echoes', () => {
  // Characters that URL-encoding and base64 change, so every form below differs from the token.
  const TOKEN = 'SENTINEL-7f3a9c1e+token/with=odd.chars~';
  const bearer = `Bearer ${TOKEN}`;
  const forms: [string, string][] = [
    ['literal', TOKEN],
    ['Bearer <token>', bearer],
    ['base64 of the token', Buffer.from(TOKEN).toString('base64')],
    ['base64 of the header', Buffer.from(bearer).toString('base64')],
    ['base64 of the header in JSON', Buffer.from(JSON.stringify({ authorization: bearer })).toString('base64')],
    ['base64url of the header', Buffer.from(bearer).toString('base64url')],
    ['URL-encoded', encodeURIComponent(bearer)],
    ['URL-encoded, lower-case escapes', encodeURIComponent(bearer).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
  ];
  const secrets = [TOKEN, ...forms.slice(2).map(([, form]) => form)];

  it.each(forms)('redacts the %s form in every field and message', async (_, echoed) => {
    server.enqueue(
      { status: 400, json: { code: echoed, description: `bad ${echoed}`, data: [echoed], source: echoed } },
      { status: 502, text: `<html><title>${echoed}</title></html>`, contentType: 'text/html' },
      { status: 200, text: `not json ${echoed}` },
      { status: 302, text: '', headers: { location: `/x?auth=${echoed}` } },
    );
    const c = client({ credential: TOKEN, maxRetries: 0 });
    const errors = [];
    for (let i = 0; i < 4; i++) errors.push(await failure(c.getBudget(TENANT)));
    for (const error of errors) {
      const outputs = [error.message, JSON.stringify(error), inspect(error, { depth: Infinity, showHidden: true })];
      for (const output of outputs) for (const secret of secrets) expect(output).not.toContain(secret);
    }
    expect(errors[0]?.description).toContain('[redacted]');
  });
});

describe('the customer list and usage reads (issue 13) under the same limits', () => {
  const OTHER = '45c44870-ef77-4fdd-b6fe-3dacb075cff2';
  /** A collection page of `items`, with a links.next to the second page when `more`. */
  const collection = (items: unknown[], more: boolean) => ({
    totalCount: items.length,
    items,
    links: more
      ? {
          next: {
            uri: '/v1/customers?seekOperation=Next',
            method: 'GET',
            headers: [{ key: 'MS-ContinuationToken', value: 't' }],
          },
        }
      : {},
    ...(more && { continuationToken: 't' }),
    attributes: { objectType: 'Collection' },
  });
  const customer = (id: string) => ({ id, companyProfile: { tenantId: id, companyName: 'C' }, attributes: {} });

  it('bounds each page of listCustomers by timeoutMs: a trickling next page is a TimeoutError', async () => {
    server.enqueue({ status: 200, json: collection([customer(TENANT)], true) }, { trickleEveryMs: 50 });
    const seen: string[] = [];
    const walk = (async () => {
      for await (const item of client({ maxRetries: 0, timeoutMs: 300 }).listCustomers()) seen.push(item.id);
    })();
    const error = await failure(walk);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('no response within 300 ms');
    expect(seen).toEqual([TENANT]);
    expect(server.requests.map((request) => request.headers['ms-continuationtoken'])).toEqual([undefined, 't']);
  });

  it('bounds each page of listCustomers by totalTimeoutMs, retries included', async () => {
    server.enqueue({ status: 200, json: collection([customer(TENANT)], true) }, { trickleEveryMs: 50 });
    const pages = client({ maxRetries: 3, timeoutMs: 60_000, totalTimeoutMs: 400 }).listCustomers().byPage();
    expect((await pages.next()).value?.items).toHaveLength(1);
    const error = await failure(pages.next());
    expect(error.message).toBe('the call did not finish within 400 ms (totalTimeoutMs), attempts: 1');
  });

  it('caps a page of listCustomers at maxResponseBytes, and does not follow a next page that redirects', async () => {
    server.enqueue({ status: 200, bodyBytes: 5_000 });
    const tooLarge = await failure(collect(client({ maxResponseBytes: 4_000 }).listCustomers()));
    expect(tooLarge).toBeInstanceOf(ResponseTooLargeError);
    server.enqueue(
      { status: 200, json: collection([customer(TENANT)], true) },
      { status: 307, text: '', headers: { location: `${elsewhere.url}/v1/customers` } },
    );
    const redirected = await failure(collect(client({ maxRetries: 3 }).listCustomers()));
    expect(redirected.status).toBe(307);
    expect(elsewhere.requests).toHaveLength(0);
    expect(server.requests).toHaveLength(3);
  });

  it('bounds listCustomerUsageRecords, each of its pages, by timeoutMs and maxResponseBytes', async () => {
    const record = { customerId: TENANT, totalCost: 1, budget: { amount: 2 }, percentUsed: 50 };
    server.enqueue({ status: 200, json: collection([record], true) }, { silence: true });
    const silent = await failure(client({ maxRetries: 0, timeoutMs: 300 }).listCustomerUsageRecords());
    expect(silent).toBeInstanceOf(TimeoutError);
    server.enqueue({ status: 200, json: collection([record], true) }, { status: 200, bodyBytes: 50 * 1024 });
    const flood = await failure(client({ maxResponseBytes: 10_000 }).listCustomerUsageRecords());
    expect(flood).toBeInstanceOf(ResponseTooLargeError);
    expect(flood.message).toBe('the response body exceeds maxResponseBytes (10000 bytes); the rest was not read');
    expect(server.requests).toHaveLength(4);
  });

  it("reads a portfolio's usage records past 10 MiB by default, where another operation's cap is 10 MiB", async () => {
    // 50,000 customers' records: one unpaged body of about 14 MB, as a big partner gets it.
    const records = Array.from({ length: 50_000 }, (_, index) => ({
      customerId: `${index.toString(16).padStart(8, '0')}-c70d-4c55-bc02-f620844f3fd1`,
      customerName: `Customer ${index} of a portfolio, with a company name as long as real ones get`,
      totalCost: 1.5,
      budget: { amount: 2 },
      percentUsed: 75,
      currencyLocale: 'en-US',
    }));
    const body = collection(records, false);
    expect(JSON.stringify(body).length).toBeGreaterThan(10 * 1024 * 1024);
    server.enqueue({ status: 200, json: body });
    expect(await client().listCustomerUsageRecords()).toHaveLength(50_000);
    server.enqueue({ status: 200, json: body });
    // Settling is the point, not its speed: 14 MB on two busy cores can take longer than the default.
    // One retry: on busy cores, reading the first body can outlast the server's keep-alive, and the
    // reused socket is then reset under the second request (a ConnectionError, not what is tested).
    const tooLarge = await failure(client({ maxRetries: 1 }).getBudget(TENANT), 60_000);
    expect(tooLarge).toBeInstanceOf(ResponseTooLargeError);
  });

  it('bounds the usage summaries by timeoutMs and totalTimeoutMs', async () => {
    server.enqueue({ silence: true });
    const customerSummary = await failure(client({ maxRetries: 0 }).getCustomerUsageSummary(OTHER, { timeoutMs: 300 }));
    expect(customerSummary).toBeInstanceOf(TimeoutError);
    server.enqueue({ trickleEveryMs: 50 }, { trickleEveryMs: 50 });
    const partnerSummary = await failure(client({ timeoutMs: 60_000 }).getPartnerUsageSummary({ totalTimeoutMs: 300 }));
    expect(partnerSummary.message).toContain('within 300 ms (totalTimeoutMs)');
  });

  it('redacts an echoed token in the error of a page', async () => {
    const TOKEN = 'SENTINEL-page-token-4d1c9e+/=';
    const echoed = Buffer.from(`Bearer ${TOKEN}`).toString('base64');
    server.enqueue(
      { status: 200, json: collection([customer(TENANT)], true) },
      { status: 400, json: { code: 1, description: echoed } },
    );
    const error = await failure(collect(client({ credential: TOKEN }).listCustomers()));
    expect(error.description).toContain('[redacted]');
    expect(error.description).not.toContain(echoed);
  });
});

describe('a walk of pages that does not end, or leads elsewhere (issue 21)', () => {
  const customer = (index: number) => {
    const id = `${index.toString(16).padStart(8, '0')}-c70d-4c55-bc02-f620844f3fd1`;
    return { id, companyProfile: { tenantId: id, companyName: `C${index}` }, attributes: {} };
  };
  /** A page of `items` whose links.next is `uri` with `token` (and whatever `link` adds or replaces). */
  const pageOf = (items: unknown[], uri?: string, token?: string, link: Record<string, unknown> = {}) => ({
    totalCount: items.length,
    items,
    links:
      uri === undefined
        ? {}
        : {
            next: {
              uri,
              method: 'GET',
              headers: token === undefined ? [] : [{ key: 'MS-ContinuationToken', value: token }],
              ...link,
            },
          },
    attributes: { objectType: 'Collection' },
  });
  /** Serves `pageAt(n)` for the n-th request (1-based), `count` times. */
  const serve = (count: number, pageAt: (n: number) => unknown) => {
    for (let n = 1; n <= count; n++) server.enqueue({ status: 200, json: pageAt(n) });
  };
  const walk = (options: Partial<UsageBudgetClientOptions> = {}) => collect(client(options).listCustomers());

  it('ends a walk whose links.next alternates between two pages, at the first link it has followed before', async () => {
    serve(100, (n) => pageOf([customer(n)], n % 2 ? '/customers?page=a' : '/customers?page=b', n % 2 ? 'a' : 'b'));
    const error = await failure(walk());
    expect(error).toBeInstanceOf(PagingError);
    expect(error.code).toBe('PageRepeated');
    expect(error.message).toBe('links.next of page 3 leads back to page 2: the listing would never end');
    expect(server.requests.map(({ url }) => url)).toEqual([
      '/v1/customers',
      '/v1/customers?page=a',
      '/v1/customers?page=b',
    ]);
  });

  it('ends a walk at a continuation token it was given before, under another link', async () => {
    serve(3, (n) => pageOf([customer(n)], `/customers?seekOperation=Next&n=${n}`, n === 3 ? 't1' : `t${n}`));
    const error = await failure(walk());
    expect(error).toMatchObject({ code: 'PageRepeated' });
    expect(server.requests).toHaveLength(3);
  });

  it('ends a walk that started from a continuation token when a page leads back to it', async () => {
    serve(2, (n) => pageOf([customer(n)], '/customers?seekOperation=Next', n === 2 ? 'start' : 'fresh'));
    const pages = client().listCustomers().byPage({ continuationToken: 'start' });
    const error = await failure(collect(pages));
    expect(error).toMatchObject({ code: 'PageRepeated' });
    expect(server.requests).toHaveLength(2);
  });

  it('ends a walk after 10 empty pages in a row, each with a fresh token', async () => {
    serve(100, (n) => pageOf([], '/customers?seekOperation=Next', `token-${n}`));
    const error = await failure(walk());
    expect(error).toBeInstanceOf(PagingError);
    expect(error.code).toBe('EmptyPages');
    expect(error.message).toBe('links.next of page 10 ends 10 empty pages in a row');
    expect(server.requests).toHaveLength(10);
  });

  it('lists on past fewer empty pages in a row', async () => {
    // 9 empty, 1 with an item, 9 empty, the last.
    serve(20, (n) =>
      n === 20
        ? pageOf([customer(n)])
        : pageOf(n === 10 ? [customer(n)] : [], '/customers?seekOperation=Next', `t${n}`),
    );
    expect(await walk()).toHaveLength(2);
  });

  it('ends a walk past maxPages, whose pages all have items and fresh tokens', async () => {
    serve(200, (n) => pageOf([customer(n)], '/customers?seekOperation=Next', `token-${n}`));
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const found of client({ maxPages: 25 }).listCustomers()) seen.push(found.id);
      })(),
    );
    expect(error).toBeInstanceOf(PagingError);
    expect(error.code).toBe('PageLimit');
    expect(error.message).toBe('links.next of page 25 leads past maxPages (25)');
    expect(server.requests).toHaveLength(25);
    // Every page read but the last, whose links.next leads past the limit.
    expect(seen).toHaveLength(24);
  });

  it('refuses a maxPages that is not a whole number from 1', () => {
    for (const maxPages of [0, 1.5, -1, Number.NaN]) expect(() => client({ maxPages })).toThrow(/maxPages/);
  });

  it.each([
    ['a DELETE', { method: 'DELETE' }],
    ['a POST', { method: 'POST' }],
    ['no method', { method: undefined }],
    ['a Host header', { headers: [{ key: 'Host', value: 'evil.example' }] }],
    ['an Authorization header', { headers: [{ key: 'Authorization', value: 'Bearer other' }] }],
    [
      'a header beside the token',
      {
        headers: [
          { key: 'MS-ContinuationToken', value: 't' },
          { key: 'X-Other', value: 'yes' },
        ],
      },
    ],
    ['headers that are not a list', { headers: { Host: 'evil.example' } }],
    ['a token with a line break', { headers: [{ key: 'MS-ContinuationToken', value: 't\r\nX-Injected: 1' }] }],
    ['a token too long', { headers: [{ key: 'MS-ContinuationToken', value: 'x'.repeat(2049) }] }],
    ['a URL of another host', { uri: 'http://evil.example/v1/customers' }],
    ['a network-path reference', { uri: '//evil.example/v1/customers' }],
    ['a backslash, which URL parsers read as a slash', { uri: '/\\evil.example/v1/customers' }],
    ['a path that climbs out of the API', { uri: '/v1/../admin' }],
    ['a percent-encoded climb', { uri: '/v1/%2E%2e/admin' }],
    ['a path with a line break', { uri: '/v1/customers\r\nX: y' }],
    ['a uri that is not text', { uri: 42 }],
  ])('refuses a next link with %s before any request leaves', async (_, link) => {
    serve(1, () => pageOf([customer(1)], '/customers?seekOperation=Next', 't', link));
    elsewhere.enqueue({ status: 200, json: pageOf([]) });
    const error = await failure(walk());
    expect(error).toBeInstanceOf(PagingError);
    expect(error.code).toBe('LinkRefused');
    expect(error.message).toBe(
      'links.next of page 1 is refused: the client follows a GET of an API path with at most a continuation token',
    );
    expect(error.requestId).toBe(server.requests[0]?.headers['ms-requestid']);
    expect(server.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('sends on a next page only the headers the client sets and the MS-ContinuationToken', async () => {
    serve(2, (n) => (n === 1 ? pageOf([customer(1)], '/customers?seekOperation=Next', 'tok') : pageOf([customer(2)])));
    expect(await walk()).toHaveLength(2);
    const [first, second] = server.requests;
    const names = (headers: object) => Object.keys(headers).sort();
    expect(names(second?.headers ?? {})).toEqual(names({ ...first?.headers, 'ms-continuationtoken': 'tok' }));
    expect(second?.method).toBe('GET');
  });

  it('ends usage records whose links.next keeps bringing the same customers, at the first repeated one', async () => {
    const record = (index: number) => ({ resourceId: customer(index).id, totalCost: 1, budget: {}, percentUsed: 0 });
    serve(100, (n) => pageOf([record(1), record(2)], '/customers/usagerecords', `token-${n}`));
    const error = await failure(client().listCustomerUsageRecords());
    expect(error).toBeInstanceOf(PagingError);
    expect(error.code).toBe('PageRepeated');
    expect(error.message).toBe(`page 2 of the usage records repeats customer ${customer(1).id}`);
    expect(server.requests).toHaveLength(2);
  });

  it('holds every page of the usage records together to one maxResponseBytes', async () => {
    const record = (index: number) => ({ resourceId: customer(index).id, totalCost: 1, budget: {}, percentUsed: 0 });
    const pageAt = (n: number) =>
      pageOf(
        Array.from({ length: 12 }, (_, index) => record(n * 100 + index)),
        '/customers/usagerecords',
        `token-${n}`,
      );
    serve(10, pageAt);
    // Room for three pages and a half: each page alone is far under the cap, the fourth crosses it.
    const pageBytes = JSON.stringify(pageAt(1)).length;
    const cap = Math.floor(pageBytes * 3.5);
    const error = await failure(client({ maxResponseBytes: cap }).listCustomerUsageRecords());
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error.message).toBe(`the response body exceeds maxResponseBytes (${cap} bytes); the rest was not read`);
    expect(server.requests).toHaveLength(4);
  });
});
