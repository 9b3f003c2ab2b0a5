// `@usagebudget/client/validation` (issue 21): every 2xx body checked against the spec's schema,
// against a real HTTP server that answers what the spec allows, and garbage.
import { spec } from '@usagebudget/openapi';
import { responseExamples, specOperations } from '@usagebudget/openapi/operations';
import { describe, expect, it } from 'vitest';
import { ResponseValidationError, type UsageBudgetClientOptions } from '../src/index.js';
import { specResponseValidator } from '../src/validation.js';
import { clientOf, collect, failure } from './support/client-of.js';
import { TENANT, useFaultServer } from './support/fault-server.js';

const server = useFaultServer();
// One validator for the file, as a process would keep one: the spec is loaded once.
const validateResponses = specResponseValidator();
const client = (options: Partial<UsageBudgetClientOptions> = {}) => clientOf(server, { validateResponses, ...options });

/** The spec's first example of an operation's 200 body. */
function example(operationId: string): Record<string, unknown> {
  const operation = specOperations(spec).find((found) => found.operationId === operationId);
  const response = operation?.responses.find(({ status }) => status === '200');
  const [first] = response ? responseExamples(spec, response) : [];
  if (!first) throw new Error(`the spec has no 200 example of ${operationId}`);
  return structuredClone(first.value) as Record<string, unknown>;
}

/** Every call of the client, with the operation it makes. */
const calls: [string, (c: ReturnType<typeof client>) => Promise<unknown>][] = [
  ['getUsageBudget', (c) => c.getBudget(TENANT)],
  ['updateUsageBudget', (c) => c.setBudget(TENANT, 5)],
  ['listCustomers', (c) => collect(c.listCustomers())],
  ['getCustomerUsageSummary', (c) => c.getCustomerUsageSummary(TENANT)],
  ['listCustomerUsageRecords', (c) => c.listCustomerUsageRecords()],
  ['getPartnerUsageSummary', (c) => c.getPartnerUsageSummary()],
];

/** The problems of the call's ResponseValidationError. */
async function problemsOf(promise: Promise<unknown>) {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(ResponseValidationError);
  return (error as ResponseValidationError).problems;
}

describe('specResponseValidator', () => {
  it.each(calls)('accepts the spec example of %s, and a field the spec does not know', async (operationId, call) => {
    const body = example(operationId);
    // The last page: a walk does not follow the example's links.next.
    if (operationId === 'listCustomers') delete (body.links as Record<string, unknown>).next;
    server.enqueue({ status: 200, json: body }, { status: 200, json: { ...body, addedLater: { any: 'thing' } } });
    await expect(call(client())).resolves.toBeDefined();
    await expect(call(client())).resolves.toBeDefined();
  });

  it('names the field and the rule of a wrong type, and does not retry', async () => {
    server.enqueue({ status: 200, json: { ...example('getPartnerUsageSummary'), customersOverBudget: 'many' } });
    const error = await failure(client({ maxRetries: 3 }).getPartnerUsageSummary());
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.message).toBe(
      'the 200 response of getPartnerUsageSummary does not match the spec: /customersOverBudget must be integer',
    );
    expect(error).toMatchObject({
      status: 200,
      requestId: server.requests[0]?.headers['ms-requestid'],
      problems: [{ pointer: '/customersOverBudget', rule: 'must be integer' }],
    });
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a number that is not finite, a cost too, which the client would keep as text', async () => {
    server.enqueue({
      status: 200,
      text: JSON.stringify(example('getPartnerUsageSummary')).replace(/"totalCost":[^,]+/, '"totalCost":1e999'),
      contentType: 'application/json',
    });
    expect(await problemsOf(client().getPartnerUsageSummary())).toEqual([
      { pointer: '/totalCost', rule: 'must be a finite number' },
    ]);
    const records = example('listCustomerUsageRecords');
    server.enqueue({
      status: 200,
      text: JSON.stringify(records).replace(/"percentUsed":[^,}]+/, '"percentUsed":-1e400'),
      contentType: 'application/json',
    });
    expect(await problemsOf(client().listCustomerUsageRecords())).toContainEqual({
      pointer: '/items/0/percentUsed',
      rule: 'must be a finite number',
    });
  });

  it('names every field of a record that breaks its schema, with its place in the list', async () => {
    const records = example('listCustomerUsageRecords');
    const items = records.items as Record<string, unknown>[];
    Object.assign(items[1] as object, {
      percentUsed: 'high',
      lastModifiedDate: '\u001b]8;;https://evil.example\u0007x',
    });
    delete (items[2] as Record<string, unknown>).resourceId;
    server.enqueue({ status: 200, json: records });
    const problems = await problemsOf(client().listCustomerUsageRecords());
    expect(problems).toEqual(
      expect.arrayContaining([
        { pointer: '/items/1/percentUsed', rule: 'must be number' },
        { pointer: '/items/1/lastModifiedDate', rule: 'must match format "date-time"' },
        { pointer: '/items/2', rule: "must have required property 'resourceId'" },
      ]),
    );
  });

  it('refuses a page whose items are not a list before the walk reads it', async () => {
    server.enqueue({ status: 200, json: { ...example('listCustomers'), items: 'none' } });
    const error = await failure(collect(client().listCustomers()));
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error.message).toContain('/items must be array');
  });

  it('refuses a 2xx the spec does not document, and a budget of the wrong shape', async () => {
    server.enqueue({ status: 203, json: example('getUsageBudget') });
    expect(await problemsOf(client().getBudget(TENANT))).toEqual([
      { pointer: '', rule: 'is a 203 answer, which the spec does not document for getUsageBudget' },
    ]);
    server.enqueue({ status: 200, json: { ...example('getUsageBudget'), amount: -5 } });
    expect(await problemsOf(client().getBudget(TENANT))).toEqual([{ pointer: '/amount', rule: 'must be >= 0' }]);
  });

  it('leaves the client as it was without it: a body is returned as the service sent it', async () => {
    server.enqueue({ status: 200, json: { ...example('getPartnerUsageSummary'), customersOverBudget: 'many' } });
    const summary = await clientOf(server).getPartnerUsageSummary();
    expect(summary.customersOverBudget).toBe('many');
  });
});
