// The tables' rows as the domains' records, and the column lists both engines select: the schema
// is the same on SQLite and PostgreSQL (flags are integers 0 or 1 on both), so one mapping serves.
import type { CustomerField, CustomerRecord, PartnerRecord, PortfolioSeed } from './customer-store.js';
import type { UsageStanding } from './threshold-store.js';
import type {
  DeliveryAttemptRecord,
  DeliveryState,
  WebhookEventRecord,
  WebhookRegistrationRecord,
} from './webhook-store.js';

/**
 * The statements that delete the rows of the partners `where` selects (a condition on
 * `partner_id`) from `partnerTables`, every table with a `partner_id` column (read from the schema
 * at open, so a table added later is covered), and the attempts of their webhook events. The
 * partner's row, then its customers' first: the order a PATCH locks in (customer row, then its
 * budget), so a deletion and a PATCH of the same customer wait for each other, never deadlock.
 * `data` keeps the partners' rows and tokens.
 */
export function partnerRowDeletes(
  partnerTables: readonly string[],
  where: string,
  what: 'everything' | 'data',
): string[] {
  const kept = what === 'data' ? ['partners', 'partner_tokens'] : [];
  const order = (table: string) => ['partners', 'customers'].indexOf(table) >>> 0;
  const tables = partnerTables.filter((table) => !kept.includes(table)).sort((a, b) => order(a) - order(b));
  return tables.flatMap((table) => [
    ...(table === 'webhook_events'
      ? [`DELETE FROM webhook_attempts WHERE event_id IN (SELECT event_id FROM webhook_events WHERE ${where})`]
      : []),
    `DELETE FROM "${table}" WHERE ${where}`,
  ]);
}

/** Selects the rows of the config's partners (every partner but the namespaces), for `partnerRowDeletes`. */
export const CONFIG_PARTNERS = "partner_id NOT IN (SELECT partner_id FROM partners WHERE origin = 'namespace')";

export interface CustomerRow {
  customer_id: string;
  company_name: string;
  domain: string;
  relationship: string;
  associated_partner_id: string | null;
  indirect_provider: string | null;
  offer: 'azurePlan' | 'legacy' | 'none';
  currency: string | null;
  total_cost: string | null;
  usd_total_cost: string | null;
  last_modified: string | null;
  amount: string | null;
}

export interface PartnerRow {
  partner_id: string;
  name: string;
  billing_start: string;
  billing_end: string;
  currency_locale: string;
}

export function toCustomerRecord(row: CustomerRow): CustomerRecord {
  return {
    id: row.customer_id,
    companyName: row.company_name,
    domain: row.domain,
    relationship: row.relationship,
    associatedPartnerId: row.associated_partner_id ?? undefined,
    indirectProvider: row.indirect_provider ?? undefined,
    usage:
      row.offer === 'none'
        ? undefined
        : {
            offer: row.offer,
            currency: row.currency ?? '',
            cost: row.total_cost ?? '0',
            usdCost: row.usd_total_cost ?? undefined,
            lastModified: row.last_modified ?? '',
          },
  };
}

export function toPartnerRecord(row: PartnerRow): PartnerRecord {
  return {
    id: row.partner_id,
    name: row.name,
    billingStart: row.billing_start,
    billingEnd: row.billing_end,
    currencyLocale: row.currency_locale,
  };
}

/** The folded column of each filterable field; a fixed list, so no request text reaches the SQL. */
export const FOLDED: Readonly<Record<CustomerField, string>> = {
  companyName: 'company_name_folded',
  domain: 'domain_folded',
  associatedPartnerId: 'associated_partner_id_folded',
  indirectProvider: 'indirect_provider_folded',
};

export const fold = (value: string | undefined) => (value === undefined ? null : value.toLowerCase());

/** A seeded customer's `customers` row, in the insert's column order (`customer_id` to `indirect_provider_folded`). */
export const customerValues = (customer: PortfolioSeed['customers'][number], partnerId: string, position: number) => [
  customer.id,
  partnerId,
  position,
  customer.companyName,
  customer.domain,
  customer.relationship,
  customer.associatedPartnerId ?? null,
  customer.indirectProvider ?? null,
  customer.usage?.offer ?? 'none',
  customer.usage?.currency ?? null,
  customer.usage?.cost ?? null,
  customer.usage?.usdCost ?? null,
  customer.usage?.lastModified ?? null,
  customer.companyName.toLowerCase(),
  customer.domain.toLowerCase(),
  fold(customer.associatedPartnerId),
  fold(customer.indirectProvider),
];

export const CUSTOMER_COLUMNS = `c.customer_id, c.company_name, c.domain, c.relationship, c.associated_partner_id,
    c.indirect_provider, c.offer, c.currency, c.total_cost, c.usd_total_cost, c.last_modified, b.amount`;

export interface StandingRow {
  customer_id: string;
  partner_id: string;
  billing_start: string;
  offer: 'azurePlan' | 'legacy';
  currency: string | null;
  total_cost: string | null;
  usd_total_cost: string | null;
  last_modified: string | null;
  amount: string | null;
  crossing_start: string | null;
  over_budget: number | null;
}

export const toStanding = (row: StandingRow): UsageStanding => ({
  customerId: row.customer_id,
  partnerId: row.partner_id,
  billingStart: row.billing_start,
  usage: {
    offer: row.offer,
    currency: row.currency ?? '',
    cost: row.total_cost ?? '0',
    usdCost: row.usd_total_cost ?? undefined,
    lastModified: row.last_modified ?? '',
  },
  budget: row.amount,
  crossing:
    row.crossing_start === null ? undefined : { billingStart: row.crossing_start, overBudget: row.over_budget === 1 },
});

export const STANDING = `SELECT c.customer_id, c.partner_id, p.billing_start, c.offer, c.currency, c.total_cost, c.usd_total_cost,
    c.last_modified, b.amount, x.billing_start AS crossing_start, x.over_budget
  FROM customers c JOIN partners p USING (partner_id) LEFT JOIN budgets b USING (partner_id, customer_id)
    LEFT JOIN budget_crossings x USING (partner_id, customer_id)`;

export interface RegistrationRow {
  partner_id: string;
  subscriber_id: string;
  webhook_url: string;
  webhook_events: string;
  signature_in_ms_header: number;
  last_modified: string;
}

export interface EventRow {
  event_id: string;
  partner_id: string;
  event_name: string;
  body: string;
  correlation_id: string | null;
  callback_url: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: number;
  raised_at: number;
  settled_at: number | null;
}

export interface AttemptRow {
  attempt: number;
  url: string;
  started_at: string;
  status: number | null;
  response_code: string;
  response_message: string;
  system_error: number;
}

export const toRegistration = (row: RegistrationRow): WebhookRegistrationRecord => ({
  partnerId: row.partner_id,
  subscriberId: row.subscriber_id,
  webhookUrl: row.webhook_url,
  webhookEvents: JSON.parse(row.webhook_events) as string[],
  signatureInMsSignatureHeader: row.signature_in_ms_header === 1,
  lastModified: row.last_modified,
});

export const toAttempt = (row: AttemptRow): DeliveryAttemptRecord => ({
  attempt: row.attempt,
  url: row.url,
  startedAt: row.started_at,
  status: row.status,
  responseCode: row.response_code,
  responseMessage: row.response_message,
  systemError: row.system_error === 1,
});

export const EVENT_COLUMNS = `event_id, partner_id, event_name, body, correlation_id, callback_url, state, attempts,
  next_attempt_at, raised_at, settled_at`;

/** The values of a `webhook_attempts` row, in its columns' order (`event_id` to `system_error`). */
export const attemptValues = (eventId: string, attempt: DeliveryAttemptRecord) => [
  eventId,
  attempt.attempt,
  attempt.url,
  attempt.startedAt,
  attempt.status,
  attempt.responseCode,
  attempt.responseMessage,
  attempt.systemError ? 1 : 0,
];

/** An event row with its attempts, as the outbox lists it. */
export const toEvent = (row: EventRow, attempts: readonly AttemptRow[]): WebhookEventRecord => ({
  eventId: row.event_id,
  partnerId: row.partner_id,
  eventName: row.event_name,
  body: row.body,
  correlationId: row.correlation_id ?? undefined,
  callbackUrl: row.callback_url,
  state: row.state,
  raisedAt: row.raised_at,
  settledAt: row.settled_at ?? undefined,
  nextAttemptAt: row.state === 'pending' ? row.next_attempt_at : undefined,
  attempts: attempts.map(toAttempt),
});
