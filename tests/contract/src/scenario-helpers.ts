// What the scenario modules share: the spec's operation ids, faults provoked by a call, small helpers.
import { randomUUID } from 'node:crypto';
import type { PartnerCenterError } from '@usagebudget/client';
import type { DocumentedResponse } from './documented-responses.js';
import { callOperation } from './operation-calls.js';
import { expectFault } from './outcomes.js';
import type { Scenario, ScenarioContext, Strategy } from './scenario-context.js';
import type { Target } from './targets.js';

export const GET = 'getUsageBudget';
export const PATCH = 'updateUsageBudget';
export const LIST = 'listCustomers';
export const SUMMARY = 'getCustomerUsageSummary';
export const RECORDS = 'listCustomerUsageRecords';
export const PARTNER_SUMMARY = 'getPartnerUsageSummary';
export const WEBHOOK_EVENTS = 'listWebhookEvents';
export const GET_REGISTRATION = 'getWebhookRegistration';
export const CREATE_REGISTRATION = 'createWebhookRegistration';
export const UPDATE_REGISTRATION = 'updateWebhookRegistration';
export const SEND_TEST_EVENT = 'createWebhookValidationEvent';
export const GET_TEST_EVENT = 'getWebhookValidationEvent';
/** The webhook registration's operations. */
export const WEBHOOK_OPERATIONS = [
  WEBHOOK_EVENTS,
  GET_REGISTRATION,
  CREATE_REGISTRATION,
  UPDATE_REGISTRATION,
  SEND_TEST_EVENT,
  GET_TEST_EVENT,
] as const;

/** Fails a scenario whose target claims a capability without what it takes. */
export function missing(what: string): never {
  throw new Error(`the target has the capability but no ${what}`);
}

/** Everything an async iterable gives, in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** A tenant GUID compared as the spec compares them: without regard to case. */
export const sameId = (id: string) => id.toLowerCase();
/**
 * A fault provoked by calling the operation as `arrange` sets up (`operationId`: only on those
 * operations); `check` looks further at the error.
 */
export function faultStrategy(
  status: number,
  title: string,
  needs: Scenario['needs'],
  arrange: (target: Target) => Promise<{ token?: string; customerId: string }>,
  operationId?: Strategy['operationId'],
  check?: (error: PartnerCenterError, documented: DocumentedResponse, context: ScenarioContext) => void,
): Strategy {
  return {
    status,
    ...(operationId === undefined ? {} : { operationId }),
    title,
    needs,
    run: async (context, documented) => {
      const { token, customerId } = await arrange(context.target);
      const scenarioClient = context.client(token ? { token } : {});
      const correlationId = randomUUID();
      const call = callOperation(documented.operationId, scenarioClient.client, {
        customerId,
        options: { correlationId },
      });
      const error = await expectFault(context, scenarioClient, call, documented, { correlationId });
      check?.(error, documented, context);
    },
  };
}
