import { setImmediate as nextTurn } from 'node:timers/promises';
import { budgetStanding, percentUsed, sumDecimals } from '@usagebudget/openapi/rules';
import { faults } from '../contract/faults.js';
import { JsonArrayStream, jsonChunks, jsonText, NumberText } from '../http/json-number-text.js';
import { type Operation, type OperationCall, pathCustomerId } from '../http/operation.js';
import { ClientGone } from '../http/request-body.js';
import { StreamedBody } from '../http/streamed-body.js';
import type { CustomerStore, CustomerUsage, PartnerRecord, SubscriptionUsage } from '../storage/customer-store.js';

/** A usage response's `budget`: a `SpendingBudget` whose `amount` is absent when none is set, as Partner Center writes it. */
function budgetJson(amount: string | null) {
  return {
    ...(amount === null ? {} : { amount: new NumberText(amount) }),
    attributes: { objectType: 'SpendingBudget' },
  };
}

/** The cost members: an Azure plan's currency code and US dollar cost, or a legacy offer's locale. */
function costJson(usage: SubscriptionUsage) {
  return {
    totalCost: new NumberText(usage.cost),
    ...(usage.offer === 'azurePlan'
      ? {
          currencyCode: usage.currency,
          ...(usage.usdCost === undefined ? {} : { usdTotalCost: new NumberText(usage.usdCost) }),
        }
      : { currencyLocale: usage.currency }),
  };
}

const selfLink = (uri: string) => ({ self: { uri, method: 'GET', headers: [] } });

async function partnerRecord(store: CustomerStore, partnerId: string): Promise<PartnerRecord> {
  const partner = await store.partner(partnerId);
  if (!partner) throw new Error(`partner ${partnerId} was not seeded`);
  return partner;
}

/** The later of two date-times, compared as instants, written as given. */
const later = (found: string, date: string) => (Date.parse(date) > Date.parse(found) ? date : found);

function usageRecordJson({ customer, budget }: CustomerUsage) {
  return {
    budget: budgetJson(budget),
    percentUsed: new NumberText(percentUsed(customer.usage.cost, budget)),
    isUpgraded: customer.usage.offer === 'azurePlan',
    resourceId: customer.id,
    resourceName: customer.companyName,
    ...costJson(customer.usage),
    lastModifiedDate: customer.usage.lastModified,
    attributes: { objectType: 'CustomerMonthlyUsageRecord' },
  };
}

/**
 * The spec's three usage reads, by operationId: a customer's usage summary, every customer's
 * usage record, and the partner's usage summary. `percentUsed`, the counts and the totals are
 * computed on each request from the current budgets, with the spec's rules on exact decimals.
 * The two reads of a whole portfolio go through it a batch at a time, yielding to the event loop
 * in between: 50,000 customers are about a second of work, which would otherwise hold every other
 * partner's requests.
 */
export function usageOperations(store: CustomerStore): Readonly<Record<string, Operation>> {
  return {
    getCustomerUsageSummary: {
      handle: async (call: OperationCall) => {
        const found = await store.customer(call.partner.id, pathCustomerId(call));
        if (!found) throw faults.tenantNotFound();
        const { customer, budget } = found;
        if (!customer.usage) throw faults.noUsageBasedSubscription();
        const period = await partnerRecord(store, call.partner.id);
        return {
          status: 200,
          body: jsonText({
            budget: budgetJson(budget),
            resourceId: customer.id,
            resourceName: customer.companyName,
            billingStartDate: period.billingStart,
            billingEndDate: period.billingEnd,
            ...costJson(customer.usage),
            lastModifiedDate: customer.usage.lastModified,
            links: selfLink(call.selfUri),
            attributes: { objectType: 'CustomerUsageSummary' },
          }),
        };
      },
    },
    listCustomerUsageRecords: {
      // A portfolio's records in one response (50,000 customers: 17 MB), streamed a batch per
      // turn of the event loop, so that other requests are served while it is written.
      handle: async (call) => ({
        status: 200,
        body: new StreamedBody(
          jsonChunks({
            totalCount: await store.usageCount(call.partner.id),
            items: new JsonArrayStream(
              (async function* () {
                for await (const batch of store.usageBatches(call.partner.id)) yield batch.map(usageRecordJson);
              })(),
            ),
            links: selfLink(call.selfUri),
            attributes: { objectType: 'Collection' },
          }),
        ),
      }),
    },
    getPartnerUsageSummary: {
      // Every customer's standing, a batch per turn of the event loop (as the usage records).
      handle: async (call) => {
        const period = await partnerRecord(store, call.partner.id);
        let over = 0;
        let trending = 0;
        let count = 0;
        // Partner Center: the total "will not return consumption for customers that have an Azure plan".
        let legacyTotal = '0';
        let lastModified = period.billingStart;
        for await (const batch of store.usageBatches(call.partner.id)) {
          for (const { customer, budget } of batch) {
            const standing = budgetStanding(customer.usage.cost, budget);
            if (standing === 'overBudget') over++;
            else if (standing === 'trendingOver') trending++;
            lastModified = count === 0 ? customer.usage.lastModified : later(lastModified, customer.usage.lastModified);
            count++;
          }
          const legacy = batch.filter(({ customer }) => customer.usage.offer === 'legacy');
          legacyTotal = sumDecimals([legacyTotal, ...legacy.map(({ customer }) => customer.usage.cost)]);
          await nextTurn();
          if (call.signal.aborted) throw new ClientGone('the client left while its usage summary was being made');
        }
        return {
          status: 200,
          body: jsonText({
            customersOverBudget: over,
            customersTrendingOver: trending,
            customersWithUsageBasedSubscription: count,
            resourceId: period.id,
            resourceName: period.name,
            billingStartDate: period.billingStart,
            billingEndDate: period.billingEnd,
            totalCost: new NumberText(legacyTotal),
            currencyLocale: period.currencyLocale,
            lastModifiedDate: lastModified,
            links: selfLink(call.selfUri),
            attributes: { objectType: 'PartnerUsageSummary' },
          }),
        };
      },
    },
  };
}
