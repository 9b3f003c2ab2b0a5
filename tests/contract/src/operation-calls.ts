import { randomUUID } from 'node:crypto';
import {
  type CallOptions,
  CallPromise,
  type Customer,
  type CustomerListQuery,
  type Page,
  type PagedList,
  type UsageBudgetClient,
  type WebhookRegistrationRequest,
} from '@usagebudget/client';
import { costProperties } from '@usagebudget/openapi/operations';
import type { OpenAPIV3 } from 'openapi-types';
import { expect } from 'vitest';

/** The amount a PATCH sends when the scenario does not care which. */
export const ANY_AMOUNT = 42;

/**
 * The registration a POST or PUT sends when the scenario does not care which: test events, to a
 * loopback URL (the reference server sends only to its allow-list, loopback by default) where
 * nothing listens, so that its attempts fail at once.
 */
export const ANY_REGISTRATION: WebhookRegistrationRequest = {
  webhookUrl: 'http://127.0.0.1:9/contract-tests/events',
  webhookEvents: ['test-created'],
};

/** What a scenario gives an operation; each operation reads what it takes. */
export interface CallArguments {
  /** The customer of the operations on one customer. */
  readonly customerId: string;
  /** The PATCH body's amount (`null` clears); {@link ANY_AMOUNT} by default. */
  readonly amount?: number | null;
  /** The customer list's query. */
  readonly query?: CustomerListQuery;
  /** The registration a POST or PUT sends; {@link ANY_REGISTRATION} by default. */
  readonly registration?: WebhookRegistrationRequest;
  /** The test event whose delivery is read; a new GUID (one no partner has) by default. */
  readonly testEventId?: string;
  readonly options?: CallOptions;
}

/** A page of the customer list as the client gives it; its metadata comes with `withResponse()`. */
export type PageView = Pick<Page<Customer>, 'items' | 'continuationToken'>;

/**
 * One page of a customer list as one call: the first page `byPage()` gives (from a continuation
 * token, when given), the walk then ended, so that no `links.next` is followed.
 */
export function onePage(list: PagedList<Customer>, continuationToken?: string): CallPromise<PageView> {
  const run = async () => {
    const pages = list.byPage(continuationToken === undefined ? {} : { continuationToken });
    try {
      const { value } = await pages.next();
      if (!value) throw new Error('the customer list ended before its first page');
      return { data: { items: value.items, continuationToken: value.continuationToken }, response: value.response };
    } finally {
      await pages.return?.();
    }
  };
  return new CallPromise(run());
}

/** Calls an operation of the spec through the client's public API (the customer list: its first page). */
export function callOperation(
  operationId: string,
  client: UsageBudgetClient,
  { customerId, amount = ANY_AMOUNT, query, registration = ANY_REGISTRATION, testEventId, options }: CallArguments,
): CallPromise<unknown> {
  switch (operationId) {
    case 'getUsageBudget':
      return client.getBudget(customerId, options);
    case 'updateUsageBudget':
      return amount === null ? client.clearBudget(customerId, options) : client.setBudget(customerId, amount, options);
    case 'listCustomers':
      return onePage(client.listCustomers(query, options));
    case 'getCustomerUsageSummary':
      return client.getCustomerUsageSummary(customerId, options);
    case 'listCustomerUsageRecords':
      return client.listCustomerUsageRecords(options);
    case 'getPartnerUsageSummary':
      return client.getPartnerUsageSummary(options);
    case 'listWebhookEvents':
      return client.listWebhookEvents(options);
    case 'getWebhookRegistration':
      return client.getWebhookRegistration(options);
    case 'createWebhookRegistration':
      return client.createWebhookRegistration(registration, options);
    case 'updateWebhookRegistration':
      return client.updateWebhookRegistration(registration, options);
    case 'createWebhookValidationEvent':
      return client.sendWebhookTestEvent(options);
    case 'getWebhookValidationEvent':
      return client.getWebhookTestEvent(testEventId ?? randomUUID(), options);
  }
  throw new Error(`no client method for the spec's operation ${operationId}: add it to operation-calls.ts`);
}

const CONTINUATION_HEADER = 'ms-continuationtoken';

/**
 * What the client gives for a documented body of an operation: the body itself; the records of
 * the usage records; a customer page's items and its continuation token (the page's, or that of
 * its `links.next`).
 */
export function clientView(operationId: string, body: unknown): unknown {
  if (operationId === 'listCustomerUsageRecords') return (body as { items: unknown[] }).items;
  if (operationId !== 'listCustomers') return body;
  const { items, continuationToken, links } = body as {
    items: unknown[];
    continuationToken?: string;
    links?: { next?: { headers?: { key: string; value: string }[] } };
  };
  const nextToken = links?.next?.headers?.find(({ key }) => key.toLowerCase() === CONTINUATION_HEADER)?.value;
  return { items, continuationToken: continuationToken ?? nextToken };
}

/**
 * Checks that the client gave `data` for the body it received: `clientView` of the body, except
 * that every cost is a string holding the decimal exactly as the body wrote it (a number or a
 * string there), digit for digit, never the rounded double `JSON.parse` makes of it.
 */
export function expectClientData(
  document: OpenAPIV3.Document,
  operationId: string,
  data: unknown,
  bodyText: string,
): void {
  const costs = new Set(costProperties(document).map(({ property }) => property));
  // Every cost's text as the body writes it, in any order: each of the client's costs takes one.
  const written = [
    ...bodyText.matchAll(new RegExp(`"(?:${[...costs].join('|')})"\\s*:\\s*"?(-?[0-9][0-9.eE+-]*)`, 'g')),
  ].map((found) => found[1] as string);
  const withClientCosts = (expected: unknown, given: unknown, path: string): unknown => {
    if (Array.isArray(expected)) {
      return expected.map((item, index) => withClientCosts(item, (given as unknown[] | undefined)?.[index], path));
    }
    if (typeof expected !== 'object' || expected === null) return expected;
    return Object.fromEntries(
      Object.entries(expected).map(([key, value]) => {
        const givenValue = (given as Record<string, unknown> | undefined)?.[key];
        if (!costs.has(key) || value === undefined) return [key, withClientCosts(value, givenValue, `${path}/${key}`)];
        expect(typeof givenValue, `${path}/${key}: a cost is an exact decimal string`).toBe('string');
        expect(Number(givenValue), `${path}/${key}: the same value as the body's`).toBe(Number(value));
        const at = written.indexOf(givenValue as string);
        expect(at, `${path}/${key} ${givenValue}: the body's text, digit for digit (${written})`).toBeGreaterThan(-1);
        written.splice(at, 1);
        return [key, givenValue];
      }),
    );
  };
  const expected = withClientCosts(clientView(operationId, JSON.parse(bodyText)), data, '');
  expect(data, 'the client returns the body as it came').toEqual(expected);
}
