// The customer list through the facade, against a real HTTP server: paging by links.next, the
// checks before sending with the spec's limits, abort between and during pages.
import { spec } from '@usagebudget/openapi';
import { CUSTOMER_FILTER, PAGE_SIZE } from '@usagebudget/openapi/limits';
import type { OpenAPIV3 } from 'openapi-types';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ApiFault as GeneratedApiFault } from '../src/generated/models/index.js';
import {
  AbortError,
  type ApiFault,
  BadRequestError,
  type Customer,
  type UsageBudgetClientOptions,
  ValidationError,
} from '../src/index.js';
import { clientOf, collect, failure } from './support/client-of.js';
import {
  OTHER_TENANT as OTHER,
  type RecordedRequest,
  TENANT,
  THIRD_TENANT as THIRD,
  CONTINUATION_TOKEN as TOKEN,
  useFaultServer,
} from './support/fault-server.js';

// The limits the client checks, as the spec package states them (its drift task and tests check them against the spec).
const PAGE_SIZE_MAX = PAGE_SIZE.maximum;
const FILTER_FIELDS = CUSTOMER_FILTER.Field.enum;
const FILTER_VALUE_MAX_LENGTH = CUSTOMER_FILTER.Value.maxLength;

const FILTER = { Field: 'CompanyName', Value: 'Cont', Operator: 'starts_with' } as const;

const server = useFaultServer();

const client = (options: Partial<UsageBudgetClientOptions> = {}) => clientOf(server, options);

function customer(id: string, companyName: string) {
  return {
    id,
    companyProfile: { tenantId: id, domain: 'example.onmicrosoft.com', companyName, attributes: {} },
    relationshipToPartner: 'reseller',
    attributes: { objectType: 'Customer' },
  };
}

/** A CustomerCollection page; `next` is the URI of its links.next and `token` its MS-ContinuationToken. */
function page(items: ReturnType<typeof customer>[], next?: { uri: string; token: string }) {
  return {
    totalCount: items.length,
    items,
    links: {
      self: { uri: '/v1/customers', method: 'GET', headers: [] },
      ...(next && {
        next: { uri: next.uri, method: 'GET', headers: [{ key: 'MS-ContinuationToken', value: next.token }] },
      }),
    },
    ...(next && { continuationToken: next.token }),
    attributes: { objectType: 'Collection' },
  };
}

const query = (request: RecordedRequest | undefined) => new URL(request?.url ?? '', 'http://x').searchParams;

describe('listCustomers', () => {
  it('lists every customer, following links.next with its headers, a request id per page and one correlation id', async () => {
    server.enqueue(
      {
        status: 200,
        json: page([customer(TENANT, 'Contoso'), customer(OTHER, 'Fabrikam')], {
          uri: '/v1/customers?seekOperation=Next',
          token: 'first-token',
        }),
      },
      // Partner Center writes some links without /v1: the client adds it.
      {
        status: 200,
        json: page([customer(THIRD, 'Northwind')], { uri: '/customers?seekOperation=Next', token: TOKEN }),
      },
      { status: 200, json: page([]) },
    );
    const customers = await collect(client().listCustomers({ size: 2, filter: FILTER }));
    expect(customers.map((found: Customer) => found.id)).toEqual([TENANT, OTHER, THIRD]);
    const [first, second, third] = server.requests;
    expect(first?.url.split('?')[0]).toBe('/v1/customers');
    expect(Object.fromEntries(query(first))).toEqual({ size: '2', filter: JSON.stringify(FILTER) });
    expect(first?.headers).not.toHaveProperty('ms-continuationtoken');
    expect([second?.url, third?.url]).toEqual(['/v1/customers?seekOperation=Next', '/v1/customers?seekOperation=Next']);
    // Byte for byte: no URL encoding of / + = ,
    expect([second?.headers['ms-continuationtoken'], third?.headers['ms-continuationtoken']]).toEqual([
      'first-token',
      TOKEN,
    ]);
    for (const request of server.requests) {
      expect(request.method).toBe('GET');
      expect(request.headers.authorization).toBe('Bearer test-token');
      expect(request.headers['x-locale']).toBe('en-US');
    }
    const requestIds = new Set(server.requests.map((request) => request.headers['ms-requestid']));
    expect(requestIds.size).toBe(3);
    expect(new Set(server.requests.map((request) => request.headers['ms-correlationid'])).size).toBe(1);
  });

  it('gives the pages with their continuation tokens and response metadata, and starts again from a token', async () => {
    const correlationId = '7cb67bb7-4750-403d-8c2e-6bc44c52d52c';
    server.enqueue(
      {
        status: 200,
        json: page([customer(TENANT, 'Contoso')], { uri: '/v1/customers?seekOperation=Next', token: TOKEN }),
      },
      { status: 200, json: page([customer(OTHER, 'Fabrikam')]), headers: { 'MS-RequestId': 'echoed' } },
    );
    const pages = await collect(client().listCustomers({}, { correlationId }).byPage());
    expect(pages.map(({ items, continuationToken }) => [items.length, continuationToken])).toEqual([
      [1, TOKEN],
      [1, undefined],
    ]);
    expect(pages[0]?.response.requestId).toBe(server.requests[0]?.headers['ms-requestid']);
    expect(pages[1]?.response).toMatchObject({ status: 200, requestId: 'echoed', correlationId, attempts: 1 });
    expect(server.requests[0]?.url).toBe('/v1/customers');

    await server.reset();
    server.enqueue({ status: 200, json: page([customer(OTHER, 'Fabrikam')]) });
    const resumed = await collect(client().listCustomers({ size: 7 }).byPage({ continuationToken: TOKEN }));
    expect(resumed.map(({ items }) => items.map(({ id }) => id))).toEqual([[OTHER]]);
    // The token carries the query: a continued request sends neither size nor filter.
    expect(server.requests[0]?.url).toBe('/v1/customers?seekOperation=Next');
    expect(server.requests[0]?.headers['ms-continuationtoken']).toBe(TOKEN);
  });

  it('reads the token of links.next when the page itself carries none', async () => {
    const first = page([customer(TENANT, 'Contoso')], { uri: '/v1/customers?seekOperation=Next', token: TOKEN });
    const { continuationToken: _, ...withoutToken } = first;
    server.enqueue({ status: 200, json: withoutToken }, { status: 200, json: page([]) });
    const pages = await collect(client().listCustomers().byPage());
    expect(pages[0]?.continuationToken).toBe(TOKEN);
    expect(server.requests[1]?.headers['ms-continuationtoken']).toBe(TOKEN);
  });

  it('resolves links against a base URL with a path, and lists anew on each iteration', async () => {
    const json = page([customer(TENANT, 'Contoso')], { uri: '/v1/customers?seekOperation=Next', token: TOKEN });
    server.enqueue(
      { status: 200, json },
      { status: 200, json: page([]) },
      { status: 200, json },
      { status: 200, json: page([]) },
    );
    const list = client({ baseURL: `${server.url}/gateway/` }).listCustomers();
    expect(await collect(list)).toHaveLength(1);
    expect(await collect(list)).toHaveLength(1);
    expect(server.requests.map((request) => request.url)).toEqual([
      '/gateway/v1/customers',
      '/gateway/v1/customers?seekOperation=Next',
      '/gateway/v1/customers',
      '/gateway/v1/customers?seekOperation=Next',
    ]);
  });

  it('retries a page with its own request id, and maps a fault of a later page to its error', async () => {
    const json = page([customer(TENANT, 'Contoso')], { uri: '/v1/customers?seekOperation=Next', token: TOKEN });
    const fault = {
      code: 'InvalidContinuationToken',
      description: 'The MS-ContinuationToken is not a valid continuation token for this partner.',
      data: ['MS-ContinuationToken'],
    };
    server.enqueue(
      { status: 200, json },
      { status: 503, json: { code: 'ServiceUnavailable', description: 'busy' } },
      { status: 400, json: fault },
    );
    const error = await failure(collect(client().listCustomers()));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'InvalidContinuationToken', data: ['MS-ContinuationToken'] });
    const [first, retried, again] = server.requests.map((request) => request.headers['ms-requestid']);
    expect(retried).toBe(again);
    expect(first).not.toBe(retried);
  });

  it('stops with an error when links.next leads back to the page it is on, instead of listing it forever', async () => {
    const json = page([customer(TENANT, 'Contoso')], { uri: '/v1/customers?seekOperation=Next', token: TOKEN });
    // What a mock that always answers the same example does: page 2 names page 2 again.
    server.enqueue({ status: 200, json }, { status: 200, json }, { status: 200, json });
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const found of client().listCustomers()) seen.push(found.id);
      })(),
    );
    expect(error).toMatchObject({ name: 'PagingError', code: 'PageRepeated' });
    expect(error.message).toBe('links.next of page 2 leads back to page 2: the listing would never end');
    expect(seen).toEqual([TENANT]);
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a link to another host: the token goes to the base URL only', async () => {
    server.enqueue({
      status: 200,
      json: page([customer(TENANT, 'Contoso')], { uri: 'https://elsewhere.example/v1/customers', token: TOKEN }),
    });
    const error = await failure(collect(client().listCustomers()));
    expect(error).toMatchObject({ name: 'PagingError', code: 'LinkRefused' });
    expect(server.requests).toHaveLength(1);
  });

  it('stops between pages when the signal aborts, sending nothing more', async () => {
    const controller = new AbortController();
    server.enqueue({
      status: 200,
      json: page([customer(TENANT, 'Contoso')], { uri: '/v1/customers?seekOperation=Next', token: TOKEN }),
    });
    const seen: string[] = [];
    const walk = (async () => {
      for await (const found of client().listCustomers({}, { signal: controller.signal })) {
        seen.push(found.id);
        controller.abort();
      }
    })();
    expect(await failure(walk)).toBeInstanceOf(AbortError);
    expect(seen).toEqual([TENANT]);
    expect(server.requests).toHaveLength(1);
  });

  it('stops a page in flight when the signal aborts', async () => {
    const controller = new AbortController();
    server.enqueue(
      {
        status: 200,
        json: page([customer(TENANT, 'Contoso')], { uri: '/v1/customers?seekOperation=Next', token: TOKEN }),
      },
      { hang: true },
    );
    const walk = collect(client().listCustomers({}, { signal: controller.signal }));
    while (server.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect(await failure(walk)).toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    ['size 0', { size: 0 }, 'size'],
    ['size 501', { size: PAGE_SIZE_MAX + 1 }, 'size'],
    ['a fractional size', { size: 2.5 }, 'size'],
    ['a size given as a string', { size: '10' as unknown as number }, 'size'],
    ['an unknown field', { filter: { ...FILTER, Field: 'Name' as 'Domain' } }, 'filter'],
    ['another operator', { filter: { ...FILTER, Operator: 'contains' as 'starts_with' } }, 'filter'],
    ['an empty value', { filter: { ...FILTER, Value: '' } }, 'filter'],
    ['a value too long', { filter: { ...FILTER, Value: 'x'.repeat(FILTER_VALUE_MAX_LENGTH + 1) } }, 'filter'],
    ['a member more', { filter: { ...FILTER, field: 'Domain' } }, 'filter'],
    ['lower-case member names', { filter: { field: 'Domain', value: 'x', operator: 'starts_with' } }, 'filter'],
    ['a filter that is a string', { filter: JSON.stringify(FILTER) }, 'filter'],
  ])('refuses %s before sending anything', async (_, wanted, field) => {
    const error = await failure(collect(client().listCustomers(wanted as never)));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['an empty token', ''],
    ['a token with a space', 'abc def'],
    ['a token with a line break', 'abc\r\nX-Injected: 1'],
    ['a token too long', 'x'.repeat(2049)],
  ])('refuses %s to start from, before sending anything', async (_, continuationToken) => {
    const error = await failure(collect(client().listCustomers().byPage({ continuationToken })));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('continuationToken');
    expect(error.message).not.toContain(continuationToken || '\u0000');
    expect(server.requests).toHaveLength(0);
  });

  it('accepts the longest filter value and token the spec allows', async () => {
    server.enqueue({ status: 200, json: page([]) }, { status: 200, json: page([]) });
    const value = 'é'.repeat(FILTER_VALUE_MAX_LENGTH);
    await collect(client().listCustomers({ size: PAGE_SIZE_MAX, filter: { ...FILTER, Value: value } }));
    await collect(
      client()
        .listCustomers()
        .byPage({ continuationToken: '~'.repeat(2048) }),
    );
    expect(JSON.parse(query(server.requests[0]).get('filter') ?? '')).toEqual({ ...FILTER, Value: value });
    expect(server.requests[1]?.headers['ms-continuationtoken']).toHaveLength(2048);
  });
});

describe("the limits the client checks are the spec's", () => {
  const parameter = (name: string) =>
    spec.components?.parameters?.[name] as OpenAPIV3.ParameterObject & { schema: OpenAPIV3.SchemaObject };
  const schema = (name: string) => spec.components?.schemas?.[name] as OpenAPIV3.SchemaObject;

  it('page size, filter and continuation token', () => {
    expect(parameter('PageSize').schema).toMatchObject({ minimum: 1, maximum: PAGE_SIZE_MAX });
    const filter = schema('CustomerFilter').properties as Record<string, OpenAPIV3.SchemaObject>;
    expect(filter.Field?.enum).toEqual(FILTER_FIELDS);
    expect(filter.Operator?.enum).toEqual(['starts_with']);
    expect(filter.Value).toMatchObject({ minLength: 1, maxLength: FILTER_VALUE_MAX_LENGTH });
    expect(parameter('ContinuationToken').schema).toMatchObject({ minLength: 1, maxLength: 2048, pattern: '^[!-~]+$' });
  });

  it("types ApiFault's code as the spec's union, which the spec keeps in x-oneOf for code generators", () => {
    expect(schema('ApiFault').properties?.code).toMatchObject({
      'x-oneOf': [{ type: 'integer' }, { type: 'string' }],
    });
    // The facade's ApiFault is the generated one, member for member, but for the code's type.
    type Members<T> = { [Key in keyof T]: T[Key] };
    expectTypeOf<ApiFault>().toEqualTypeOf<Members<Omit<GeneratedApiFault, 'code'> & { code: number | string }>>();
  });
});
