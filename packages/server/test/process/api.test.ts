import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { spec, specPaths } from '@usagebudget/openapi';
import { describe, expect, it } from 'vitest';
import {
  budgetPath,
  exchangeRaw,
  jsonHeaders,
  type RawRequest,
  type RawResponse,
  randomPartner,
} from '../../src/testing/index.js';
import { sendConforming } from '../support/spec-conformance.js';
import { useServer } from '../support/use-server.js';

const partnerA = randomPartner('Partner A', 48);
const partnerB = randomPartner('Partner B', 1);
const [tokenA] = partnerA.tokens as [string];
const [tokenB] = partnerB.tokens as [string];
const customersA = [...partnerA.customers];
const customerB = partnerB.customers[0] as string;
/** A customer of partner A that no other test touches. */
const freshCustomer = () => {
  const next = customersA.shift();
  if (!next) throw new Error('partner A has too few customers for these tests');
  return next;
};

const server = useServer({ partners: [partnerA, partnerB] });

const call = (request: RawRequest) => sendConforming(server.current.url, request);

const get = (customerId: string, token: string | undefined = tokenA, headers: Record<string, string> = {}) =>
  call({ path: budgetPath(customerId), headers: jsonHeaders(token, headers) });

const patch = (
  customerId: string,
  body: string,
  token: string | undefined = tokenA,
  headers: Record<string, string> = {},
) => call({ method: 'PATCH', path: budgetPath(customerId), headers: jsonHeaders(token, headers), body });

/** The access-log line of a request, once the server has written it (it writes in batches). */
async function accessLine(requestId: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const line = server.current
      .output()
      .split('\n')
      .find((text) => text.includes(`"requestId":"${requestId}"`));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no access-log line for ${requestId}`);
}

const json = (response: RawResponse) => JSON.parse(response.text) as Record<string, unknown>;

describe('GET and PATCH', () => {
  it('reads no budget as null, with the links and attributes of the resource', async () => {
    const customer = freshCustomer();
    const response = await get(customer);
    expect(response.status).toBe(200);
    expect(json(response)).toEqual({
      amount: null,
      usageSpendingBudget: null,
      attributes: { objectType: 'SpendingBudget' },
      links: { self: { uri: budgetPath(customer), method: 'GET', headers: [] } },
    });
  });

  it('sets a budget, returns it, and reads it back; null clears it', async () => {
    const customer = freshCustomer();
    const set = await patch(customer, '{"amount": 250.5, "attributes": {"objectType": "SpendingBudget"}}');
    expect(set.status).toBe(200);
    expect(json(set)).toMatchObject({ amount: 250.5, usageSpendingBudget: 250.5 });
    expect(json(await get(customer))).toMatchObject({ amount: 250.5, usageSpendingBudget: 250.5 });
    const cleared = await patch(customer, '{"amount": null}');
    expect(json(cleared)).toMatchObject({ amount: null, usageSpendingBudget: null });
    expect(json(await get(customer))).toMatchObject({ amount: null });
  });

  it('binds PascalCase bodies as the .NET SDK sends them, and ignores unknown and read-only properties', async () => {
    const customer = freshCustomer();
    const body =
      '{"Amount": 75, "Attributes": {"ObjectType": "SpendingBudget"}, "Currency": "EUR", "UsageSpendingBudget": 1}';
    expect(json(await patch(customer, body))).toMatchObject({ amount: 75, usageSpendingBudget: 75 });
    expect(json(await get(customer))).toMatchObject({ amount: 75 });
  });

  it.each(['123.45', '0.1', '0.30000000000000004', '1e+21', '999999999999999', '0', '1234567.89'])(
    'keeps %s exactly, digit for digit',
    async (amount) => {
      const customer = freshCustomer();
      const set = await patch(customer, `{"amount": ${amount}}`);
      expect(set.text).toContain(`"amount":${amount},`);
      expect((await get(customer)).text).toContain(`"amount":${amount},"usageSpendingBudget":${amount},`);
    },
  );

  it('writes an amount in its shortest form: 123.450 comes back as 123.45', async () => {
    const customer = freshCustomer();
    expect((await patch(customer, '{"amount": 123.450}')).text).toContain('"amount":123.45,');
  });

  it('rejects an amount it cannot keep exactly instead of rounding it, and keeps the old one', async () => {
    const customer = freshCustomer();
    await patch(customer, '{"amount": 10}');
    for (const [amount, readBackAs] of [
      ['0.1000000000000000055511151231257827', '0.1'],
      ['9007199254740993', '9007199254740992'],
      ['1e400', 'Infinity'],
    ]) {
      const response = await patch(customer, `{"amount": ${amount}}`);
      expect(response.status).toBe(400);
      expect(json(response)).toMatchObject({ code: 3000, data: ['amount'] });
      expect(json(response).description).toContain(`${amount} would be read back as ${readBackAs};`);
    }
    expect(json(await get(customer))).toMatchObject({ amount: 10 });
  });

  it('rejects a PATCH without amount (send null to clear) and other invalid properties with 3000', async () => {
    const customer = freshCustomer();
    const cases: [string, string[]][] = [
      ['{}', ['amount']],
      ['{"attributes": {"objectType": "SpendingBudget"}}', ['amount']],
      ['{"amount": -1}', ['amount']],
      ['{"amount": "10"}', ['amount']],
      ['{"amount": 1, "attributes": {"objectType": 5}}', ['attributes.objectType']],
      // The spec bounds every request string.
      [`{"amount": 1, "attributes": {"objectType": "${'x'.repeat(129)}"}}`, ['attributes.objectType']],
      [`{"amount": 1, "attributes": {"etag": "${'x'.repeat(1025)}"}}`, ['attributes.etag']],
      ['{"amount": 1, "AMOUNT": 2}', ['amount']],
    ];
    for (const [body, data] of cases) {
      const response = await patch(customer, body);
      expect(response.status, body).toBe(400);
      expect(json(response), body).toMatchObject({ code: 3000, data });
    }
    expect(json(await get(customer))).toMatchObject({ amount: null });
  });

  it('keeps __proto__ and constructor keys inert', async () => {
    const customer = freshCustomer();
    const body =
      '{"__proto__": {"amount": 666, "polluted": true}, "constructor": {"prototype": {"polluted": true}}, "amount": 3}';
    const response = await patch(customer, body);
    expect(json(response)).toMatchObject({ amount: 3 });
    expect(json(response)).not.toHaveProperty('polluted');
    const again = await patch(customer, '{"__proto__": {"amount": 5}}');
    expect(json(again)).toMatchObject({ code: 3000, data: ['amount'] });
    expect(json(await get(customer))).toEqual(json(response));
  });
});

describe('idempotency and tracing', () => {
  it('answers a replayed MS-RequestId with the first result, without applying it again', async () => {
    const customer = freshCustomer();
    const requestId = randomUUID();
    const first = await patch(customer, '{"amount": 5}', tokenA, { 'MS-RequestId': requestId });
    await patch(customer, '{"amount": 7}');
    // The same request again (the id's case and the number's spelling may differ).
    const replay = await patch(customer, '{"Amount": 5.00}', tokenA, { 'MS-RequestId': requestId.toUpperCase() });
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(first.text);
    expect(json(await get(customer))).toMatchObject({ amount: 7 });
  });

  it.each([
    ['another amount', '{"amount": 9}', false],
    ['a clear', '{"amount": null}', false],
    ['another customer', '{"amount": 5}', true],
  ])('refuses an MS-RequestId reused for %s with a 409, applying nothing', async (_, body, otherCustomer) => {
    const customer = freshCustomer();
    const requestId = randomUUID();
    const first = await patch(customer, '{"amount": 5}', tokenA, { 'MS-RequestId': requestId });
    const target = otherCustomer ? freshCustomer() : customer;
    const before = await get(target);
    const reused = await patch(target, body, tokenA, { 'MS-RequestId': requestId });
    expect(reused.status).toBe(409);
    expect(json(reused)).toMatchObject({ code: 'RequestIdReused', data: ['MS-RequestId'] });
    expect(reused.headers['ms-requestid']).toBe(requestId);
    expect((await get(target)).text).toBe(before.text);
    expect((await get(customer)).text).toBe(first.text);
  });

  it('keeps replays per partner: another partner may use the same MS-RequestId', async () => {
    const customer = freshCustomer();
    const requestId = randomUUID();
    await patch(customer, '{"amount": 1}', tokenA, { 'MS-RequestId': requestId });
    const other = await patch(customerB, '{"amount": 2}', tokenB, { 'MS-RequestId': requestId });
    expect(json(other)).toMatchObject({ amount: 2 });
  });

  it('does not record a rejected PATCH: a corrected retry with the same MS-RequestId applies', async () => {
    const customer = freshCustomer();
    const requestId = randomUUID();
    expect((await patch(customer, '{"amount": -5}', tokenA, { 'MS-RequestId': requestId })).status).toBe(400);
    expect(json(await patch(customer, '{"amount": 5}', tokenA, { 'MS-RequestId': requestId }))).toMatchObject({
      amount: 5,
    });
  });

  it('echoes MS-RequestId and MS-CorrelationId, and generates them when absent', async () => {
    const customer = freshCustomer();
    const ids = { 'MS-RequestId': randomUUID(), 'MS-CorrelationId': randomUUID() };
    const echoed = await get(customer, tokenA, ids);
    expect(echoed.headers['ms-requestid']).toBe(ids['MS-RequestId']);
    expect(echoed.headers['ms-correlationid']).toBe(ids['MS-CorrelationId']);
    const generated = await get(customer);
    const again = await get(customer);
    expect(generated.headers['ms-requestid']).not.toBe(again.headers['ms-requestid']);
    expect(generated.headers['ms-correlationid']).not.toBe(again.headers['ms-correlationid']);
  });

  it('rejects a non-GUID MS-RequestId or MS-CorrelationId with 400, answering with fresh GUIDs', async () => {
    const customer = freshCustomer();
    for (const header of ['MS-RequestId', 'MS-CorrelationId']) {
      const response = await get(customer, tokenA, { [header]: 'retry-1' });
      expect(response.status).toBe(400);
      expect(json(response)).toMatchObject({ code: 800002, data: [header] });
      expect(response.headers[header.toLowerCase()]).not.toBe('retry-1');
    }
  });

  it('checks the other declared headers against the spec', async () => {
    const customer = freshCustomer();
    expect((await get(customer, tokenA, { 'X-Locale': 'en-US', 'MS-Contract-Version': 'v1' })).status).toBe(200);
    expect(json(await get(customer, tokenA, { 'X-Locale': '"en-US"' }))).toMatchObject({ data: ['X-Locale'] });
    expect(json(await get(customer, tokenA, { 'MS-Contract-Version': 'v2' }))).toMatchObject({
      data: ['MS-Contract-Version'],
    });
  });
});

describe('authentication and tenancy', () => {
  it('answers 401 800001 with WWW-Authenticate to a missing, malformed or unknown token', async () => {
    const customer = freshCustomer();
    for (const authorization of [undefined, 'Basic abc', 'Bearer', `Bearer ${randomUUID()}`]) {
      const headers: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
      const response = await call({ path: budgetPath(customer), headers });
      expect(response.status, String(authorization)).toBe(401);
      expect(json(response)).toMatchObject({ code: 800001 });
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    }
  });

  it('accepts the bearer scheme in any case', async () => {
    const response = await call({ path: budgetPath(freshCustomer()), headers: { Authorization: `bearer ${tokenA}` } });
    expect(response.status).toBe(200);
  });

  it("keeps partners apart: A can neither read nor write B's customer (403 20002)", async () => {
    await patch(customerB, '{"amount": 11}', tokenB);
    const read = await get(customerB, tokenA);
    const write = await patch(customerB, '{"amount": 99}', tokenA);
    for (const response of [read, write]) {
      expect(response.status).toBe(403);
      expect(json(response)).toMatchObject({ code: 20002 });
      expect(json(response).description).toContain(partnerA.id);
    }
    expect(json(await get(customerB, tokenB))).toMatchObject({ amount: 11 });
  });

  it('answers 404 60003 for a customer no partner has, and 400 900118 for a customer id that is not a GUID', async () => {
    const unknown = await get(randomUUID());
    expect(unknown.status).toBe(404);
    expect(json(unknown)).toMatchObject({ code: 60003 });
    for (const id of ['not-a-guid', '0c39d6d5c70d4c55bc02f620844f3fd1', `urn:uuid:${randomUUID()}`, '%20']) {
      const response = await get(id);
      expect(response.status, id).toBe(400);
      expect(json(response)).toMatchObject({ code: 900118 });
    }
  });

  it('accepts an upper-case customer GUID as the same customer', async () => {
    const customer = freshCustomer();
    await patch(customer, '{"amount": 8}');
    expect(json(await get(customer.toUpperCase()))).toMatchObject({ amount: 8 });
  });
});

describe('request bodies', () => {
  it('answers 415 to a PATCH body that is not application/json', async () => {
    const customer = freshCustomer();
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const headers: Record<string, string> = { Authorization: `Bearer ${tokenA}` };
      if (contentType) headers['Content-Type'] = contentType;
      const response = await call({ method: 'PATCH', path: budgetPath(customer), headers, body: '{"amount":1}' });
      expect(response.status, String(contentType)).toBe(415);
      expect(json(response)).toMatchObject({ code: 800002 });
    }
    const withCharset = jsonHeaders(tokenA, { 'Content-Type': 'Application/JSON; charset=utf-8' });
    const accepted = await call({
      method: 'PATCH',
      path: budgetPath(customer),
      headers: withCharset,
      body: '{"amount":1}',
    });
    expect(accepted.status).toBe(200);
  });

  it('answers 413 to a body over 64 KiB, declared or streamed', async () => {
    const customer = freshCustomer();
    const big = `{"amount": 1, "pad": "${'x'.repeat(70_000)}"}`;
    expect((await patch(customer, big)).status).toBe(413);
    const chunks = Array.from({ length: 20 }, () => 'x'.repeat(4_000));
    const streamed = await call({
      method: 'PATCH',
      path: budgetPath(customer),
      headers: jsonHeaders(tokenA, { 'Transfer-Encoding': 'chunked' }),
      body: ['{"amount": 1, "pad": "', ...chunks, '"}'],
    });
    expect(streamed.status).toBe(413);
    expect(json(streamed)).toMatchObject({ code: 800002 });
    const justUnder = `{"amount": 2, "pad": "${'x'.repeat(65_000)}"}`;
    expect((await patch(customer, justUnder)).status).toBe(200);
  });

  it('answers 400 800002 to malformed, empty, non-object or non-UTF-8 bodies', async () => {
    const customer = freshCustomer();
    const bodies: (string | Buffer)[] = [
      '{"amount": 1',
      '',
      '   ',
      'null',
      '[1]',
      '"amount"',
      Buffer.from([0x7b, 0xff, 0x7d]),
    ];
    for (const body of bodies) {
      const response = await patch(customer, body as string);
      expect(response.status, String(body)).toBe(400);
      expect(json(response)).toMatchObject({ code: 800002 });
    }
  });

  it('logs 499 for a client that leaves before its body arrives, and keeps serving', async () => {
    const customer = freshCustomer();
    const requestId = randomUUID();
    const { hostname, port } = new URL(server.current.url);
    const socket = connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `PATCH ${budgetPath(customer)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokenA}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 100\r\nMS-RequestId: ${requestId}\r\n\r\n{"amount":`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    expect(await accessLine(requestId)).toMatchObject({ requestId, status: 499 });
    expect(json(await get(customer))).toMatchObject({ amount: null });
  });

  it('keeps serving the connection after a bad request', async () => {
    const customer = freshCustomer();
    await patch(customer, '{"amount": ');
    expect((await get(customer)).status).toBe(200);
  });
});

describe('routes', () => {
  it('answers 405 with Allow to methods the spec does not declare', async () => {
    for (const method of ['DELETE', 'PUT', 'POST']) {
      const response = await call({ method, path: budgetPath(freshCustomer()), headers: jsonHeaders(tokenA) });
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, PATCH');
      expect(json(response)).toMatchObject({ code: 800002 });
    }
  });

  it('answers 404 ApiFault to unknown paths', async () => {
    for (const path of [
      '/',
      '/v1/customers/',
      '/v1/Customers',
      '/v1/Customers/x/usagebudget',
      `${budgetPath(randomUUID())}/extra`,
      '/v1/customers/usagerecords/x',
    ]) {
      const response = await call({ path, headers: jsonHeaders(tokenA) });
      expect(response.status, path).toBe(404);
    }
  });

  it('answers malformed HTTP with an ApiFault and the tracing headers, then closes', async () => {
    const exchange = (request: string) => exchangeRaw(server.current.url, request);
    const garbage = await exchange('NOT HTTP AT ALL\r\n\r\n');
    const huge = await exchange(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    for (const [text, status] of [
      [garbage, 400],
      [huge, 431],
    ] as const) {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(head).toMatch(/\r\nMS-RequestId: [0-9a-f-]{36}\r\n/);
      expect(head).toMatch(/\r\nMS-CorrelationId: [0-9a-f-]{36}\r\n/);
      expect(JSON.parse(body)).toMatchObject({ code: 800002 });
    }
  });

  it('serves the spec as JSON and YAML', async () => {
    const asJson = await call({ path: '/openapi.json' });
    expect(asJson.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(asJson.text)).toEqual(spec);
    const asYaml = await call({ path: '/openapi.yaml' });
    expect(asYaml.headers['content-type']).toMatch(/^application\/yaml/);
    expect(asYaml.text).toBe(readFileSync(specPaths.yaml, 'utf8'));
  });

  it('serves the docs under /docs/ with their content types', async () => {
    const redirect = await call({ path: '/docs' });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/docs/');
    const page = await call({ path: '/docs/' });
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toBe(readFileSync(`${specPaths.docs}/index.html`, 'utf8'));
    const script = await call({ path: '/docs/redoc.standalone.js' });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const head = await call({ method: 'HEAD', path: '/docs/' });
    expect([head.status, head.text]).toEqual([200, '']);
  });

  it('never serves a file outside the docs folder', async () => {
    const paths = [
      '/docs/../package.json',
      '/docs/..%2f..%2fpackage.json',
      '/docs/%2e%2e/package.json',
      '/docs//etc/passwd',
      '/docs/..\\package.json',
      '/openapi.json/../package.json',
    ];
    for (const path of paths) {
      const response = await call({ path });
      expect(response.status, path).toBe(404);
    }
  });

  it('answers /healthz and /readyz', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const response = await call({ path });
      expect([response.status, json(response)]).toEqual([200, { status: 'ok' }]);
      expect((await call({ method: 'POST', path })).headers.allow).toBe('GET, HEAD');
    }
  });
});

describe('access log', () => {
  it('writes one JSON line per request with ids, partner and route, and never the token', async () => {
    const customer = freshCustomer();
    const requestId = randomUUID();
    const correlationId = randomUUID();
    await get(customer, tokenA, { 'MS-RequestId': requestId, 'MS-CorrelationId': correlationId });
    const line = await accessLine(requestId);
    expect(line).toMatchObject({
      kind: 'access',
      requestId,
      correlationId,
      partnerId: partnerA.id,
      method: 'GET',
      route: '/v1/customers/{customerTenantId}/usagebudget',
      path: budgetPath(customer),
      status: 200,
    });
    expect(typeof line.durationMs).toBe('number');
    expect(server.current.output()).not.toContain(tokenA);
    expect(server.current.output()).not.toContain(tokenB);
  });
});
