// Checks the bundled spec against the API facts in shared/reference/usagebudget-api.md and
// against the source document's known errors, independently of the Spectral ruleset.
import { spec } from '@usagebudget/openapi';
import { specOperations } from '@usagebudget/openapi/operations';
import { resolveReference } from '@usagebudget/openapi/pointer';
import { createSpecValidator } from '@usagebudget/openapi/validator';
import type { OpenAPIV3 } from 'openapi-types';
import { describe, expect, it } from 'vitest';

/** The node a `$ref` (or chain of them) ends on. */
const deref = <T>(document: OpenAPIV3.Document, node: T | OpenAPIV3.ReferenceObject): T =>
  resolveReference(document, node).value;
const operations = specOperations(spec);

const validator = createSpecValidator(spec);
const PATH = '/v1/customers/{customerTenantId}/usagebudget';
const responsesOf = (operationId: string) => {
  const entry = operations.find((candidate) => candidate.operationId === operationId);
  if (!entry) throw new Error(`no operation ${operationId}`);
  return entry.operation.responses;
};

describe('operations', () => {
  it('declares the budget, the customer list, the three usage reads and the webhook registration, on lowercase paths, OpenAPI 3.0.3', () => {
    expect(spec.openapi).toBe('3.0.3');
    expect(operations.map(({ path, method, operationId }) => [path, method, operationId])).toEqual([
      [PATH, 'get', 'getUsageBudget'],
      [PATH, 'patch', 'updateUsageBudget'],
      ['/v1/customers', 'get', 'listCustomers'],
      ['/v1/customers/usagerecords', 'get', 'listCustomerUsageRecords'],
      ['/v1/customers/{customerTenantId}/usagesummary', 'get', 'getCustomerUsageSummary'],
      ['/v1/usagesummary', 'get', 'getPartnerUsageSummary'],
      ['/webhooks/v1/registration/events', 'get', 'listWebhookEvents'],
      ['/webhooks/v1/registration', 'get', 'getWebhookRegistration'],
      ['/webhooks/v1/registration', 'put', 'updateWebhookRegistration'],
      ['/webhooks/v1/registration', 'post', 'createWebhookRegistration'],
      ['/webhooks/v1/registration/validationEvents', 'post', 'createWebhookValidationEvent'],
      ['/webhooks/v1/registration/validationEvents/{correlationId}', 'get', 'getWebhookValidationEvent'],
    ]);
  });

  it('takes customerTenantId as a required GUID path parameter and no query parameters', () => {
    const parameters = (spec.paths[PATH]?.parameters ?? []).map((parameter) =>
      deref<OpenAPIV3.ParameterObject>(spec, parameter),
    );
    const tenant = parameters.find((parameter) => parameter.in === 'path');
    expect(tenant).toMatchObject({
      name: 'customerTenantId',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    });
    expect(parameters.filter((parameter) => parameter.in === 'query')).toEqual([]);
    expect(parameters.filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name)).toEqual([
      'MS-RequestId',
      'MS-CorrelationId',
      'X-Locale',
      'MS-Contract-Version',
      'MS-PartnerCenter-Application',
      'MS-PartnerCenter-Client',
    ]);
    expect(parameters.filter((parameter) => parameter.in === 'header').every((parameter) => !parameter.required)).toBe(
      true,
    );
  });

  it('gives GET no request body and PATCH a required SpendingBudget body', () => {
    const { get, patch } = spec.paths[PATH] ?? {};
    expect(get?.requestBody).toBeUndefined();
    const body = deref<OpenAPIV3.RequestBodyObject>(spec, patch?.requestBody ?? { $ref: '#/missing' });
    expect(body.required).toBe(true);
    expect(body.content['application/json']?.schema).toEqual({ $ref: '#/components/schemas/SpendingBudget' });
  });

  it('declares every documented status on every operation', () => {
    const readOneCustomer = ['200', '400', '401', '403', '404', '429', '500', '503'];
    expect(Object.keys(responsesOf('getUsageBudget'))).toEqual(readOneCustomer);
    expect(Object.keys(responsesOf('updateUsageBudget'))).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '409',
      '413',
      '415',
      '429',
      '500',
      '503',
    ]);
    const reads = ['200', '400', '401', '403', '429', '500', '503'];
    expect(Object.keys(responsesOf('listCustomers'))).toEqual(reads);
    expect(Object.keys(responsesOf('listCustomerUsageRecords'))).toEqual(reads);
    expect(Object.keys(responsesOf('getPartnerUsageSummary'))).toEqual(reads);
    expect(Object.keys(responsesOf('getCustomerUsageSummary'))).toEqual(readOneCustomer);
  });
});

describe('responses', () => {
  const all = operations.flatMap(({ operationId, responses }) =>
    responses.map(({ status, value }) => ({ id: `${operationId} ${status}`, status, response: value })),
  );

  it.each(all)('$id echoes MS-RequestId and MS-CorrelationId', ({ response }) => {
    expect(Object.keys(response.headers ?? {})).toEqual(expect.arrayContaining(['MS-RequestId', 'MS-CorrelationId']));
  });

  it.each(all.filter(({ status }) => /^[45]/.test(status)))('$id carries a fault body', ({ status, response }) => {
    const expected = status === '429' ? 'ThrottleFault' : 'ApiFault';
    expect(response.content?.['application/json']?.schema).toEqual({ $ref: `#/components/schemas/${expected}` });
  });

  it('sends WWW-Authenticate with 401 and Retry-After (seconds) with 429', () => {
    const unauthorized = deref<OpenAPIV3.ResponseObject>(spec, responsesOf('getUsageBudget')['401'] ?? { $ref: '' });
    const throttled = deref<OpenAPIV3.ResponseObject>(spec, responsesOf('getUsageBudget')['429'] ?? { $ref: '' });
    expect(unauthorized.headers).toHaveProperty('WWW-Authenticate');
    const retryAfter = deref<OpenAPIV3.HeaderObject>(spec, throttled.headers?.['Retry-After'] ?? { $ref: '' });
    expect(retryAfter.schema).toMatchObject({ type: 'integer', minimum: 0 });
  });
});

describe('examples', () => {
  // Every example in the document, with the schema it claims to satisfy.
  const examples = operations.flatMap(({ operationId, responses, requestBody }) => {
    const bodies = responses.map(({ status, value }) => ({
      where: `${operationId} ${status}`,
      content: value.content,
    }));
    if (requestBody) bodies.push({ where: `${operationId} request`, content: requestBody.value.content });
    return bodies.flatMap(({ where, content }) =>
      Object.values(content ?? {}).flatMap((media) =>
        Object.entries(media.examples ?? {}).map(([name, example]) => ({
          id: `${where} ${name}`,
          pointer: (media.schema && resolveReference(spec, media.schema).pointer) ?? '#/invalid',
          value: deref<OpenAPIV3.ExampleObject>(spec, example).value as unknown,
        })),
      ),
    );
  });

  it('has at least one example for every response and the request body', () => {
    const covered = new Set(examples.map(({ id }) => id.split(' ').slice(0, 2).join(' ')));
    for (const { operation } of operations) {
      for (const status of Object.keys(operation.responses))
        expect(covered).toContain(`${operation.operationId} ${status}`);
    }
    expect(covered).toContain('updateUsageBudget request');
  });

  it.each(examples)('$id validates against its schema', ({ pointer, value }) => {
    expect(validator.validate(pointer, value).errors).toEqual([]);
  });

  it('parameter and header examples validate against their schemas', () => {
    const components = spec.components ?? {};
    const described = [
      ...Object.entries(components.parameters ?? {}).map(
        ([name, parameter]) => [`parameters/${name}`, parameter] as const,
      ),
      ...Object.entries(components.headers ?? {}).map(([name, header]) => [`headers/${name}`, header] as const),
    ];
    for (const [where, described_] of described) {
      const { example } = deref<OpenAPIV3.ParameterObject | OpenAPIV3.HeaderObject>(spec, described_);
      expect(example, where).toBeDefined();
      expect(validator.validate(`#/components/${where}/schema`, example).errors, where).toEqual([]);
    }
  });

  it('includes the source document example, repaired into valid JSON', () => {
    const repaired = deref<OpenAPIV3.ExampleObject>(spec, { $ref: '#/components/examples/BudgetOf100' }).value;
    expect(repaired).toEqual({
      amount: 100,
      usageSpendingBudget: 100,
      attributes: { objectType: 'SpendingBudget' },
      links: {
        self: { uri: '/v1/customers/0c39d6d5-c70d-4c55-bc02-f620844f3fd1/usagebudget', method: 'GET', headers: [] },
      },
    });
  });
});

describe('schemas', () => {
  const budget = '#/components/schemas/SpendingBudget';

  it('accepts a null amount (no budget) and rejects a negative one', () => {
    expect(validator.validate(budget, { amount: null }).valid).toBe(true);
    expect(validator.validate(budget, { amount: 0 }).valid).toBe(true);
    expect(validator.validate(budget, { amount: -0.01 }).errors).toEqual(['/amount must be >= 0']);
  });

  it('rejects properties the spec does not declare', () => {
    expect(validator.validate(budget, { amount: 1, currency: 'EUR' }).errors).toEqual([
      "(root) has unknown property 'currency'",
    ]);
  });

  it('accepts integer and string ApiFault codes (x-oneOf, untyped for generators) and bounds the description', () => {
    const fault = '#/components/schemas/ApiFault';
    expect(validator.validate(fault, { code: 60003, description: 'Tenant not found' }).valid).toBe(true);
    expect(validator.validate(fault, { code: 'ServiceUnavailable', description: 'x' }).valid).toBe(true);
    for (const code of [1.5, null, true, {}, []]) {
      expect(validator.validate(fault, { code, description: 'x' }).valid, JSON.stringify(code)).toBe(false);
    }
    expect(validator.validate(`${fault}/properties/code`, 1).valid).toBe(true);
    const code = spec.components?.schemas?.ApiFault as { properties: Record<string, Record<string, unknown>> };
    expect(code.properties.code).toMatchObject({ 'x-oneOf': [{ type: 'integer' }, { type: 'string' }] });
    expect(code.properties.code?.type).toBeUndefined();
    expect(validator.validate(fault, { code: 1, description: 'x'.repeat(1025) }).valid).toBe(false);
    expect(validator.validate(fault, { code: 1, description: '' }).valid).toBe(false);
  });

  it('accepts canonical GUIDs only for the tenant id', () => {
    const tenant = '#/components/parameters/CustomerTenantId/schema';
    expect(validator.validate(tenant, '0C39D6D5-C70D-4C55-BC02-F620844F3FD1').valid).toBe(true);
    for (const bad of [
      'urn:uuid:0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
      '{0c39d6d5-c70d-4c55-bc02-f620844f3fd1}',
      'client-locataire-ID',
    ]) {
      expect(validator.validate(tenant, bad).valid, bad).toBe(false);
    }
  });

  it('takes MS-RequestId and MS-CorrelationId as bare GUIDs', () => {
    for (const name of ['RequestId', 'CorrelationId']) {
      const header = `#/components/parameters/${name}/schema`;
      expect(validator.validate(header, '312b044d-dc41-4b37-82d5-7d27322d9654').valid, name).toBe(true);
      expect(validator.validate(header, '"312b044d-dc41-4b37-82d5-7d27322d9654"').valid, name).toBe(false);
    }
  });

  it('takes X-Locale as a bare language tag, not a quoted string', () => {
    const locale = '#/components/parameters/Locale/schema';
    expect(validator.validate(locale, 'en-US').valid).toBe(true);
    expect(validator.validate(locale, '"en-US"').valid).toBe(false);
  });
});

describe('servers and security', () => {
  it('lists the global and 21Vianet endpoints', () => {
    expect(spec.servers?.map((server) => server.url)).toEqual([
      'https://api.partnercenter.microsoft.com',
      'https://partner.partnercenterapi.microsoftonline.cn',
    ]);
  });

  it('requires a bearer token and documents audience, scopes and authorities', () => {
    expect(spec.security).toEqual([{ partnerCenterToken: [] }]);
    const scheme = deref<OpenAPIV3.SecuritySchemeObject>(
      spec,
      spec.components?.securitySchemes?.partnerCenterToken ?? { $ref: '' },
    );
    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const fact of [
      'https://api.partnercenter.microsoft.com/.default',
      'user_impersonation',
      'login.microsoftonline.com',
      'login.microsoftonline.us',
      'login.chinacloudapi.cn',
    ]) {
      expect(scheme.description).toContain(fact);
    }
  });
});
