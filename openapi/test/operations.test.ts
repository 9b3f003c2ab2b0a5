import { spec } from '@usagebudget/openapi';
import {
  findOperation,
  mockPreference,
  pathParameterNames,
  pathTemplateMatcher,
  resolvePointer,
  responseExamples,
  responseForStatus,
  responseHeaderExamples,
  specOperations,
} from '@usagebudget/openapi/operations';
import type { OpenAPIV3 } from 'openapi-types';
import { describe, expect, it } from 'vitest';

const PATH = '/v1/customers/{customerTenantId}/usagebudget';
const POINTER = '#/paths/~1v1~1customers~1{customerTenantId}~1usagebudget';

describe('specOperations', () => {
  const operations = specOperations(spec);
  const [get, patch] = operations;

  it('lists every operation with its pointer and operationId', () => {
    expect(operations.map(({ method, path, operationId, pointer }) => [method, path, operationId, pointer])).toEqual([
      ['get', PATH, 'getUsageBudget', `${POINTER}/get`],
      ['patch', PATH, 'updateUsageBudget', `${POINTER}/patch`],
      ['get', '/v1/customers', 'listCustomers', '#/paths/~1v1~1customers/get'],
      ['get', '/v1/customers/usagerecords', 'listCustomerUsageRecords', '#/paths/~1v1~1customers~1usagerecords/get'],
      [
        'get',
        '/v1/customers/{customerTenantId}/usagesummary',
        'getCustomerUsageSummary',
        '#/paths/~1v1~1customers~1{customerTenantId}~1usagesummary/get',
      ],
      ['get', '/v1/usagesummary', 'getPartnerUsageSummary', '#/paths/~1v1~1usagesummary/get'],
      [
        'get',
        '/webhooks/v1/registration/events',
        'listWebhookEvents',
        '#/paths/~1webhooks~1v1~1registration~1events/get',
      ],
      ['get', '/webhooks/v1/registration', 'getWebhookRegistration', '#/paths/~1webhooks~1v1~1registration/get'],
      ['put', '/webhooks/v1/registration', 'updateWebhookRegistration', '#/paths/~1webhooks~1v1~1registration/put'],
      ['post', '/webhooks/v1/registration', 'createWebhookRegistration', '#/paths/~1webhooks~1v1~1registration/post'],
      [
        'post',
        '/webhooks/v1/registration/validationEvents',
        'createWebhookValidationEvent',
        '#/paths/~1webhooks~1v1~1registration~1validationEvents/post',
      ],
      [
        'get',
        '/webhooks/v1/registration/validationEvents/{correlationId}',
        'getWebhookValidationEvent',
        '#/paths/~1webhooks~1v1~1registration~1validationEvents~1{correlationId}/get',
      ],
    ]);
  });

  it("gives each operation the path item's parameters, resolved, with the pointer of each", () => {
    const declared = spec.paths[PATH]?.parameters as OpenAPIV3.ReferenceObject[];
    for (const operation of [get, patch]) {
      expect(operation?.parameters.map(({ pointer }) => pointer)).toEqual(declared.map(({ $ref }) => $ref));
      expect(operation?.parameters.map(({ value }) => value.in)).toEqual([
        'path',
        ...declared.slice(1).map(() => 'header'),
      ]);
    }
    expect(get?.parameters[0]?.value).toMatchObject({ name: 'customerTenantId', required: true });
  });

  it('resolves the request body and every response, keeping their pointers', () => {
    expect(get?.requestBody).toBeUndefined();
    expect(patch?.requestBody?.pointer).toBe(`${POINTER}/patch/requestBody`);
    expect(patch?.requestBody?.value.required).toBe(true);
    const tooMany = patch?.responses.find(({ status }) => status === '429');
    expect(tooMany?.pointer).toBe('#/components/responses/TooManyRequests');
    expect(tooMany?.value.headers).toHaveProperty('Retry-After');
    expect(get?.responses.map(({ status }) => status)).toEqual(Object.keys(get?.operation.responses ?? {}));
  });

  it("lets an operation's own parameter replace the path item's one of the same name and location", () => {
    const document = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/x/{id}': {
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'q', in: 'header', schema: { type: 'string' } },
          ],
          put: {
            operationId: 'putX',
            parameters: [
              { name: 'q', in: 'header', schema: { type: 'integer' } },
              { $ref: '#/components/parameters/Q' },
            ],
            responses: {},
          },
        },
      },
      components: { parameters: { Q: { name: 'q', in: 'query', schema: { type: 'string' } } } },
    } as OpenAPIV3.Document;
    const [put] = specOperations(document);
    expect(put?.parameters.map(({ value, pointer }) => [value.in, value.name, pointer])).toEqual([
      ['path', 'id', '#/paths/~1x~1{id}/parameters/0'],
      ['header', 'q', '#/paths/~1x~1{id}/put/parameters/0'],
      ['query', 'q', '#/components/parameters/Q'],
    ]);
  });

  it('throws on an operation without an operationId', () => {
    const document = structuredClone(spec);
    const get = document.paths[PATH]?.get as OpenAPIV3.OperationObject;
    delete get.operationId;
    expect(() => specOperations(document)).toThrow(`GET ${PATH} has no operationId`);
  });
});

describe('path templates', () => {
  it('name their placeholders and match one segment each, literally elsewhere', () => {
    expect(pathParameterNames('/a/{b}/c/{d.e}')).toEqual(['b', 'd.e']);
    const match = pathTemplateMatcher(PATH);
    expect(match('/v1/customers/abc/usagebudget')).toEqual(['abc']);
    expect(match('/v1/customers/a/b/usagebudget')).toBeUndefined();
    expect(match('/v1/customers//usagebudget')).toBeUndefined();
    expect(match('/v1/Customers/abc/usagebudget')).toBeUndefined();
    expect(pathTemplateMatcher('/a.b/{x}')('/aXb/1')).toBeUndefined();
  });

  it('find the operation of a method and a concrete path', () => {
    const operations = specOperations(spec);
    expect(findOperation(operations, 'PATCH', '/v1/customers/abc/usagebudget')).toMatchObject({
      operation: { operationId: 'updateUsageBudget' },
      pathValues: ['abc'],
    });
    expect(findOperation(operations, 'GET', '/v1/customers/usagerecords')).toMatchObject({
      operation: { operationId: 'listCustomerUsageRecords' },
      pathValues: [],
    });
    expect(findOperation(operations, 'DELETE', '/v1/customers/abc/usagebudget')).toBeUndefined();
    expect(findOperation(operations, 'GET', '/healthz')).toBeUndefined();
  });
});

describe('resolvePointer', () => {
  it('follows the references from the node at a pointer, and says where they end', () => {
    expect(resolvePointer(spec, `${POINTER}/get/responses/404`).pointer).toBe('#/components/responses/NotFound');
    expect(resolvePointer(spec, '#/components/schemas/ApiFault')).toMatchObject({
      pointer: '#/components/schemas/ApiFault',
      value: { required: ['code', 'description'] },
    });
  });
});

describe('documented responses and their examples', () => {
  const operations = specOperations(spec);

  it('find the response of each documented status, and none for a status nobody documents', () => {
    for (const operation of operations) {
      for (const response of operation.responses) {
        expect(responseForStatus(operation, Number(response.status))).toBe(response);
      }
      expect(responseForStatus(operation, 418)).toBeUndefined();
    }
  });

  it('fall back on the status range, then on default', () => {
    const document = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/x': {
          get: {
            operationId: 'getX',
            responses: {
              '404': { description: 'exact' },
              '4XX': { description: 'range' },
              default: { description: 'default', content: { 'text/plain': { example: 'oops' } } },
            },
          },
        },
      },
    } as OpenAPIV3.Document;
    const [get] = specOperations(document) as [ReturnType<typeof specOperations>[number]];
    expect(responseForStatus(get, 404)?.value.description).toBe('exact');
    expect(responseForStatus(get, 429)?.value.description).toBe('range');
    const fallback = responseForStatus(get, 503);
    expect(fallback?.status).toBe('default');
    // A lone example of the only media type is named `example`.
    expect(responseExamples(document, fallback as NonNullable<typeof fallback>)).toEqual([
      { name: 'example', value: 'oops' },
    ]);
    expect(responseExamples(document, responseForStatus(get, 404) as NonNullable<typeof fallback>)).toEqual([]);
  });

  it('list the named examples of a body in the order of the spec, references followed', () => {
    for (const operation of operations) {
      for (const response of operation.responses) {
        const content = response.value.content?.['application/json'];
        const named = Object.entries(content?.examples ?? {});
        expect(responseExamples(spec, response)).toEqual(
          named.map(([name, example]) => ({
            name,
            value: ('$ref' in example ? resolvePointer<OpenAPIV3.ExampleObject>(spec, example.$ref).value : example)
              .value,
          })),
        );
      }
    }
  });

  it("give the example of each documented header, the header's own or its schema's", () => {
    const [get] = operations;
    const throttled = responseForStatus(get as NonNullable<typeof get>, 429);
    const headers = responseHeaderExamples(spec, throttled as NonNullable<typeof throttled>);
    expect(Object.keys(headers)).toEqual(Object.keys(throttled?.value.headers ?? {}));
    expect(headers['Retry-After']).toMatch(/^\d+$/);
    expect(headers['MS-RequestId']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('mockPreference', () => {
  it('reads a Prefer header as Prism does', () => {
    expect(mockPreference(undefined)).toEqual({});
    expect(mockPreference('code=429')).toEqual({ status: 429 });
    expect(mockPreference('Code = 404 ; example="tenantNotFound"')).toEqual({ status: 404, example: 'tenantNotFound' });
    expect(mockPreference(['example=noBudget', 'respond-async'])).toEqual({ example: 'noBudget' });
    expect(mockPreference('code=abc')).toEqual({ invalid: 'Prefer: code=abc is not an HTTP status' });
    expect(mockPreference('code=600').invalid).toMatch(/not an HTTP status/);
  });
});
