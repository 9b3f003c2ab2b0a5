import { spec } from '@usagebudget/openapi';
import type { OpenAPIV3 } from 'openapi-types';
import { describe, expect, it } from 'vitest';
import { clientModelFor, clientModels, fieldsUnknownToClient, schemaModelMismatches } from '../src/client-models.js';
import { documentedResponses, findResponse } from '../src/documented-responses.js';
import { type Exchange, prismViolations } from '../src/exchange-recorder.js';
import { coverageGaps } from '../src/scenarios.js';
import { selectedTargets, targetCapabilities, targetSkipReason } from '../src/targets.js';

const responses = documentedResponses(spec);

describe('the documented responses', () => {
  it('are read from the spec, $refs resolved', () => {
    const throttled = findResponse(responses, 'updateUsageBudget', 429);
    expect(throttled).toMatchObject({
      method: 'PATCH',
      schemaPointer: '#/components/schemas/ThrottleFault',
      headers: ['ms-requestid', 'ms-correlationid', 'retry-after'],
      examples: { rateLimited: { statusCode: 429 } },
    });
    expect(findResponse(responses, 'getUsageBudget', 200).examples.noBudget).toMatchObject({ amount: null });
    expect(() => findResponse(responses, 'getUsageBudget', 413)).toThrow(/documents no 413/);
  });

  it('refuse a response the suite cannot select by status', () => {
    const withDefault = structuredClone(spec);
    const get = Object.values(withDefault.paths)[0]?.get as OpenAPIV3.OperationObject;
    get.responses.default = { $ref: '#/components/responses/InternalServerError' };
    expect(() => documentedResponses(withDefault)).toThrow(/response "default" is not an explicit status/);
  });

  it('each have a scenario, or the reason none can exist, and a client error class', () => {
    expect(coverageGaps(responses)).toEqual([]);
  });
});

describe('the committed client models', () => {
  it('declare exactly the properties of the spec schemas they were generated from', () => {
    for (const [name, model] of Object.entries(clientModels)) {
      expect(schemaModelMismatches(spec, `#/components/schemas/${name}`, model), name).toEqual([]);
    }
  });

  it('exist for every documented body', () => {
    for (const documented of responses) expect(() => clientModelFor(documented.schemaPointer)).not.toThrow();
  });

  it('name the fields of a body they do not declare, nested ones included', () => {
    const body = {
      amount: 1,
      currency: 'EUR',
      links: { self: { uri: '/', method: 'GET', headers: [{ key: 'a', value: 'b', secret: 1 }] } },
    };
    expect(fieldsUnknownToClient(body, clientModels.SpendingBudget as object)).toEqual([
      '/currency',
      '/links/self/headers/0/secret',
    ]);
  });
});

describe('Prism violations', () => {
  const exchange = (status: number, responseHeaders: Record<string, string>, body = '{}'): Exchange => ({
    method: 'GET',
    url: 'http://127.0.0.1/x',
    requestHeaders: {},
    status,
    responseHeaders,
    body,
  });

  it('are found on a successful answer too', () => {
    const found = prismViolations(exchange(200, { 'sl-violations': '[{"location":["request","header"]}]' }));
    expect(found).toEqual(['GET http://127.0.0.1/x -> 200: sl-violations [{"location":["request","header"]}]']);
  });

  it('include a rejected request and an error Prism made up', () => {
    expect(prismViolations(exchange(422, { 'content-type': 'application/problem+json' }))).toHaveLength(1);
    expect(prismViolations(exchange(404, { 'content-type': 'application/problem+json' }))[0]).toMatch(
      /Prism answered itself/,
    );
  });

  it('are none on a documented answer', () => {
    expect(prismViolations(exchange(404, { 'content-type': 'application/json' }))).toEqual([]);
  });
});

describe('target selection', () => {
  const live = {
    CONTRACT_TARGET: 'live',
    CONTRACT_LIVE_BASE_URL: 'https://api.partnercenter.microsoft.com',
    CONTRACT_LIVE_TOKEN: 'token',
    CONTRACT_LIVE_CUSTOMER_ID: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
  };

  it('runs the mock and the server by default, and what CONTRACT_TARGET names otherwise', () => {
    expect(selectedTargets({})).toEqual(['mock', 'server']);
    expect(selectedTargets({ CONTRACT_TARGET: 'server' })).toEqual(['server']);
    expect(selectedTargets({ CONTRACT_TARGET: 'mock, live' })).toEqual(['mock', 'live']);
    expect(() => selectedTargets({ CONTRACT_TARGET: 'staging' })).toThrow(/unknown target staging/);
  });

  it('says in one line why a target does not run', () => {
    expect(targetSkipReason('live', {})).toBe('not a default target; set CONTRACT_TARGET=live');
    expect(targetSkipReason('mock', { CONTRACT_TARGET: 'server' })).toBe('CONTRACT_TARGET=server does not name it');
    expect(targetSkipReason('live', { CONTRACT_TARGET: 'live', CONTRACT_LIVE_TOKEN: 'token' })).toBe(
      'set CONTRACT_LIVE_BASE_URL, CONTRACT_LIVE_CUSTOMER_ID to call a Partner Center account',
    );
    expect(targetSkipReason('live', live)).toBeUndefined();
  });

  it('writes to the live API, uses a foreign customer and an app-only token only when told to', () => {
    expect([...targetCapabilities('live', live)].sort()).toEqual(['direct', 'echo', 'identity', 'usage']);
    const everything = {
      ...live,
      CONTRACT_LIVE_WRITES: '1',
      CONTRACT_LIVE_FOREIGN_CUSTOMER_ID: 'id',
      CONTRACT_LIVE_APP_ONLY_TOKEN: 'app-only',
    };
    expect([...targetCapabilities('live', everything)].sort()).toEqual([
      'appOnlyToken',
      'direct',
      'echo',
      'foreignCustomer',
      'identity',
      'state',
      'usage',
    ]);
  });
});
