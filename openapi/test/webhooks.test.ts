// The webhook half of the spec against the facts in shared/reference/webhooks.md and the decisions
// the spec takes where Microsoft is silent (its "Corrections to the source document").
import { spec } from '@usagebudget/openapi';
import { specOperations } from '@usagebudget/openapi/operations';
import { resolveReference } from '@usagebudget/openapi/pointer';
import { createSpecValidator } from '@usagebudget/openapi/validator';
import type { OpenAPIV3 } from 'openapi-types';
import { describe, expect, it } from 'vitest';

const deref = <T>(node: T | OpenAPIV3.ReferenceObject): T => resolveReference<T>(spec, node).value;
const operations = specOperations(spec).filter(({ path }) => path.startsWith('/webhooks/'));
const operation = (operationId: string) => {
  const found = operations.find((candidate) => candidate.operationId === operationId);
  if (!found) throw new Error(`no webhook operation ${operationId}`);
  return found;
};
const validator = createSpecValidator(spec);
const section = (name: string) => (spec.tags?.find((tag) => tag.name === name)?.description ?? '').replace(/\s+/g, ' ');
/** The ApiFault codes of an operation's documented response for `status`. */
const codesOf = (operationId: string, status: number) =>
  operation(operationId).responses.find((response) => response.status === String(status))?.value.content?.[
    'application/json'
  ]?.examples;
const exampleCodes = (operationId: string, status: number) =>
  Object.values(codesOf(operationId, status) ?? {}).map(
    (example) => (deref<OpenAPIV3.ExampleObject>(example).value as { code?: unknown }).code,
  );
const callbackOf = (operationId: string) => {
  const callbacks = operation(operationId).operation.callbacks ?? {};
  const callback = deref<OpenAPIV3.CallbackObject>(callbacks.partnerCenterEvent as OpenAPIV3.ReferenceObject);
  return callback['{$request.body#/webhookUrl}']?.post as OpenAPIV3.OperationObject;
};

describe('the webhook registration API', () => {
  it('has the six documented operations under /webhooks/v1/registration, each accepting both kinds of token', () => {
    expect(operations.map(({ method, path, operationId }) => `${method.toUpperCase()} ${path} ${operationId}`)).toEqual(
      [
        'GET /webhooks/v1/registration/events listWebhookEvents',
        'GET /webhooks/v1/registration getWebhookRegistration',
        'PUT /webhooks/v1/registration updateWebhookRegistration',
        'POST /webhooks/v1/registration createWebhookRegistration',
        'POST /webhooks/v1/registration/validationEvents createWebhookValidationEvent',
        'GET /webhooks/v1/registration/validationEvents/{correlationId} getWebhookValidationEvent',
      ],
    );
    for (const { operation: object, operationId } of operations) {
      expect((object as { 'x-token-kinds'?: unknown })['x-token-kinds'], operationId).toEqual(['app-only', 'app+user']);
      expect(object.tags, operationId).toEqual(['Webhooks']);
    }
  });

  it('documents the statuses of each operation, the REST reference’s and the decided ones', () => {
    const statuses = (operationId: string) => operation(operationId).responses.map(({ status }) => status);
    const always = ['400', '401', '403', '429', '500', '503'];
    expect(statuses('listWebhookEvents').sort()).toEqual(['200', ...always].sort());
    expect(statuses('getWebhookRegistration').sort()).toEqual(['200', '404', ...always].sort());
    expect(statuses('createWebhookRegistration').sort()).toEqual(['200', '409', '413', '415', ...always].sort());
    expect(statuses('updateWebhookRegistration').sort()).toEqual(['200', '404', '413', '415', ...always].sort());
    expect(statuses('createWebhookValidationEvent').sort()).toEqual(['200', '404', '409', ...always].sort());
    expect(statuses('getWebhookValidationEvent').sort()).toEqual(['200', '404', ...always].sort());
  });

  it('answers a second POST with 409 WebhookRegistrationExists, whose description says to use PUT', () => {
    expect(exampleCodes('createWebhookRegistration', 409)).toEqual(['WebhookRegistrationExists']);
    const [example] = Object.values(codesOf('createWebhookRegistration', 409) ?? {});
    expect(
      (deref<OpenAPIV3.ExampleObject>(example as OpenAPIV3.ExampleObject).value as { description: string }).description,
    ).toMatch(/Use PUT \/webhooks\/v1\/registration/);
  });

  it('answers GET, PUT and a test event without a registration with 404 WebhookRegistrationNotFound', () => {
    for (const operationId of ['getWebhookRegistration', 'updateWebhookRegistration', 'createWebhookValidationEvent']) {
      expect(exampleCodes(operationId, 404), operationId).toEqual(['WebhookRegistrationNotFound']);
    }
    expect(exampleCodes('createWebhookValidationEvent', 409)).toEqual(['TestEventNotRegistered']);
    expect(exampleCodes('getWebhookValidationEvent', 404)).toEqual(['ValidationEventNotFound']);
  });

  it('throttles test events to 2 a minute, with Retry-After', () => {
    const throttled = operation('createWebhookValidationEvent').responses.find(({ status }) => status === '429');
    expect(Object.keys(throttled?.value.headers ?? {})).toContain('Retry-After');
    expect(throttled?.value.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/ThrottleFault',
    });
    expect(operation('createWebhookValidationEvent').operation.description?.replace(/\s+/g, ' ')).toContain(
      '**2 test events a minute**',
    );
  });

  it('takes a registration of webhookUrl and webhookEvents, and answers with the subscriberId read-only', () => {
    const schema = deref<OpenAPIV3.SchemaObject>({ $ref: '#/components/schemas/WebhookRegistration' });
    expect(schema.required).toEqual(['webhookUrl', 'webhookEvents']);
    const properties = schema.properties as Record<string, OpenAPIV3.SchemaObject>;
    expect(properties.subscriberId?.readOnly).toBe(true);
    const check = validator.compile('#/components/schemas/WebhookRegistration');
    const events = ['usagerecords-thresholdExceeded'];
    expect(check({ webhookUrl: 'https://example.com/hook', webhookEvents: events }).valid).toBe(true);
    expect(check({ webhookUrl: 'http://127.0.0.1:8080/hook', webhookEvents: events }).valid).toBe(true);
    expect(check({ webhookUrl: 'ftp://example.com/hook', webhookEvents: events }).valid).toBe(false);
    expect(check({ webhookUrl: 'https://example.com/hook', webhookEvents: [] }).valid).toBe(false);
    // "Each once" is the service's check, not the schema's: uniqueItems would make generated
    // TypeScript clients send a Set, which JSON writes as {}.
    expect(properties.webhookEvents?.uniqueItems).toBeUndefined();
    expect(properties.webhookEvents?.description).toContain('each once (a name given twice is refused)');
  });

  it('accepts a delivery result dated as Microsoft writes it, without an offset, and as ISO with Z', () => {
    const check = validator.compile('#/components/schemas/WebhookDeliveryResult');
    const result = { responseCode: 'OK', responseMessage: '', systemError: false };
    expect(check({ ...result, dateTimeUtc: '2017-12-08T21:39:48.2386997' }).valid).toBe(true);
    expect(check({ ...result, dateTimeUtc: '2024-05-20T06:12:41.337Z' }).valid).toBe(true);
    expect(check({ ...result, dateTimeUtc: 'yesterday' }).valid).toBe(false);
  });
});

describe('the event, a callback of the registration', () => {
  it('is on POST and PUT: a signed POST of a WebhookEvent to the registered URL', () => {
    for (const operationId of ['createWebhookRegistration', 'updateWebhookRegistration']) {
      const callback = callbackOf(operationId);
      expect(callback.operationId).toBe('receivePartnerCenterEvent');
      expect(callback.security).toEqual([{ webhookSignature: [] }, { webhookMsSignature: [] }]);
      const headers = (callback.parameters ?? []).map((parameter) => deref<OpenAPIV3.ParameterObject>(parameter));
      expect(headers.map(({ name, in: where, required }) => [name, where, required])).toEqual([
        ['x-ms-certificate-url', 'header', true],
        ['x-ms-signature-algorithm', 'header', true],
      ]);
      expect(headers[1]?.schema).toEqual({ type: 'string', enum: ['rsa-sha256'] });
      const body = deref<OpenAPIV3.RequestBodyObject>(callback.requestBody as OpenAPIV3.RequestBodyObject);
      expect(body.content['application/json']?.schema).toEqual({ $ref: '#/components/schemas/WebhookEvent' });
    }
    const schemes = spec.components?.securitySchemes ?? {};
    expect(schemes.webhookSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
    expect(schemes.webhookMsSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-ms-signature' });
  });

  it('has the documented PascalCase body, and its examples are valid', () => {
    const schema = deref<OpenAPIV3.SchemaObject>({ $ref: '#/components/schemas/WebhookEvent' });
    expect(Object.keys(schema.properties ?? {})).toEqual([
      'EventName',
      'ResourceUri',
      'ResourceName',
      'AuditUri',
      'ResourceChangeUtcDate',
    ]);
    const examples = callbackOf('createWebhookRegistration').requestBody as OpenAPIV3.RequestBodyObject;
    const named = examples.content['application/json']?.examples ?? {};
    expect(Object.keys(named)).toEqual(['thresholdExceeded', 'testCreated']);
    for (const [name, example] of Object.entries(named)) {
      const value = deref<OpenAPIV3.ExampleObject>(example).value;
      expect(validator.validate('#/components/schemas/WebhookEvent', value).errors, name).toEqual([]);
    }
    const threshold = deref<OpenAPIV3.ExampleObject>(named.thresholdExceeded as OpenAPIV3.ExampleObject).value;
    expect(threshold).toMatchObject({
      EventName: 'usagerecords-thresholdExceeded',
      ResourceUri: 'https://api.partnercenter.microsoft.com/v1/customers/usagerecords',
      ResourceName: 'usagerecords',
    });
  });
});

describe('the decisions where Microsoft is silent', () => {
  it('are in the corrections section, each with its reason', () => {
    const corrections = section('Corrections to the source document');
    for (const decision of [
      'Requests are read in any casing',
      'Responses are camelCase',
      'One registration per partner',
      '`409` `WebhookRegistrationExists`, whose description says to use `PUT`',
      '`404` `WebhookRegistrationNotFound`',
      '`https`: the events are signed but not encrypted',
      '`x-token-kinds: [app-only, app+user]` on every webhook operation',
      '`409` `TestEventNotRegistered`',
      'At most 2 test events in any 60 seconds per partner',
      '`404` `ValidationEventNotFound` after 7 days',
      'Strictly above 100%: `totalCost > budget.amount`',
      'Once per crossing per billing period',
      'A crossing resets when the customer is back at or under its budget',
      '`{baseURL}/v1/customers/usagerecords`',
      '10 attempts: at once, then after 15 s doubling to at most 1 hour',
      'Any `2xx` within 10 seconds',
      'It can (at least once)',
      'RSASSA-PKCS1-v1_5 with SHA-256',
      "the certificate's **subject** must name `O=Microsoft Corporation`",
    ]) {
      expect(corrections, decision).toContain(decision);
    }
  });

  it('are told to readers in the webhooks section: the verification recipe and the reference server’s root', () => {
    const webhooks = section('Webhooks, signatures and delivery');
    expect(webhooks).toContain('**once per crossing per billing period**');
    expect(webhooks).toContain('**before fetching it**');
    expect(webhooks).toContain('`/webhooks/certificates/root.pem`');
    expect(webhooks).toContain('`usagebudget reference server`');
  });
});
