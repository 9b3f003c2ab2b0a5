import { randomUUID } from 'node:crypto';
import type { CallPromise, SpendingBudget } from '@usagebudget/client';
import { AxiosError } from 'axios';
import { expect } from 'vitest';
import { customerListStrategies } from './customer-list-scenarios.js';
import type { DocumentedResponse } from './documented-responses.js';
import { headerLimitsStrategy } from './header-limits.js';
import { ANY_AMOUNT, callOperation } from './operation-calls.js';
import { expectedErrorClass, expectFault, expectSuccess } from './outcomes.js';
import type { Scenario, ScenarioContext, Strategy } from './scenario-context.js';
import { faultStrategy, GET, missing, PARTNER_SUMMARY, PATCH, RECORDS, SUMMARY } from './scenario-helpers.js';
import { usageStrategies } from './usage-scenarios.js';
import { webhookStrategies } from './webhook-scenarios.js';

/** What the mock's documented example asks the PATCH to have sent, so request and answer agree. */
function amountOf(example: unknown): number | null {
  const amount = (example as { amount?: unknown } | null)?.amount;
  return typeof amount === 'number' || amount === null ? amount : ANY_AMOUNT;
}

/** One scenario per documented example, selected on the mock with `Prefer: code=…, example=…`. */
function preferScenarios(documented: DocumentedResponse): Scenario[] {
  return Object.entries(documented.examples).map(([name, example]) => ({
    title: `${documented.method} ${documented.status} example "${name}", chosen with Prefer`,
    operationId: documented.operationId,
    status: documented.status,
    needs: ['prefer'],
    run: async (context, response) => {
      const scenarioClient = context.client({ prefer: `code=${response.status}, example=${name}` });
      const correlationId = randomUUID();
      const call = callOperation(response.operationId, scenarioClient.client, {
        customerId: context.target.customerId(),
        amount: amountOf(example),
        options: { correlationId },
      });
      // The mock answers the example as it is; what the client gave for it is checked against the body.
      if (response.status < 400) {
        await expectSuccess(context, scenarioClient, call, response, { correlationId });
      } else {
        await expectFault(context, scenarioClient, call, response, { correlationId });
      }
      expect(JSON.parse(scenarioClient.exchanges.at(-1)?.body ?? 'null')).toEqual(example);
    },
  }));
}

/** Reads the customer's budget and checks the amount. */
async function expectStoredAmount(context: ScenarioContext, customerId: string, amount: number | null) {
  const reader = context.client();
  const read = reader.client.getBudget(customerId);
  const { data } = await expectSuccess(context, reader, read, context.response(GET, 200));
  expect(data.amount, 'the amount a GET reads').toBe(amount);
}

/** A PATCH 200 scenario on a customer of its own, on a target that keeps state. */
function statefulPatch(
  title: string,
  run: (context: ScenarioContext, documented: DocumentedResponse, customerId: string) => Promise<void>,
): Strategy {
  return {
    status: 200,
    operationId: PATCH,
    title: `PATCH 200 ${title}`,
    needs: ['state'],
    run: (context, documented) => run(context, documented, context.target.customerId()),
  };
}

/** PATCHes each amount in turn (null clears), each answered as sent; a GET then reads the last. */
function writesThenReads(title: string, amounts: readonly (number | null)[]): Strategy {
  return statefulPatch(title, async (context, documented, customerId) => {
    const writer = context.client();
    for (const amount of amounts) {
      const call = callOperation(PATCH, writer.client, { customerId, amount }) as CallPromise<SpendingBudget>;
      const { data } = await expectSuccess(context, writer, call, documented);
      expect(data.amount, 'the amount the PATCH answers').toBe(amount);
    }
    await expectStoredAmount(context, customerId, amounts.at(-1) ?? null);
  });
}

const NO_FAILURE_ON_DEMAND = 'a real service cannot be made to fail on demand';

const strategies: readonly Strategy[] = [
  {
    status: 200,
    operationId: GET,
    title: 'GET 200 reads the budget',
    needs: [],
    run: async (context, documented) => {
      const reader = context.client();
      const correlationId = randomUUID();
      const call = reader.client.getBudget(context.target.customerId(), { correlationId });
      await expectSuccess(context, reader, call, documented, { correlationId });
    },
  },
  headerLimitsStrategy(GET),
  writesThenReads('sets budgets, 0 included, that a GET then reads back exactly', [0, 123.45]),
  writesThenReads('clears a budget: a GET then reads amount null', [10, null]),
  statefulPatch(
    'retried with the same MS-RequestId returns the first result without applying it again',
    async (context, documented, customerId) => {
      const other = context.client();
      let lost = false;
      const retrying = context.client({
        intercept: (instance) =>
          instance.interceptors.response.use(async (response) => {
            if (lost) return response;
            lost = true;
            // The first answer is lost on its way back, and another update lands before the retry.
            await expectSuccess(context, other, other.client.setBudget(customerId, 200), documented);
            throw new AxiosError('socket hang up (the test dropped the response)', 'ECONNRESET', response.config);
          }),
      });
      const { data, response } = await expectSuccess(
        context,
        retrying,
        retrying.client.setBudget(customerId, 100),
        documented,
      );
      expect(response.attempts, 'the client retried the lost response').toBe(2);
      expect(data.amount, 'the retry answers with the first result').toBe(100);
      await expectStoredAmount(context, customerId, 200);
    },
  ),
  {
    status: 400,
    operationId: [GET, SUMMARY],
    unreachable:
      'the client refuses a tenant ID that is not a GUID before sending, and sends only header values the spec allows',
  },
  {
    status: 400,
    operationId: PATCH,
    unreachable:
      'the client refuses a negative or non-finite amount before sending and writes the rest as JSON any ' +
      'server keeps exactly; any other bad request is one the Prism proxy stops first',
  },
  faultStrategy(401, 'a token the service does not know', ['identity'], async (target) => ({
    token: `not-a-token-of-${target.name}`,
    customerId: target.customerId(),
  })),
  {
    status: 400,
    operationId: [RECORDS, PARTNER_SUMMARY],
    unreachable:
      'the operation takes no parameters, and the client sends only header values the spec allows (it checks the ' +
      'options it sends as headers, and makes its own GUIDs)',
  },
  faultStrategy(
    403,
    'a customer of another partner',
    ['foreignCustomer'],
    async (target) => ({ customerId: target.foreignCustomerId ?? missing('foreignCustomerId') }),
    [GET, PATCH, SUMMARY],
  ),
  faultStrategy(404, 'a customer no partner has', ['identity'], async () => ({ customerId: randomUUID() }), [
    GET,
    PATCH,
    SUMMARY,
  ]),
  {
    status: 409,
    operationId: PATCH,
    unreachable: 'the client draws a new MS-RequestId for every call, so it never reuses one for another update',
  },
  { status: 413, operationId: PATCH, unreachable: "the client's body is one amount, far below 64 KiB" },
  { status: 415, unreachable: 'the client always sends application/json' },
  faultStrategy(429, 'a partner over its rate limit', ['throttle'], async (target) => {
    const throttled = target.throttled ?? missing('throttled');
    await throttled.exhaust();
    return { token: throttled.token, customerId: throttled.customerId };
  }),
  { status: 500, unreachable: NO_FAILURE_ON_DEMAND },
  { status: 503, unreachable: NO_FAILURE_ON_DEMAND },
  ...customerListStrategies,
  ...usageStrategies,
  ...webhookStrategies,
];

const appliesTo = (operationId: Strategy['operationId'], documented: DocumentedResponse) =>
  operationId === undefined ||
  (typeof operationId === 'string'
    ? operationId === documented.operationId
    : operationId.includes(documented.operationId));

const matches = (strategy: Strategy, documented: DocumentedResponse) =>
  strategy.status === documented.status && appliesTo(strategy.operationId, documented);

/** The scenarios of a documented response: its Prefer scenarios, then the real ones. */
export function scenariosFor(documented: DocumentedResponse): { scenarios: Scenario[]; unreachable: string[] } {
  const scenarios = preferScenarios(documented);
  const unreachable: string[] = [];
  for (const strategy of strategies.filter((candidate) => matches(candidate, documented))) {
    if ('unreachable' in strategy) {
      unreachable.push(strategy.unreachable);
      continue;
    }
    const title = strategy.title.startsWith(`${documented.method} `)
      ? strategy.title
      : `${documented.method} ${documented.status} ${strategy.title}`;
    scenarios.push({ ...strategy, title, operationId: documented.operationId, status: documented.status });
  }
  return { scenarios, unreachable };
}

/**
 * What the scenario list is missing for the spec: a documented response without a strategy (a
 * scenario or a reason none can exist), an example-less one the mock cannot select, an error
 * status without an expected error class, and strategies for responses the spec no longer has.
 */
export function coverageGaps(responses: readonly DocumentedResponse[]): string[] {
  const gaps: string[] = [];
  for (const documented of responses) {
    const name = `${documented.method} ${documented.status} (${documented.operationId})`;
    if (!strategies.some((strategy) => matches(strategy, documented))) {
      gaps.push(`${name}: no scenario for a real target, and no reason why none can exist`);
    }
    if (Object.keys(documented.examples).length === 0) gaps.push(`${name}: no example for the mock to answer`);
    if (documented.status >= 400) {
      try {
        expectedErrorClass(documented.status);
      } catch (error) {
        gaps.push(`${name}: ${(error as Error).message}`);
      }
    }
  }
  for (const strategy of strategies) {
    if (!responses.some((documented) => matches(strategy, documented))) {
      const what = 'title' in strategy ? strategy.title : strategy.unreachable;
      const operations =
        strategy.operationId === undefined ? 'any operation' : [strategy.operationId].flat().join(', ');
      gaps.push(`${operations} ${strategy.status}: the spec no longer documents it (${what})`);
    }
  }
  return gaps;
}
