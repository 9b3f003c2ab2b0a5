import type { OpenAPIV3 } from 'openapi-types';
import { MOCK_ADMIN_HEADER, MOCK_ADMIN_HEADER_VALUE, MOCK_ADMIN_PATH } from './control-surface.js';

// A decimal written out in full (the API spec's `Decimal`); the controls check `> 0` in code.
const DECIMAL = '^(0|[1-9][0-9]*)([.][0-9]+)?$';

const json = (schema: string): OpenAPIV3.MediaTypeObject => ({ schema: { $ref: `#/components/schemas/${schema}` } });
const error = (description: string): OpenAPIV3.ResponseObject => ({
  description,
  content: { 'application/json': json('AdminError') },
});
const done: OpenAPIV3.ResponseObject = { description: 'Done; no body.' };
/** What any request of the controls may be answered before it runs (see control-guard.ts). */
const guarded: Record<string, OpenAPIV3.ResponseObject> = {
  '403': error(
    `No \`${MOCK_ADMIN_HEADER}: ${MOCK_ADMIN_HEADER_VALUE}\` header (\`MockHeaderRequired\`), or an \`Origin\` of another site (\`CrossOriginRequest\`).`,
  ),
  '415': error('A body, or a `Content-Type`, other than `application/json` (`UnsupportedMediaType`).'),
  '421': error(
    'A `Host` that is not loopback, an IP address, the host the mock listens on or an allowed host (`MisdirectedRequest`).',
  ),
};

/**
 * The test controls' own OpenAPI 3.0 document: the one description of the admin surface (served
 * at `/_mock/openapi.json`, shipped by `@usagebudget/mock`), and the schema fault rules are
 * validated with.
 */
export const testControlsSpec: OpenAPIV3.Document = {
  openapi: '3.0.3',
  info: {
    title: 'usagebudget mock: test controls',
    version: '1.0.0',
    description: `The test controls of the stateful mock of the Partner Center usage budget API (the reference
server started with test controls, as \`@usagebudget/mock\` does). A server in its normal mode has
none of these paths: it answers 404 under \`${MOCK_ADMIN_PATH}\`.

- **Fault rules** make matching requests of the API fail: a status with the spec's example body
  for it, a delay, or a dropped connection, for the next \`times\` matching requests or always. The
  first rule that matches a request answers it. A request's own \`Prefer: code=503\` header (with
  \`example=NAME\` to pick the body, as Prism reads it) answers it with that status before any rule.
- **The journal** keeps the requests of the API (not of these controls): method, path,
  operation, headers (every credential redacted, below) and body, with the status answered; the newest
  that fit in its budget of bytes (32 MiB by default), the oldest dropped first and counted.
- **Usage and webhooks.** \`POST ${MOCK_ADMIN_PATH}/usage\` makes a customer's cost grow, so its budget is
  crossed as it would be (raising \`usagerecords-thresholdExceeded\`); \`POST ${MOCK_ADMIN_PATH}/webhooks/events\`
  raises any event now; \`GET ${MOCK_ADMIN_PATH}/webhooks/deliveries\` lists the events with their delivery
  attempts (parked ones included). Events are signed with the mock's own test root
  (\`/webhooks/certificates/root.pem\`, and \`startMock()\`'s \`webhooks.rootCertificate\`).
- **Reset** deletes every stored customer, budget, webhook registration and event, rule and journal entry and applies the seed again;
  **replacing the seed** does the same with a new one. Either cancels the API's requests accepted
  before it and not yet answered, so that none lands after it: one the mock still holds (a rule's
  \`delayMs\`, or the body of a faulted request) is answered \`409\` with the code \`MockReset\` (final:
  a client does not retry it into the next test) and its connection closed; one the API is serving
  (its body still arriving, or a long answer being written) has its connection closed.

Every request carries \`${MOCK_ADMIN_HEADER}: ${MOCK_ADMIN_HEADER_VALUE}\` (the security scheme below), and is sent to
loopback, an IP address or a host the mock was told to allow, with any body as \`application/json\`:
a web page open in the developer's browser can send none of this to the mock (a custom header to
another origin needs a CORS preflight, which the controls never consent to; a name of its own
resolving to 127.0.0.1, DNS rebinding, shows in \`Host\`). These checks are not authentication: the
mock is for tests, on loopback or a CI network.`,
  },
  servers: [{ url: '/' }],
  security: [{ mockControlHeader: [] }],
  paths: {
    [`${MOCK_ADMIN_PATH}/openapi.json`]: {
      get: {
        operationId: 'getTestControlsSpec',
        summary: 'This document',
        responses: {
          ...guarded,
          '200': { description: 'This OpenAPI document.', content: { 'application/json': {} } },
        },
      },
    },
    [`${MOCK_ADMIN_PATH}/faults`]: {
      get: {
        operationId: 'listFaultRules',
        summary: 'The fault rules in force, in the order they are tried',
        responses: {
          ...guarded,
          '200': { description: 'The rules.', content: { 'application/json': json('FaultRules') } },
        },
      },
      post: {
        operationId: 'addFaultRule',
        summary: 'Add a fault rule, tried after those already in force',
        requestBody: { required: true, content: { 'application/json': json('FaultRule') } },
        responses: {
          ...guarded,
          '201': { description: 'The rule, with its id.', content: { 'application/json': json('ActiveFaultRule') } },
          '400': error('The rule is invalid: `data` names each bad field (an unknown operationId is one).'),
        },
      },
      delete: {
        operationId: 'clearFaultRules',
        summary: 'Remove every fault rule',
        responses: { ...guarded, '204': done },
      },
    },
    [`${MOCK_ADMIN_PATH}/faults/{id}`]: {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      delete: {
        operationId: 'removeFaultRule',
        summary: 'Remove one fault rule',
        responses: { ...guarded, '204': done, '404': error('No rule has this id (it may have run out).') },
      },
    },
    [`${MOCK_ADMIN_PATH}/journal`]: {
      get: {
        operationId: 'readJournal',
        summary: 'The requests received, oldest first, optionally filtered',
        parameters: [
          { name: 'method', in: 'query', schema: { type: 'string' }, description: 'Only this method (any case).' },
          { name: 'operationId', in: 'query', schema: { type: 'string' }, description: 'Only this operation.' },
          {
            name: 'customer',
            in: 'query',
            schema: { type: 'string' },
            description: 'Only requests naming this customer tenant ID (any case).',
          },
          { name: 'status', in: 'query', schema: { type: 'integer' }, description: 'Only requests answered so.' },
        ],
        responses: {
          ...guarded,
          '200': { description: 'The matching entries.', content: { 'application/json': json('Journal') } },
          '400': error('A filter is invalid.'),
        },
      },
      delete: {
        operationId: 'clearJournal',
        summary: 'Forget every request received so far',
        responses: { ...guarded, '204': done },
      },
    },
    [`${MOCK_ADMIN_PATH}/reset`]: {
      post: {
        operationId: 'reset',
        summary:
          'Delete all stored data, fault rules and journal entries, then apply the seed again; cancel the requests accepted before',
        responses: { ...guarded, '204': done },
      },
    },
    [`${MOCK_ADMIN_PATH}/seed`]: {
      get: {
        operationId: 'readSeed',
        summary: 'The seed in force, as it was given',
        responses: { ...guarded, '200': { description: 'The seed.', content: { 'application/json': json('Seed') } } },
      },
      put: {
        operationId: 'replaceSeed',
        summary: 'Replace the seed, then reset (requests accepted before are cancelled as by a reset)',
        requestBody: { required: true, content: { 'application/json': json('Seed') } },
        responses: {
          ...guarded,
          '204': done,
          '400': error('The seed is invalid: `data` lists every problem, each naming its place.'),
        },
      },
    },
    [`${MOCK_ADMIN_PATH}/usage`]: {
      post: {
        operationId: 'increaseCost',
        summary: "Make a customer's cost this billing period grow, as Partner Center's usage figures do",
        description: `Adds \`increaseBy\` to the customer's \`totalCost\` (and \`usdIncreaseBy\`, or the same for an
Azure plan in USD, to \`usdTotalCost\`), as the next usage summary and records show, and evaluates
its budget in the same transaction: a cost pushed past the budget raises
\`usagerecords-thresholdExceeded\`, delivered signed to the partner's registration, once per
crossing per billing period, as a real crossing would.`,
        requestBody: { required: true, content: { 'application/json': json('CostIncrease') } },
        responses: {
          ...guarded,
          '200': { description: "The customer's usage now.", content: { 'application/json': json('CostChange') } },
          '400': error('The request is invalid (`InvalidRequest`): `data` names each bad field.'),
          '404': error(
            'No customer of the seed with a usage-based subscription has this tenant ID (`CustomerNotFound`).',
          ),
        },
      },
    },
    [`${MOCK_ADMIN_PATH}/webhooks/events`]: {
      post: {
        operationId: 'raiseWebhookEvent',
        summary: "Raise any event now, delivered signed to the partner's registration",
        description: `Raises an event the API offers (\`GET /webhooks/v1/registration/events\`) for a partner (the
seed's first by default): delivered like any other (signed with the mock's test root, retried,
parked after 10 attempts) when the partner's registration lists it; \`409\` otherwise.`,
        requestBody: { required: true, content: { 'application/json': json('WebhookEventToRaise') } },
        responses: {
          ...guarded,
          '202': {
            description: 'The event is in the outbox.',
            content: { 'application/json': json('RaisedWebhookEvent') },
          },
          '400': error('The request is invalid, or names an event the API does not offer (`InvalidRequest`).'),
          '404': error('The seed has no partner with this ID (`PartnerNotFound`).'),
          '409': error('The partner has no registration, or one that does not list the event (`NotRegistered`).'),
        },
      },
    },
    [`${MOCK_ADMIN_PATH}/webhooks/deliveries`]: {
      get: {
        operationId: 'readWebhookDeliveries',
        summary: 'The events raised, oldest first, each with its delivery attempts',
        parameters: [
          {
            name: 'partner',
            in: 'query',
            schema: { type: 'string', format: 'uuid' },
            description: "Only this partner's.",
          },
          {
            name: 'state',
            in: 'query',
            schema: { type: 'string', enum: ['pending', 'delivered', 'parked'] },
            description: 'Only events in this state: `parked` after 10 failed attempts.',
          },
        ],
        responses: {
          ...guarded,
          '200': { description: 'The events.', content: { 'application/json': json('WebhookDeliveries') } },
          '400': error('A filter is invalid (`InvalidQuery`).'),
        },
      },
    },
  },
  components: {
    securitySchemes: {
      mockControlHeader: {
        type: 'apiKey',
        in: 'header',
        name: MOCK_ADMIN_HEADER,
        description: `Always \`${MOCK_ADMIN_HEADER_VALUE}\`: not a secret, a header no web page can send to the mock unasked.`,
      },
    },
    schemas: {
      FaultRule: {
        type: 'object',
        additionalProperties: false,
        description: `Which requests fail, and how. Every matcher given must match; none matches every request of the
API. It needs at least one of \`status\`, \`drop\` and \`delayMs\`; a delay alone slows the request,
which is then answered as usual.`,
        properties: {
          method: {
            type: 'string',
            enum: ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'],
            description: 'Only requests with this method.',
          },
          operationId: {
            type: 'string',
            minLength: 1,
            description: "Only requests of this operation of the API's spec; an operationId the spec lacks is refused.",
          },
          customer: {
            type: 'string',
            format: 'uuid',
            description:
              'Only requests whose path names this customer tenant ID (any case). With an `operationId` whose path names no customer (`listCustomers`, `listCustomerUsageRecords`, `getPartnerUsageSummary`), the rule is refused: it would never match.',
          },
          status: {
            type: 'integer',
            minimum: 400,
            maximum: 599,
            description: `Answer with this status. The body is the spec's first example for it (the operation's own,
else any operation's), or \`example\`; the response carries the spec's documented headers for it.`,
          },
          example: {
            type: 'string',
            minLength: 1,
            description: "The name of the spec's example to answer with (needs `status` and `operationId`).",
          },
          retryAfter: {
            type: 'integer',
            minimum: 0,
            maximum: 86400,
            description:
              'The `Retry-After` header, in seconds (needs `status`). Default 1 where the spec documents it (429).',
          },
          delayMs: {
            type: 'integer',
            minimum: 0,
            maximum: 300000,
            description: 'Wait this long first, then answer (with `status`), drop (with `drop`), or serve as usual.',
          },
          drop: {
            type: 'boolean',
            description: 'Close the connection without answering, once the request has arrived.',
          },
          times: {
            type: 'integer',
            minimum: 1,
            description: 'Apply to the next `times` matching requests, then go. Absent: always.',
          },
        },
      },
      ActiveFaultRule: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'rule', 'matched', 'remaining'],
        properties: {
          id: { type: 'string', description: 'Names the rule for `DELETE /_mock/faults/{id}`.' },
          rule: { $ref: '#/components/schemas/FaultRule' },
          matched: { type: 'integer', minimum: 0, description: 'Requests it has answered so far.' },
          remaining: {
            type: 'integer',
            minimum: 1,
            nullable: true,
            description: 'Requests it will still answer; `null`: always.',
          },
        },
      },
      FaultRules: {
        type: 'object',
        additionalProperties: false,
        required: ['rules'],
        properties: { rules: { type: 'array', items: { $ref: '#/components/schemas/ActiveFaultRule' } } },
      },
      JournalEntry: {
        type: 'object',
        additionalProperties: false,
        required: [
          'id',
          'time',
          'method',
          'path',
          'query',
          'operationId',
          'customer',
          'headers',
          'body',
          'bodyBytes',
          'bodyTruncated',
          'status',
          'fault',
        ],
        properties: {
          id: { type: 'integer', minimum: 1, description: 'Increases with each request.' },
          time: { type: 'string', format: 'date-time', description: 'When the request arrived.' },
          method: { type: 'string' },
          path: { type: 'string', description: 'Without the query string.' },
          query: {
            type: 'string',
            description:
              'The query string without `?`; empty when none. A parameter whose name suggests a credential (`access_token`, `api_key`, `sig`, `code`...) has its value `[redacted]`.',
          },
          operationId: {
            type: 'string',
            nullable: true,
            description: "The spec's operation; `null` when none matched.",
          },
          customer: {
            type: 'string',
            nullable: true,
            description: 'The customer tenant ID the path names, lower case; `null` when it names none.',
          },
          headers: {
            type: 'object',
            description:
              'Lower-case names. No credential is kept, whatever its format: `authorization` and `proxy-authorization` keep their scheme only (`Bearer [redacted]`; `[redacted]` when none is sent); `cookie`, `set-cookie`, `dpop` and every header whose name suggests a credential (`token`, `secret`, `password`, `auth`, `session`, `signature`, `api-key`, a name ending in `-key`, such as `x-api-key`, `x-auth-token`, `ocp-apim-subscription-key`, `x-functions-key`, `x-amz-security-token`) are `[redacted]`. The headers the API spec declares (`ms-requestid`, `ms-continuationtoken`...) are kept.',
            additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          },
          body: {
            description:
              'The body: its JSON value when it parses, else its text; `null` when empty. A body past 64 KiB is cut there and shown as text (`bodyTruncated`).',
          },
          bodyBytes: { type: 'integer', minimum: 0, description: 'The size of the body as it arrived, in bytes.' },
          bodyTruncated: {
            type: 'boolean',
            description: 'True when the body was longer than the 64 KiB the journal keeps: `body` is its first 64 KiB.',
          },
          status: {
            type: 'integer',
            nullable: true,
            description: 'The status answered; `null` when the connection was dropped, or no answer was sent yet.',
          },
          fault: {
            type: 'string',
            nullable: true,
            description: 'The id of the fault rule that answered, `prefer` for a `Prefer` header, `null` for none.',
          },
        },
      },
      Journal: {
        type: 'object',
        additionalProperties: false,
        required: ['entries', 'dropped', 'bytes', 'maxBytes'],
        properties: {
          entries: { type: 'array', items: { $ref: '#/components/schemas/JournalEntry' } },
          dropped: {
            type: 'integer',
            minimum: 0,
            description: 'Older entries forgotten since the last clear, to keep the journal within `maxBytes`.',
          },
          bytes: {
            type: 'integer',
            minimum: 0,
            description:
              'What the entries kept now count against the budget, all of them (not only those the filters let through): each its headers, path, query and body, plus 1 KiB.',
          },
          maxBytes: {
            type: 'integer',
            minimum: 0,
            description:
              "The journal's budget: the newest entries that fit are kept, the oldest go first. 32 MiB unless the mock was started with another (`journalMaxBytes`, `--journal-max-bytes`).",
          },
        },
      },
      Seed: {
        type: 'object',
        description: `The server's config format (see the server's README): partners with their tokens, billing
period and customers; each customer with its offer, currency, this period's cost and starting budget,
from which the usage summaries and records are derived (percent used, counts, totals); generated
portfolios; \`throttle\`. The server checks it, each value against the API spec's schema for it, and
names every bad field by its place (\`partners[0].customers[1].cost\`).`,
        required: ['partners'],
        properties: {
          partners: { type: 'array', items: { type: 'object' } },
          throttle: { type: 'object' },
          continuationTokenSecret: { type: 'string', minLength: 32 },
        },
      },
      CostIncrease: {
        type: 'object',
        additionalProperties: false,
        required: ['customer', 'increaseBy'],
        properties: {
          customer: { type: 'string', format: 'uuid', description: 'The customer tenant ID (any case).' },
          increaseBy: {
            type: 'string',
            pattern: DECIMAL,
            description:
              'Added to its `totalCost`, in its currency: a decimal string above 0 (`"12.5"`), every digit kept.',
          },
          usdIncreaseBy: {
            type: 'string',
            pattern: DECIMAL,
            description:
              'Added to its `usdTotalCost`. Default: `increaseBy` for an Azure plan in USD; otherwise unchanged.',
          },
        },
      },
      CostChange: {
        type: 'object',
        additionalProperties: false,
        required: [
          'customer',
          'partner',
          'totalCost',
          'usdTotalCost',
          'budget',
          'overBudget',
          'thresholdExceeded',
          'eventId',
        ],
        properties: {
          customer: { type: 'string', format: 'uuid' },
          partner: { type: 'string', format: 'uuid' },
          totalCost: { type: 'string', description: 'Its cost this billing period now, every digit.' },
          usdTotalCost: { type: 'string', nullable: true },
          budget: { type: 'string', nullable: true, description: 'Its budget, as decimal text; `null` without one.' },
          overBudget: { type: 'boolean', description: 'Its cost is strictly above its budget.' },
          thresholdExceeded: {
            type: 'boolean',
            description:
              'This increase crossed the budget and raised `usagerecords-thresholdExceeded` (the partner registered for it).',
          },
          eventId: {
            type: 'string',
            nullable: true,
            description: 'The event raised, as `readWebhookDeliveries` lists it.',
          },
        },
      },
      WebhookEventToRaise: {
        type: 'object',
        additionalProperties: false,
        required: ['eventName'],
        properties: {
          eventName: { type: 'string', minLength: 1, description: 'An event the API offers.' },
          partner: {
            type: 'string',
            format: 'uuid',
            description: "The partner's tenant ID; default the seed's first partner.",
          },
          resourceUri: {
            type: 'string',
            nullable: true,
            description:
              "The event's `ResourceUri`: absolute, or a path made absolute against the mock's URL. Default: the usage records for `usagerecords-thresholdExceeded`, else `null`.",
          },
          resourceName: { type: 'string', description: 'Default: the one Partner Center documents for the event.' },
          auditUri: { type: 'string', nullable: true, description: 'Default `null`.' },
        },
      },
      RaisedWebhookEvent: {
        type: 'object',
        additionalProperties: false,
        required: ['eventId', 'body'],
        properties: {
          eventId: { type: 'string' },
          body: { type: 'string', description: 'The exact JSON text sent, and signed, at every attempt.' },
        },
      },
      WebhookDeliveryFilter: {
        type: 'object',
        additionalProperties: false,
        description: 'The query of `readWebhookDeliveries`.',
        properties: {
          partner: { type: 'string', format: 'uuid' },
          state: { type: 'string', enum: ['pending', 'delivered', 'parked'] },
        },
      },
      WebhookDeliveries: {
        type: 'object',
        additionalProperties: false,
        required: ['deliveries'],
        properties: { deliveries: { type: 'array', items: { $ref: '#/components/schemas/WebhookDelivery' } } },
      },
      WebhookDelivery: {
        type: 'object',
        additionalProperties: false,
        required: [
          'eventId',
          'partner',
          'eventName',
          'body',
          'correlationId',
          'state',
          'raisedAt',
          'settledAt',
          'nextAttemptAt',
          'attempts',
        ],
        properties: {
          eventId: { type: 'string' },
          partner: { type: 'string', format: 'uuid' },
          eventName: { type: 'string' },
          body: { type: 'string', description: 'The exact JSON text sent.' },
          correlationId: { type: 'string', nullable: true, description: "A test event's." },
          state: {
            type: 'string',
            enum: ['pending', 'delivered', 'parked'],
            description: '`parked`: 10 attempts failed, no more are made.',
          },
          raisedAt: { type: 'string', format: 'date-time' },
          settledAt: {
            type: 'string',
            format: 'date-time',
            nullable: true,
            description: 'When it was delivered or parked.',
          },
          nextAttemptAt: { type: 'string', format: 'date-time', nullable: true, description: 'While pending.' },
          attempts: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['attempt', 'url', 'startedAt', 'status', 'responseCode', 'responseMessage', 'systemError'],
              properties: {
                attempt: { type: 'integer', minimum: 1 },
                url: { type: 'string' },
                startedAt: { type: 'string', format: 'date-time' },
                status: { type: 'integer', nullable: true, description: "The receiver's; `null` without an answer." },
                responseCode: { type: 'string' },
                responseMessage: { type: 'string' },
                systemError: { type: 'boolean' },
              },
            },
          },
        },
      },
      AdminError: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'description'],
        description: "The shape of the API's `ApiFault`.",
        properties: {
          code: { oneOf: [{ type: 'integer' }, { type: 'string' }] },
          description: { type: 'string' },
          data: { type: 'array', items: { type: 'string' }, description: 'The fields or problems at fault.' },
          source: { type: 'string' },
        },
      },
    },
  },
};
