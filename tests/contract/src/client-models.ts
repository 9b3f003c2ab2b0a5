import type {
  Address,
  ApiFault,
  Customer,
  CustomerBillingProfile,
  CustomerCompanyProfile,
  CustomerMonthlyUsageRecord,
  CustomerUsageSummary,
  KeyValuePair,
  Link,
  PartnerUsageSummary,
  ResourceAttributes,
  ResourceLinks,
  SpendingBudget,
  ThrottleFault,
  WebhookDeliveryResult,
  WebhookRegistration,
  WebhookValidationEventCreated,
  WebhookValidationEventStatus,
} from '@usagebudget/client';
import type { CustomersApi, UsageApi, WebhooksApi } from '@usagebudget/client/raw';
import { resolvePointer } from '@usagebudget/openapi/operations';
import type { OpenAPIV3 } from 'openapi-types';

type ElementOf<T> = T extends readonly (infer Item)[] ? Item : T;
/** The body type of a generated API method: the collections, which the facade unwraps, have no export of their own. */
type BodyOf<Method extends (...args: never[]) => Promise<{ data: unknown }>> = Awaited<ReturnType<Method>>['data'];
type CustomerCollection = BodyOf<CustomersApi['listCustomers']>;
type CustomerMonthlyUsageRecordCollection = BodyOf<UsageApi['listCustomerUsageRecords']>;
type WebhookEventNames = BodyOf<WebhooksApi['listWebhookEvents']>;

/**
 * The property names of a client model, nested models included. Declared with this type, an
 * object literal must list exactly the model's properties, so when the committed client's
 * generated models change, this file stops compiling until it is updated.
 */
export type ModelShape<T> = {
  readonly [K in keyof T]-?: ElementOf<NonNullable<T[K]>> extends object
    ? ModelShape<ElementOf<NonNullable<T[K]>>>
    : true;
};

const keyValuePair: ModelShape<KeyValuePair> = { key: true, value: true };
const link: ModelShape<Link> = { uri: true, method: true, headers: keyValuePair };
const resourceAttributes: ModelShape<ResourceAttributes> = { objectType: true, etag: true };
const resourceLinks: ModelShape<ResourceLinks> = { self: link, next: link, previous: link };
const spendingBudget: ModelShape<SpendingBudget> = {
  amount: true,
  usageSpendingBudget: true,
  attributes: resourceAttributes,
  links: resourceLinks,
};
const address: ModelShape<Address> = {
  id: true,
  country: true,
  region: true,
  city: true,
  state: true,
  district: true,
  addressLine1: true,
  addressLine2: true,
  addressLine3: true,
  postalCode: true,
  firstName: true,
  middleName: true,
  lastName: true,
  phoneNumber: true,
  emailAddress: true,
};
const customer: ModelShape<Customer> = {
  id: true,
  commerceId: true,
  companyProfile: {
    tenantId: true,
    domain: true,
    companyName: true,
    organizationRegistrationNumber: true,
    address,
    email: true,
    links: resourceLinks,
    attributes: resourceAttributes,
  } satisfies ModelShape<CustomerCompanyProfile>,
  billingProfile: {
    id: true,
    firstName: true,
    lastName: true,
    email: true,
    culture: true,
    language: true,
    companyName: true,
    defaultAddress: address,
    links: resourceLinks,
    attributes: resourceAttributes,
  } satisfies ModelShape<CustomerBillingProfile>,
  relationshipToPartner: true,
  allowDelegatedAccess: true,
  customDomains: true,
  associatedPartnerId: true,
  links: resourceLinks,
  attributes: resourceAttributes,
};
const usageRecord: ModelShape<CustomerMonthlyUsageRecord> = {
  budget: spendingBudget,
  customerSpendingBudget: spendingBudget,
  percentUsed: true,
  isUpgraded: true,
  resourceId: true,
  resourceName: true,
  id: true,
  name: true,
  totalCost: true,
  currencyCode: true,
  currencyLocale: true,
  currencySymbol: true,
  usdTotalCost: true,
  lastModifiedDate: true,
  attributes: resourceAttributes,
};

/**
 * The events' names are a list of strings: their model declares no property, so an object in
 * such a body has only fields the client does not know. It compiles only while the client's body
 * for the list is strings.
 */
const webhookEventNames: Readonly<Record<string, never>> = {};
const eventNamesAreStrings: WebhookEventNames extends readonly string[] ? true : never = true;
/** A map whose keys are the data's own (`additionalProperties`): none is unknown, none is checked. */
const ownKeys = true as unknown as ModelShape<Record<string, string>>;

/** The client's models by the name of the spec schema each was generated from. */
export const clientModels: Readonly<Record<string, object>> = {
  SpendingBudget: spendingBudget,
  Customer: customer,
  CustomerCollection: {
    totalCount: true,
    items: customer,
    links: resourceLinks,
    continuationToken: true,
    attributes: resourceAttributes,
  } satisfies ModelShape<CustomerCollection>,
  CustomerUsageSummary: {
    budget: spendingBudget,
    resourceId: true,
    resourceName: true,
    id: true,
    name: true,
    billingStartDate: true,
    billingEndDate: true,
    totalCost: true,
    currencyCode: true,
    currencyLocale: true,
    usdTotalCost: true,
    lastModifiedDate: true,
    links: resourceLinks,
    attributes: resourceAttributes,
  } satisfies ModelShape<CustomerUsageSummary>,
  CustomerMonthlyUsageRecord: usageRecord,
  CustomerMonthlyUsageRecordCollection: {
    totalCount: true,
    items: usageRecord,
    links: resourceLinks,
    attributes: resourceAttributes,
  } satisfies ModelShape<CustomerMonthlyUsageRecordCollection>,
  PartnerUsageSummary: {
    emailsToNotify: true,
    customersOverBudget: true,
    customersTrendingOver: true,
    customersWithUsageBasedSubscription: true,
    resourceId: true,
    resourceName: true,
    id: true,
    name: true,
    billingStartDate: true,
    billingEndDate: true,
    totalCost: true,
    currencyLocale: true,
    currencyCode: true,
    usdTotalCost: true,
    lastModifiedDate: true,
    links: resourceLinks,
    attributes: resourceAttributes,
  } satisfies ModelShape<PartnerUsageSummary>,
  ResourceAttributes: resourceAttributes,
  ResourceLinks: resourceLinks,
  Link: link,
  KeyValuePair: keyValuePair,
  ApiFault: { code: true, description: true, data: true, source: true } satisfies ModelShape<ApiFault>,
  ThrottleFault: { statusCode: true, message: true } satisfies ModelShape<ThrottleFault>,
  WebhookEventNames: eventNamesAreStrings && webhookEventNames,
  WebhookRegistration: {
    subscriberId: true,
    webhookUrl: true,
    webhookEvents: true,
    signatureTokenToMsSignatureHeader: true,
    lastModifiedTimestamp: true,
    properties: ownKeys,
  } satisfies ModelShape<WebhookRegistration>,
  WebhookValidationEventCreated: { correlationId: true } satisfies ModelShape<WebhookValidationEventCreated>,
  WebhookValidationEventStatus: {
    correlationId: true,
    partnerId: true,
    status: true,
    callbackUrl: true,
    results: {
      responseCode: true,
      responseMessage: true,
      systemError: true,
      dateTimeUtc: true,
    } satisfies ModelShape<WebhookDeliveryResult>,
  } satisfies ModelShape<WebhookValidationEventStatus>,
};

const SCHEMA_PREFIX = '#/components/schemas/';

/** The client model generated from the schema at `pointer`; throws when the client has none. */
export function clientModelFor(schemaPointer: string): object {
  const name = schemaPointer.startsWith(SCHEMA_PREFIX) ? schemaPointer.slice(SCHEMA_PREFIX.length) : undefined;
  const model = name === undefined ? undefined : clientModels[name];
  if (!model) throw new Error(`the client has no model for the spec's ${schemaPointer}`);
  return model;
}

/** Paths of the properties in `value` that the client's model does not declare. */
export function fieldsUnknownToClient(value: unknown, model: object, path = ''): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => fieldsUnknownToClient(item, model, `${path}/${index}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const inner = (model as Record<string, unknown>)[key];
    if (inner === undefined) return [`${path}/${key}`];
    return typeof inner === 'object' && inner !== null ? fieldsUnknownToClient(child, inner, `${path}/${key}`) : [];
  });
}

/**
 * Where the schema at `pointer` and the client model disagree on property names, in both
 * directions, nested schemas (`$ref`, `items`) included.
 */
export function schemaModelMismatches(
  document: OpenAPIV3.Document,
  pointer: string,
  model: object,
  path = pointer,
): string[] {
  let schema = resolvePointer<OpenAPIV3.SchemaObject>(document, pointer);
  if (schema.value.type === 'array') schema = resolvePointer(document, `${schema.pointer}/items`);
  const declared = Object.keys(schema.value.properties ?? {});
  const known = Object.keys(model);
  const mismatches = [
    ...declared.filter((key) => !known.includes(key)).map((key) => `${path}/${key}: in the spec, not in the client`),
    ...known.filter((key) => !declared.includes(key)).map((key) => `${path}/${key}: in the client, not in the spec`),
  ];
  for (const key of declared.filter((name) => known.includes(name))) {
    const inner = (model as Record<string, unknown>)[key];
    if (typeof inner === 'object' && inner !== null) {
      mismatches.push(
        ...schemaModelMismatches(document, `${schema.pointer}/properties/${key}`, inner, `${path}/${key}`),
      );
    }
  }
  return mismatches;
}
