// How the customer list's documented responses are provoked on each target: paging, the filter,
// and the bad input the spec answers with a 400 naming the parameter at fault.
import { randomUUID } from 'node:crypto';
import type { Customer } from '@usagebudget/client';
import { Configuration, CustomersApi } from '@usagebudget/client/raw';
import { expect } from 'vitest';
import type { DocumentedResponse } from './documented-responses.js';
import { createRecordingAxios, type Exchange } from './exchange-recorder.js';
import { expectClientData, onePage } from './operation-calls.js';
import { expectDeclaredHeaders, expectDocumentedBody, expectFault, expectSuccess } from './outcomes.js';
import type { Scenario, ScenarioContext, Strategy } from './scenario-context.js';
import { collect, LIST, missing, sameId } from './scenario-helpers.js';

/** A request the spec refuses with `400`, the code it is refused with, and the parameter that code names. */
interface BadListRequest {
  readonly title: string;
  readonly size?: number;
  readonly filter?: string;
  readonly seekOperation?: string;
  /** `genuine`: a token of the partner's own, from its first page. */
  readonly continuationToken?: string | 'genuine';
  readonly code: string;
  readonly parameter: string;
}

/** Bad input each parameter's schema forbids: Prism refuses it too (the mock, and the proxy before the server). */
const refusedBySchema: readonly BadListRequest[] = [
  { title: 'size 0', size: 0, code: 'InvalidPageSize', parameter: 'size' },
  { title: 'size 501', size: 501, code: 'InvalidPageSize', parameter: 'size' },
  {
    title: "seekOperation 'Previous'",
    seekOperation: 'Previous',
    code: 'InvalidSeekOperation',
    parameter: 'seekOperation',
  },
];

/**
 * Bad input that only the service itself can tell: valid parameters in a combination the spec
 * forbids, and filters that break the rule the spec states in words (no `pattern` says it, so
 * that generated clients work: the spec's "Generated clients" correction).
 */
const refusedByTheService: readonly BadListRequest[] = [
  {
    title: 'a filter on a field that does not exist',
    filter: '{"Field":"Name","Value":"Cont","Operator":"starts_with"}',
    code: 'InvalidFilter',
    parameter: 'filter',
  },
  {
    title: 'a filter that is not JSON',
    filter: "CompanyName eq 'Contoso'",
    code: 'InvalidFilter',
    parameter: 'filter',
  },
  {
    title: 'a filter that gives Field twice',
    filter: '{"Field":"CompanyName","Field":"Domain","Value":"Cont","Operator":"starts_with"}',
    code: 'InvalidFilter',
    parameter: 'filter',
  },
  {
    title: 'a continuation token without seekOperation=Next',
    continuationToken: 'genuine',
    code: 'InvalidSeekOperation',
    parameter: 'seekOperation',
  },
  {
    title: 'seekOperation=Next without a continuation token',
    seekOperation: 'Next',
    code: 'InvalidContinuationToken',
    parameter: 'MS-ContinuationToken',
  },
  {
    title: 'a size sent with a continuation token',
    seekOperation: 'Next',
    continuationToken: 'genuine',
    size: 5,
    code: 'InvalidPageSize',
    parameter: 'size',
  },
];

/** A token of the partner's own: that of its first page of one customer. */
async function genuineToken(context: ScenarioContext, token?: string): Promise<string> {
  const lister = context.client(token ? { token } : {});
  const { data } = await onePage(lister.client.listCustomers({ size: 1 })).withResponse();
  return data.continuationToken ?? missing('second page (the partner needs two customers or more)');
}

/**
 * Sends `request` as it is, with the generated API of `@usagebudget/client/raw` (the facade refuses
 * to send it), and returns the exchange. It is recorded apart from the scenario's clients: Prism's
 * report of the bad request is what some scenarios expect.
 */
async function sendAsIs(
  context: ScenarioContext,
  baseURL: string,
  request: BadListRequest,
  prefer?: string,
): Promise<Exchange> {
  const recording = createRecordingAxios(prefer);
  const api = new CustomersApi(new Configuration({ accessToken: context.target.token }), baseURL, recording.axios);
  const continuationToken =
    request.continuationToken === 'genuine' ? await genuineToken(context) : request.continuationToken;
  await api.listCustomers(
    {
      size: request.size,
      filter: request.filter,
      seekOperation: request.seekOperation as 'Next' | undefined,
      mSContinuationToken: continuationToken,
      mSRequestId: randomUUID(),
      mSCorrelationId: randomUUID(),
    },
    { validateStatus: () => true, responseType: 'text', transformResponse: (body: unknown) => body },
  );
  const [exchange] = recording.exchanges;
  if (!exchange) throw new Error(`${request.title}: no exchange recorded`);
  return exchange;
}

/** The service's 400: a documented ApiFault whose code and data name the parameter at fault. */
function expectRefusal(
  context: ScenarioContext,
  documented: DocumentedResponse,
  exchange: Exchange,
  request: BadListRequest,
) {
  expect(exchange.status, `${request.title}: ${exchange.body}`).toBe(400);
  const body = JSON.parse(exchange.body) as { code: unknown; data?: unknown[] };
  expectDocumentedBody(context, documented, body);
  expect(body.code, 'the code names the problem').toBe(request.code);
  expect(body.data, 'data names the parameter at fault').toContain(request.parameter);
  expectDeclaredHeaders(documented, exchange);
}

/** The mock's example for `request`: the documented one with its code that names its parameter. */
function exampleNaming(documented: DocumentedResponse, request: BadListRequest): string {
  const found = Object.entries(documented.examples).find(([, example]) => {
    const { code, data } = example as { code?: unknown; data?: unknown[] };
    return code === request.code && data?.includes(request.parameter);
  });
  if (!found) throw new Error(`the spec has no 400 example with code ${request.code} naming ${request.parameter}`);
  return found[0];
}

const refusedByPrism = (request: BadListRequest): Strategy => ({
  status: 400,
  operationId: LIST,
  title: `GET 400 the mock refuses ${request.title}: Prism names the parameter, the example names it too`,
  needs: ['prefer'],
  run: async (context, documented) => {
    const example = exampleNaming(documented, request);
    const exchange = await sendAsIs(context, context.target.baseURL, request, `code=400, example=${example}`);
    expect(exchange.status).toBe(400);
    const violations = JSON.parse(exchange.responseHeaders['sl-violations'] ?? '[]') as { location: string[] }[];
    expect(
      violations.map(({ location }) => location.join('.')),
      'Prism validated the request against the parameter schema',
    ).toContain(`request.query.${request.parameter.toLowerCase()}`);
    expect(JSON.parse(exchange.body)).toEqual(documented.examples[example]);
  },
});

const refusedDirectly = (request: BadListRequest): Strategy => ({
  status: 400,
  operationId: LIST,
  title: `GET 400 the service refuses ${request.title} (sent past Prism, which would stop it first)`,
  needs: ['direct'],
  run: async (context, documented) => {
    const exchange = await sendAsIs(context, context.target.directURL ?? missing('directURL'), request);
    expectRefusal(context, documented, exchange, request);
  },
});

const refusedThroughPrism = (request: BadListRequest): Strategy => ({
  status: 400,
  operationId: LIST,
  title: `GET 400 the service refuses ${request.title}`,
  needs: ['identity'],
  run: async (context, documented) => {
    const exchange = await sendAsIs(context, context.target.baseURL, request);
    expect(exchange.responseHeaders['sl-violations'], 'Prism finds nothing wrong with each parameter').toBeUndefined();
    expectRefusal(context, documented, exchange, request);
  },
});

/** A continuation token the service did not issue to this partner: the client's 400, code `InvalidContinuationToken`. */
function refusedToken(
  title: string,
  needs: Scenario['needs'],
  token: (context: ScenarioContext) => Promise<string>,
): Strategy {
  return {
    status: 400,
    operationId: LIST,
    title,
    needs,
    run: async (context, documented) => {
      const continuationToken = await token(context);
      const lister = context.client();
      const correlationId = randomUUID();
      const call = onePage(lister.client.listCustomers({}, { correlationId }), continuationToken);
      const error = await expectFault(context, lister, call, documented, { correlationId });
      expect(error.code).toBe('InvalidContinuationToken');
    },
  };
}

const companyName = (customer: Customer) => customer.companyProfile.companyName;

export const customerListStrategies: readonly Strategy[] = [
  {
    status: 200,
    operationId: LIST,
    title: 'GET 200 reads the first page of customers',
    needs: [],
    run: async (context, documented) => {
      const lister = context.client();
      const correlationId = randomUUID();
      const call = onePage(lister.client.listCustomers({ size: 10 }, { correlationId }));
      await expectSuccess(context, lister, call, documented, { correlationId });
    },
  },
  {
    status: 200,
    operationId: LIST,
    title:
      'GET 200 lists every customer once over pages of 5, a request id a page, one correlation id; again from a token',
    needs: ['paging'],
    run: async (context, documented) => {
      const known = context.target.customers ?? missing('customers');
      const size = 5;
      const lister = context.client();
      const correlationId = randomUUID();
      const pages = await collect(lister.client.listCustomers({ size }, { correlationId }).byPage());
      const exchanges = [...lister.exchanges];
      expect(exchanges, 'one exchange a page').toHaveLength(pages.length);
      expect(pages.length, `${known.length} customers, ${size} a page`).toBeGreaterThanOrEqual(
        Math.ceil(known.length / size),
      );
      pages.forEach((page, index) => {
        const exchange = exchanges[index] as Exchange;
        const last = index === pages.length - 1;
        expectDocumentedBody(context, documented, JSON.parse(exchange.body));
        expectDeclaredHeaders(documented, exchange);
        expectClientData(
          context.document,
          LIST,
          { items: page.items, continuationToken: page.continuationToken },
          exchange.body,
        );
        expect(page.items.length, `page ${index + 1}`).toBeLessThanOrEqual(size);
        if (!last) expect(page.items, `page ${index + 1} is full`).toHaveLength(size);
        expect(page.continuationToken === undefined, `page ${index + 1} has a token unless it is the last`).toBe(last);
        expect(page.response.requestId).toBe(exchange.responseHeaders['ms-requestid']);
      });
      const requestIds = exchanges.map(({ requestHeaders }) => requestHeaders['ms-requestid']);
      expect(new Set(requestIds).size, 'a new MS-RequestId a page').toBe(pages.length);
      expect(new Set(exchanges.map(({ requestHeaders }) => requestHeaders['ms-correlationid']))).toEqual(
        new Set([correlationId]),
      );
      if (context.target.capabilities.has('echo')) {
        expect(exchanges.map(({ responseHeaders }) => responseHeaders['ms-requestid'])).toEqual(requestIds);
      }
      const listed = pages.flatMap(({ items }) => items.map(({ id }) => sameId(id)));
      expect(new Set(listed).size, 'no customer twice').toBe(listed.length);
      expect(listed, 'every customer of the partner').toEqual(expect.arrayContaining(known.map(sameId)));
      // A token can be sent again, and continues from the same place: the rest of the walk.
      const resumed = await collect(
        lister.client.listCustomers().byPage({ continuationToken: pages[0]?.continuationToken }),
      );
      expect(resumed.flatMap(({ items }) => items.map(({ id }) => sameId(id)))).toEqual(listed.slice(size));
    },
  },
  {
    status: 200,
    operationId: LIST,
    title: 'GET 200 lists exactly the customers whose company name starts with the filter value, in any case',
    needs: ['usage'],
    run: async (context) => {
      const lister = context.client({ token: context.target.usage?.token ?? missing('usage') });
      const everyone = await collect(lister.client.listCustomers());
      const wanted = companyName(everyone[0] ?? missing('customer')).slice(0, 4);
      const matching = (customers: Customer[]) =>
        customers.filter((customer) => companyName(customer).toLowerCase().startsWith(wanted.toLowerCase()));
      const filter = { Field: 'CompanyName', Value: wanted.toUpperCase(), Operator: 'starts_with' } as const;
      const filtered = await collect(lister.client.listCustomers({ filter }));
      expect(filtered.length).toBeGreaterThan(0);
      expect(filtered.map(({ id }) => id)).toEqual(matching(filtered).map(({ id }) => id));
      expect(new Set(filtered.map(({ id }) => id))).toEqual(new Set(matching(everyone).map(({ id }) => id)));
    },
  },
  ...refusedBySchema.flatMap((request) => [refusedByPrism(request), refusedDirectly(request)]),
  ...refusedByTheService.map(refusedThroughPrism),
  refusedToken(
    'GET 400 a continuation token the service never issued',
    ['identity'],
    async () =>
      // The spec's header pattern allows it: only the service can tell it is forged.
      'v1.forged.Zm9yZ2Vk/+=,token',
  ),
  // A partner of the scenario's own: on live, the usage partner is the target's own partner.
  refusedToken("GET 400 another partner's continuation token", ['identity', 'ownPartner'], (context) =>
    genuineToken(context, context.target.ownPartner?.() ?? missing('ownPartner')),
  ),
  {
    status: 403,
    operationId: LIST,
    unreachable: 'no target has a user whose role may not list customers (the reference server has no roles)',
  },
];
