// The events a partner can register for: Partner Center's documented list (its webhook events
// page, 2023 revision, and the current webhooks page), which `GET .../events` answers. The server
// raises `usagerecords-thresholdExceeded` and `test-created` itself; a test control of the mock can
// raise any of them.

/** When a customer's usage passes its budget. */
export const THRESHOLD_EXCEEDED = 'usagerecords-thresholdExceeded';
/** A test event (`POST .../validationEvents`). */
export const TEST_CREATED = 'test-created';

/** Each event the server offers, with the `ResourceName` its body carries. */
const CATALOG: Readonly<Record<string, string>> = {
  [TEST_CREATED]: 'test',
  'subscription-updated': 'subscription',
  [THRESHOLD_EXCEEDED]: 'usagerecords',
  'referral-created': 'referral',
  'referral-updated': 'referral',
  'related-referral-created': 'referral',
  'related-referral-updated': 'referral',
  'granular-admin-relationship-approved': 'GranularAdminRelationship',
  'granular-admin-relationship-activated': 'GranularAdminRelationship',
  'granular-admin-relationship-terminated': 'GranularAdminRelationship',
  'granular-admin-relationship-expired': 'GranularAdminRelationship',
  'granular-admin-access-assignment-created': 'GranularAdminAccessAssignment',
  'granular-admin-access-assignment-activated': 'GranularAdminAccessAssignment',
  'granular-admin-access-assignment-updated': 'GranularAdminAccessAssignment',
  'granular-admin-access-assignment-deleted': 'GranularAdminAccessAssignment',
  'reseller-relationship-accepted-by-customer': 'customer',
  'indirect-reseller-relationship-accepted-by-customer': 'customer',
  'dap-admin-relationship-approved': 'PartnerCustomerDap',
  'dap-admin-relationship-terminated': 'PartnerCustomerDap',
  'dap-admin-relationship-terminated-by-microsoft': 'PartnerCustomerDap',
  'azure-fraud-event-detected': 'fraudEvent',
  'invoice-ready': 'invoice',
};

/** The names `GET /webhooks/v1/registration/events` answers, in Partner Center's order. */
export const WEBHOOK_EVENT_NAMES: readonly string[] = Object.freeze(Object.keys(CATALOG));

/** Whether the server offers an event of this name (compared exactly, as Partner Center spells them). */
export function isOfferedEvent(name: string): boolean {
  return Object.hasOwn(CATALOG, name);
}

/** The `ResourceName` of an offered event's body. */
export function resourceNameOf(eventName: string): string {
  const name = CATALOG[eventName];
  if (name === undefined) throw new Error(`the server offers no event ${eventName}`);
  return name;
}
