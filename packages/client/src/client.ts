import { CallPromise, type WithResponse } from './core/call-promise.js';
import type { CallOptions } from './core/call-types.js';
import type { UsageBudgetClientOptions } from './core/client-options.js';
import { clientDefaults } from './core/defaults.js';
import type { PagedList } from './core/paging.js';
import { isGuid } from './core/rules.js';
import type {
  CustomerListQuery,
  CustomerMonthlyUsageRecord,
  CustomerUsageSummary,
  PartnerUsageSummary,
} from './core/usage-models.js';
import type { WebhookRegistrationRequest } from './core/webhook-models.js';
import type {
  Customer,
  SpendingBudget,
  WebhookRegistration,
  WebhookValidationEventCreated,
  WebhookValidationEventStatus,
} from './generated/models/index.js';
import type { OperationId, OperationParameters } from './generated/requests.js';
import { check } from './internal/argument-checks.js';
import { linkPlan, operationPlan } from './internal/call-plan.js';
import { type CollectionBody, type PageRequest, pagedList } from './internal/paging/paged-list.js';
import { clientPipeline } from './internal/pipeline/client-pipeline.js';
import type { CallPlan, RunCall, SharedResponseBytes } from './internal/pipeline/pipeline.js';
import { type ResolvedClientOptions, resolveClientOptions } from './internal/resolve-options.js';

export type { UsageBudgetClientOptions } from './core/client-options.js';

/** The operations that read or write the webhook registration, whose body is a `WebhookRegistration`. */
type RegistrationOperation = 'getWebhookRegistration' | 'createWebhookRegistration' | 'updateWebhookRegistration';

/** The operations on one customer, whose tenant ID is their path. */
type CustomerOperation = 'getUsageBudget' | 'updateUsageBudget' | 'getCustomerUsageSummary';

/**
 * A client for a customer's usage spending budget. Every method validates its arguments before
 * sending anything, retries transient failures with the same `MS-RequestId`, and fails with a
 * subclass of `PartnerCenterError`. Each returns a {@link CallPromise}: await it for the
 * `SpendingBudget`, or call `.withResponse()` for `{ data, response }`.
 *
 * @example
 * const client = new UsageBudgetClient({ credential: async () => getToken() });
 * const budget = await client.getBudget('0c39d6d5-c70d-4c55-bc02-f620844f3fd1');
 * const { data, response } = await client.setBudget(id, 250.5).withResponse();
 */
export class UsageBudgetClient {
  readonly #options: ResolvedClientOptions;
  readonly #run: RunCall;

  constructor(options: UsageBudgetClientOptions) {
    this.#options = resolveClientOptions(options);
    this.#run = clientPipeline(this.#options);
  }

  /** Reads the customer's budget. `amount` is `null` when none is allocated. */
  getBudget(customerTenantId: string, options?: CallOptions): CallPromise<SpendingBudget> {
    return this.#customerCall('getUsageBudget', customerTenantId, options);
  }

  /** Sets the customer's budget to `amount` (a finite number >= 0) and returns the updated budget. */
  setBudget(customerTenantId: string, amount: number, options?: CallOptions): CallPromise<SpendingBudget> {
    return this.#customerCall('updateUsageBudget', customerTenantId, options, () => {
      check(
        typeof amount === 'number' && Number.isFinite(amount) && amount >= 0,
        'amount',
        'must be a finite number >= 0 (clearBudget() removes a budget)',
        amount,
      );
      return { amount };
    });
  }

  /** Removes the customer's budget (`amount: null`) and returns the updated budget. */
  clearBudget(customerTenantId: string, options?: CallOptions): CallPromise<SpendingBudget> {
    return this.#customerCall('updateUsageBudget', customerTenantId, options, () => ({ amount: null }));
  }

  /**
   * The partner's customers, a page at a time (`GET /v1/customers`), following `links.next` with
   * every header it lists (`MS-ContinuationToken`). Iterate it with `for await` for every
   * customer, or call `byPage()` for the pages and their continuation tokens. Each page is a call
   * of its own (retried, with its own `MS-RequestId`); the pages of one walk share one
   * `MS-CorrelationId`. `options.signal` stops the walk between pages and during one.
   *
   * A `size` outside 1 to 500, or a filter that is not `{ Field, Value, Operator }` with a
   * documented field and operator, fails the first page with a `ValidationError`: nothing is sent.
   *
   * @example
   * const filter = { Field: 'CompanyName', Value: 'Cont', Operator: 'starts_with' } as const;
   * for await (const customer of client.listCustomers({ filter })) {
   *   console.log(customer.id, customer.companyProfile.companyName);
   * }
   */
  listCustomers(query?: CustomerListQuery, options?: CallOptions): PagedList<Customer> {
    return pagedList<Customer>(
      async (request, correlationId) => {
        const { customerListParameters } = await import('./internal/paging/customer-list.js');
        return this.#page('listCustomers', request, { ...options, correlationId }, () =>
          customerListParameters(query, request.continuationToken),
        );
      },
      this.#options.maxPages,
      options?.correlationId,
    );
  }

  /**
   * The customer's budget next to the estimated cost of its usage in the current billing period
   * (`GET /v1/customers/{customerTenantId}/usagesummary`), costs as exact decimal strings. Needs an
   * app+user token: an app-only one gets a `PermissionDeniedError` (code `TokenKindNotAccepted`).
   * A customer without a usage-based subscription is a `NotFoundError` (`NoUsageBasedSubscription`).
   */
  getCustomerUsageSummary(customerTenantId: string, options?: CallOptions): CallPromise<CustomerUsageSummary> {
    return this.#customerCall('getCustomerUsageSummary', customerTenantId, options);
  }

  /**
   * The usage record of every customer with a usage-based subscription
   * (`GET /v1/customers/usagerecords`): budget, cost and percent used, costs as exact decimal
   * strings. Resolves to the records; `.withResponse()` adds the response's metadata. The
   * collection is not paged, but should a response carry `links.next`, it is followed and the
   * records of every page are returned (`response` is then the last page's). Needs an app+user
   * token, as {@link UsageBudgetClient.getCustomerUsageSummary} does.
   */
  listCustomerUsageRecords(options?: CallOptions): CallPromise<CustomerMonthlyUsageRecord[]> {
    // One body's cap for all the pages.
    const max = this.#options.maxResponseBytes ?? clientDefaults.usageRecordsMaxResponseBytes;
    const bytes: SharedResponseBytes = { max, left: max };
    const fetchPage = (request: PageRequest, correlationId: string) =>
      this.#page<CustomerMonthlyUsageRecord, 'listCustomerUsageRecords'>(
        'listCustomerUsageRecords',
        request,
        { ...options, correlationId },
        () => ({}),
        bytes,
      );
    const walk = import('./internal/paging/page-walk.js');
    return new CallPromise(
      walk.then(({ allUsageRecords }) => allUsageRecords(fetchPage, this.#options.maxPages, options?.correlationId)),
    );
  }

  /**
   * The partner's usage summary (`GET /v1/usagesummary`). Needs an app+user token.
   *
   * @deprecated Partner Center plans to retire this operation, and its `totalCost` leaves out
   * customers on an Azure plan. Use {@link UsageBudgetClient.listCustomerUsageRecords} and count or
   * sum its records instead.
   */
  getPartnerUsageSummary(options?: CallOptions): CallPromise<PartnerUsageSummary> {
    return new CallPromise(this.#start(() => operationPlan('getPartnerUsageSummary', {}, { options })));
  }

  /**
   * The names of the events a registration may list (`GET /webhooks/v1/registration/events`),
   * such as `usagerecords-thresholdExceeded` and `test-created`.
   */
  listWebhookEvents(options?: CallOptions): CallPromise<string[]> {
    return new CallPromise(this.#start(() => operationPlan('listWebhookEvents', {}, { options })));
  }

  /**
   * The partner's webhook registration (`GET /webhooks/v1/registration`), read in camelCase
   * whichever casing the service writes. None registered: a `NotFoundError`
   * (`WebhookRegistrationNotFound`).
   */
  getWebhookRegistration(options?: CallOptions): CallPromise<WebhookRegistration> {
    return this.#registrationCall('getWebhookRegistration', options);
  }

  /**
   * Registers where events are sent, and which (`POST /webhooks/v1/registration`). The URL must
   * be absolute `https` (`http` for a test receiver), without user name, password or fragment;
   * the events 1 to 64 distinct names from {@link UsageBudgetClient.listWebhookEvents}: anything
   * else is a `ValidationError` and nothing is sent. A partner has one registration: a second
   * `POST` is a `ConflictError` (`WebhookRegistrationExists`); replace it with
   * {@link UsageBudgetClient.updateWebhookRegistration}.
   */
  createWebhookRegistration(
    registration: WebhookRegistrationRequest,
    options?: CallOptions,
  ): CallPromise<WebhookRegistration> {
    return this.#registrationCall('createWebhookRegistration', options, registration);
  }

  /**
   * Replaces the registration (`PUT /webhooks/v1/registration`), checked as
   * {@link UsageBudgetClient.createWebhookRegistration} checks it. `signatureTokenToMsSignatureHeader`
   * left out is `false`. None registered: a `NotFoundError`.
   */
  updateWebhookRegistration(
    registration: WebhookRegistrationRequest,
    options?: CallOptions,
  ): CallPromise<WebhookRegistration> {
    return this.#registrationCall('updateWebhookRegistration', options, registration);
  }

  /**
   * Sends a `test-created` event to the registered URL
   * (`POST /webhooks/v1/registration/validationEvents`) and resolves with the `correlationId`
   * that reads its delivery. At most 2 a minute (a `RateLimitError` after); the registration must
   * list `test-created` (a `ConflictError`, `TestEventNotRegistered`, otherwise).
   */
  sendWebhookTestEvent(options?: CallOptions): CallPromise<WebhookValidationEventCreated> {
    return new CallPromise(this.#start(() => operationPlan('createWebhookValidationEvent', {}, { options })));
  }

  /**
   * A test event's delivery (`GET /webhooks/v1/registration/validationEvents/{correlationId}`):
   * `status` (`pending`, `completed`, `failed`) and one result per attempt. `correlationId` is the
   * GUID {@link UsageBudgetClient.sendWebhookTestEvent} resolved with.
   */
  getWebhookTestEvent(correlationId: string, options?: CallOptions): CallPromise<WebhookValidationEventStatus> {
    return new CallPromise(
      this.#start(() => {
        check(isGuid(correlationId), 'correlationId', 'must be a GUID', correlationId);
        return operationPlan('getWebhookValidationEvent', { path: { correlationId } }, { options });
      }),
    );
  }

  /**
   * Runs the call `makePlan` plans through the pipeline. The plan is made here, so that an
   * argument it refuses (a `ValidationError`) rejects the call rather than throwing.
   */
  #start<T>(makePlan: () => CallPlan): Promise<WithResponse<T>> {
    try {
      return this.#run<T>(makePlan());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A call on one customer: its tenant ID is checked first, then the body `body` makes (its own checks). */
  #customerCall<T>(
    operationId: CustomerOperation,
    customerTenantId: string,
    options: CallOptions | undefined,
    body?: () => SpendingBudget,
  ): CallPromise<T> {
    let result: Promise<WithResponse<T>>;
    // Planned here, so that an argument it refuses (a `ValidationError`) rejects the call rather than throwing.
    try {
      check(isGuid(customerTenantId), 'customerTenantId', 'must be a GUID', customerTenantId);
      const parameters = { path: { customerTenantId }, ...(body && { body: body() }) };
      const label = `${operationId} ${customerTenantId}`;
      result = this.#run<T>(operationPlan(operationId, parameters as never, { options, label }));
    } catch (error) {
      result = Promise.reject(error);
    }
    return new CallPromise(result);
  }

  /**
   * A call whose answer is the registration, read in camelCase; `registration`, when given, is the
   * body, checked first. Its module is loaded with the first such call.
   */
  #registrationCall(
    operationId: RegistrationOperation,
    options: CallOptions | undefined,
    registration?: WebhookRegistrationRequest,
  ): CallPromise<WebhookRegistration> {
    const result = import('./internal/webhook-registration.js').then(
      async ({ registrationBody, camelRegistration }) => {
        const { data, response } = await this.#start<Record<string, unknown>>(() =>
          operationPlan(operationId, (registration ? { body: registrationBody(registration) } : {}) as never, {
            options,
          }),
        );
        return { data: camelRegistration(data), response };
      },
    );
    return new CallPromise(result);
  }

  /**
   * One page of a listing as a call of its own, with its own request id (a caller's cannot name
   * them all): the first page, or the one a continuation token leads to, with the operation's
   * `parameters`; a next page with the request of its `links.next`, which the walk has checked.
   */
  #page<T, Id extends OperationId>(
    operationId: Id,
    { link }: PageRequest,
    options: CallOptions,
    parameters: () => OperationParameters[Id],
    maxResponseBytes?: SharedResponseBytes,
  ): Promise<WithResponse<CollectionBody<T>>> {
    const settings = { options: { ...options, requestId: undefined }, maxResponseBytes };
    return this.#start(() =>
      link ? linkPlan(operationId, link, settings) : operationPlan(operationId, parameters(), settings),
    );
  }
}
