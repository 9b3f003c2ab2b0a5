// The webhook registration API of the MSW handlers, stateful as the reference server is: one
// registration per partner (a partner is the `Authorization` it sends), created by `POST` (a
// second is 409), read by `GET` (404 without one), replaced whole by `PUT`; test events limited to
// 2 a minute, each readable by its correlation ID. No process runs behind MSW, so nothing is
// delivered: a test event stays `pending` with no attempts (the stateful mock delivers them).
import { HttpResponse, type HttpResponseResolver } from 'msw';

/** The registrations and test events of a set of MSW handlers; `clear()` forgets them (between tests). */
export interface WebhookRegistry {
  /** Forgets every partner's registration and test events. */
  clear(): void;
}

interface Registration {
  readonly subscriberId: string;
  readonly webhookUrl: string;
  readonly webhookEvents: readonly string[];
  readonly signatureTokenToMsSignatureHeader: boolean;
  readonly lastModifiedTimestamp: string;
}

interface PartnerState {
  registration?: Registration;
  readonly testEvents: Map<string, { callbackUrl: string }>;
  /** When the test events of the last minute were sent, oldest first. */
  testEventTimes: number[];
}

interface RegistryState extends WebhookRegistry {
  partner(request: Request): PartnerState;
}

/** A registry for `createHandlers({ webhooks })`: share one to `clear()` it between tests. */
export function createWebhookRegistry(): WebhookRegistry {
  const partners = new Map<string, PartnerState>();
  const state: RegistryState = {
    clear: () => partners.clear(),
    partner(request) {
      const key = request.headers.get('authorization') ?? '';
      let found = partners.get(key);
      if (!found) {
        found = { testEvents: new Map(), testEventTimes: [] };
        partners.set(key, found);
      }
      return found;
    },
  };
  return state;
}

/** What the webhook resolvers take from the handlers: the spec's documented answers, and its events. */
export interface WebhookAnswers {
  /** The spec's example of this status for the operation (by name, or its first). */
  documented(operationId: string, request: Request, status: number, example?: string): Response;
  /** The event names `GET .../events` answers (the spec's example). */
  readonly eventNames: readonly string[];
  /** The `partnerId` a test event's status carries (the spec's example). */
  readonly partnerId: string;
}

const TEST_EVENTS_PER_MINUTE = 2;
const READ_ONLY = new Set(['subscriberid', 'lastmodifiedtimestamp', 'properties']);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const invalid = (problems: readonly { name: string; message: string }[]) =>
  HttpResponse.json(
    {
      code: 3000,
      description: problems.map(({ name, message }) => `Invalid property '${name}': ${message}.`).join(' '),
      data: [...new Set(problems.map(({ name }) => name))],
      source: 'PartnerFD',
    },
    { status: 400 },
  );

function urlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 2048)
    return 'must be an absolute https URL of at most 2048 characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute https URL without a user name, password or fragment';
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.username || url.password || value.includes('#')) {
    return 'must be an absolute https URL without a user name, password or fragment';
  }
  return undefined;
}

function eventsProblem(value: unknown, offered: readonly string[]): string | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > 64) {
    return 'must be an array of 1 to 64 event names';
  }
  const unknown = value.filter((name) => typeof name !== 'string' || !offered.includes(name));
  if (unknown.length > 0) {
    return `${unknown.map((name) => JSON.stringify(name).replace(/^"|"$/g, '')).join(', ')} ${unknown.length > 1 ? 'are not events' : 'is not an event'} of GET /webhooks/v1/registration/events`;
  }
  const repeated = value.filter((name, index) => value.indexOf(name) !== index);
  return repeated.length > 0
    ? `lists ${[...new Set(repeated)].join(', ')} more than once; list each event once`
    : undefined;
}

/** The registration a `POST` or `PUT` body asks for (property names in any casing), or the 400 that refuses it. */
async function requested(
  request: Request,
  answers: WebhookAnswers,
): Promise<Omit<Registration, 'subscriberId'> | Response> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return HttpResponse.json(
      { code: 800002, description: 'Invalid request input. The request body is not valid JSON.', source: 'PartnerFD' },
      { status: 400 },
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid([{ name: 'body', message: 'must be a JSON object' }]);
  }
  const fields = new Map(Object.entries(body).map(([name, value]) => [name.toLowerCase(), { name, value }]));
  const problems: { name: string; message: string }[] = [];
  for (const required of ['webhookUrl', 'webhookEvents']) {
    if (!fields.has(required.toLowerCase())) {
      problems.push({ name: 'body', message: `must have required property '${required}'` });
    }
  }
  for (const [lower, { name }] of fields) {
    if (
      !['webhookurl', 'webhookevents', 'signaturetokentomssignatureheader'].includes(lower) &&
      !READ_ONLY.has(lower)
    ) {
      problems.push({ name, message: 'is not a property of a webhook registration' });
    }
  }
  if (problems.length > 0) return invalid(problems);
  const webhookUrl = fields.get('webhookurl')?.value;
  const webhookEvents = fields.get('webhookevents')?.value;
  const signature = fields.get('signaturetokentomssignatureheader')?.value ?? false;
  const urlRefusal = urlProblem(webhookUrl);
  if (urlRefusal) problems.push({ name: 'webhookUrl', message: urlRefusal });
  const eventsRefusal = eventsProblem(webhookEvents, answers.eventNames);
  if (eventsRefusal) problems.push({ name: 'webhookEvents', message: eventsRefusal });
  if (typeof signature !== 'boolean') {
    problems.push({ name: 'signatureTokenToMsSignatureHeader', message: 'must be boolean' });
  }
  if (problems.length > 0) return invalid(problems);
  return {
    webhookUrl: webhookUrl as string,
    webhookEvents: [...(webhookEvents as string[])],
    signatureTokenToMsSignatureHeader: signature as boolean,
    lastModifiedTimestamp: new Date().toISOString(),
  };
}

/** A test event, unless the partner has sent 2 in the last minute (then the seconds until it may). */
function throttleWait(partner: PartnerState, now: number): number {
  partner.testEventTimes = partner.testEventTimes.filter((time) => now - time < 60_000);
  const [oldest] = partner.testEventTimes;
  if (partner.testEventTimes.length < TEST_EVENTS_PER_MINUTE || oldest === undefined) return 0;
  return Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000));
}

/** The resolvers of the six webhook operations, by operationId, sharing `registry`. */
export function webhookResolvers(
  registry: WebhookRegistry,
  answers: WebhookAnswers,
): Readonly<Record<string, HttpResponseResolver>> {
  const { partner } = registry as RegistryState;
  const notRegistered = (operationId: string, request: Request) => answers.documented(operationId, request, 404);
  return {
    listWebhookEvents: () => HttpResponse.json([...answers.eventNames]),
    getWebhookRegistration: ({ request }) => {
      const { registration } = partner(request);
      return registration ? HttpResponse.json(registration) : notRegistered('getWebhookRegistration', request);
    },
    createWebhookRegistration: async ({ request }) => {
      const state = partner(request);
      const asked = await requested(request, answers);
      if (asked instanceof Response) return asked;
      if (state.registration) return answers.documented('createWebhookRegistration', request, 409);
      state.registration = { subscriberId: crypto.randomUUID(), ...asked };
      return HttpResponse.json(state.registration);
    },
    updateWebhookRegistration: async ({ request }) => {
      const state = partner(request);
      const asked = await requested(request, answers);
      if (asked instanceof Response) return asked;
      if (!state.registration) return notRegistered('updateWebhookRegistration', request);
      state.registration = { subscriberId: state.registration.subscriberId, ...asked };
      return HttpResponse.json(state.registration);
    },
    createWebhookValidationEvent: ({ request }) => {
      const state = partner(request);
      if (!state.registration) return notRegistered('createWebhookValidationEvent', request);
      if (!state.registration.webhookEvents.includes('test-created')) {
        return answers.documented('createWebhookValidationEvent', request, 409);
      }
      const now = Date.now();
      const wait = throttleWait(state, now);
      if (wait > 0) {
        return HttpResponse.json(
          { statusCode: 429, message: `Rate limit is exceeded. Try again in ${wait} seconds.` },
          { status: 429, headers: { 'Retry-After': String(wait) } },
        );
      }
      state.testEventTimes.push(now);
      const correlationId = crypto.randomUUID();
      state.testEvents.set(correlationId, { callbackUrl: state.registration.webhookUrl });
      return HttpResponse.json({ correlationId });
    },
    getWebhookValidationEvent: ({ request, params }) => {
      const correlationId = String(params.correlationId ?? '').toLowerCase();
      if (!GUID.test(correlationId)) return answers.documented('getWebhookValidationEvent', request, 400);
      const event = partner(request).testEvents.get(correlationId);
      if (!event) return answers.documented('getWebhookValidationEvent', request, 404);
      return HttpResponse.json({
        correlationId,
        partnerId: answers.partnerId,
        status: 'pending',
        callbackUrl: event.callbackUrl,
        results: [],
      });
    },
  };
}
