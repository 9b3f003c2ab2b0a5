// `@usagebudget/mock/msw`: MSW request handlers derived from the bundled spec, for unit and browser
// tests with no process at all. The spec is bundled into this entry at build time (no Node
// import), so a browser bundle needs only `msw`.

import {
  mockPreference,
  pathParameterNames,
  responseExamples,
  responseForStatus,
  responseHeaderExamples,
  type SpecOperation,
  specOperations,
} from '@usagebudget/openapi/operations';
import spec from '@usagebudget/openapi/usagebudget.json' with { type: 'json' };
import { type HttpHandler, HttpResponse, type HttpResponseResolver, http } from 'msw';
import type { OpenAPIV3 } from 'openapi-types';
import { createWebhookRegistry, type WebhookRegistry, webhookResolvers } from './msw-webhooks.js';

export { createWebhookRegistry, type WebhookRegistry };

const document = spec as unknown as OpenAPIV3.Document;
const operations = specOperations(document);
const byOperationId = new Map(operations.map((operation) => [operation.operationId, operation]));

/** The operationIds of the spec, in its order: what `override` accepts. */
export const operationIds: readonly string[] = operations.map((operation) => operation.operationId);

/** Where the handlers answer. */
export interface HandlerOptions {
  /**
   * The API's base URL the handlers answer for, such as `http://127.0.0.1:4010`. Default `*`:
   * any origin, so the client's `cloud` or `baseURL` does not matter.
   */
  baseUrl?: string;
  /**
   * The registrations and test events the webhook operations keep (a partner is the
   * `Authorization` it sends). Default: a registry of these handlers' own. Pass one from
   * `createWebhookRegistry()` to `clear()` it between tests (`server.resetHandlers()` does not).
   */
  webhooks?: WebhookRegistry;
}

/** A fixed answer for `override`: the status (default 200), the JSON body, more headers. */
export interface MockAnswer {
  /** Default 200. */
  status?: number;
  /** Sent as JSON; default `null`. */
  body?: unknown;
  /** More response headers. */
  headers?: Record<string, string>;
}

// MSW's path parameters are identifiers: a name such as `{customer-tenant-id}` would become
// `:customerTenantId`.
const identifier = (name: string) =>
  name.replace(/[^A-Za-z0-9]+(.)?/g, (_, next?: string) => next?.toUpperCase() ?? '');

function mswPath(operation: SpecOperation, baseUrl: string): string {
  let path = operation.path;
  for (const name of pathParameterNames(operation.path)) path = path.replace(`{${name}}`, `:${identifier(name)}`);
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

function operationOf(operationId: string): SpecOperation {
  const operation = byOperationId.get(operationId);
  if (!operation) {
    throw new Error(
      `${JSON.stringify(operationId)} is not an operation of the spec; it has ${operationIds.join(', ')}`,
    );
  }
  return operation;
}

function needsToken(operation: SpecOperation): boolean {
  const security = operation.operation.security ?? document.security ?? [];
  return security.some((requirement) => Object.keys(requirement).length > 0);
}

const fault = (status: number, description: string) =>
  HttpResponse.json({ code: 'InvalidPrefer', description, data: ['Prefer'] }, { status });

interface SelfLink {
  readonly uri: string;
  readonly headers?: readonly { readonly key: string; readonly value: string }[];
}

/**
 * How well an example describes the request, by the example's own `links.self` (the request it
 * answers, as the spec writes it): -1 when it names another path, query value or header value;
 * otherwise 1 plus the query parameters and headers it matched; 0 when it has no self link. The
 * best fit answers, so a paged list's next-page request (`seekOperation=Next` with its
 * `MS-ContinuationToken`) gets the last page, and a customer the spec's examples name gets its own
 * example. Paths compare without regard to case, as tenant GUIDs do.
 */
function fitOf(example: unknown, request: Request): number {
  const self = (example as { links?: { self?: SelfLink } } | null)?.links?.self;
  if (typeof self?.uri !== 'string') return 0;
  const sent = new URL(request.url);
  const link = new URL(self.uri, sent.origin);
  if (link.pathname.toLowerCase() !== sent.pathname.toLowerCase()) return -1;
  let fit = 1;
  for (const [name, value] of link.searchParams) {
    if (sent.searchParams.get(name) !== value) return -1;
    fit += 1;
  }
  for (const { key, value } of self.headers ?? []) {
    if (request.headers.get(key) !== value) return -1;
    fit += 1;
  }
  return fit;
}

/** A documented response of the operation as MSW answers it: the example body and documented headers. */
function documentedAnswer(operation: SpecOperation, request: Request, status: number, exampleName?: string) {
  const response = responseForStatus(operation, status);
  const examples = response ? responseExamples(document, response) : [];
  const example = exampleName
    ? examples.find(({ name }) => name === exampleName)
    : examples
        .map((candidate) => ({ candidate, fit: fitOf(candidate.value, request) }))
        .reduce<{ candidate: (typeof examples)[number]; fit: number } | undefined>(
          (best, next) => (best === undefined || next.fit > best.fit ? next : best),
          undefined,
        )?.candidate;
  if (!response || !example) {
    const names = examples.map(({ name }) => name).join(', ') || 'none';
    return fault(
      400,
      exampleName
        ? `${operation.operationId} ${status} has no example named ${exampleName} (it has ${names}).`
        : `${operation.operationId} documents no example for ${status}.`,
    );
  }
  const headers: Record<string, string> = responseHeaderExamples(document, response);
  // Tracing ids are echoed as the service does, when the request sent them.
  for (const name of Object.keys(headers)) {
    const sent = request.headers.get(name);
    if (sent && /^ms-(request|correlation)id$/i.test(name)) headers[name] = sent;
  }
  return HttpResponse.json(example.value as never, { status, headers });
}

/** The first success status the operation documents: what it answers by default. */
function successStatus(operation: SpecOperation): number {
  const success = operation.responses.find(({ status }) => /^2\d\d$/.test(status));
  return success ? Number(success.status) : 200;
}

/** The first example of an operation's success answer, as the spec documents it. */
function successExample(operationId: string): unknown {
  const operation = operationOf(operationId);
  const response = responseForStatus(operation, successStatus(operation));
  return response ? responseExamples(document, response)[0]?.value : undefined;
}

/** The spec's side of the stateful webhook operations: its documented answers and examples. */
const webhookAnswers = {
  documented: (operationId: string, request: Request, status: number, example?: string) =>
    documentedAnswer(operationOf(operationId), request, status, example),
  eventNames: successExample('listWebhookEvents') as string[],
  partnerId: (successExample('getWebhookValidationEvent') as { partnerId: string }).partnerId,
};

/**
 * Answers the documented `401` without a token, the documented response a `Prefer` asks for,
 * else `stateful` (the webhook operations) or the example that describes the request.
 */
function defaultResolver(operation: SpecOperation, stateful?: HttpResponseResolver): HttpResponseResolver {
  return (info) => {
    const { request } = info;
    if (needsToken(operation) && !request.headers.get('authorization')) {
      return documentedAnswer(operation, request, 401);
    }
    const preference = mockPreference(request.headers.get('prefer'));
    if (preference.invalid) return fault(400, `${preference.invalid}.`);
    if (stateful && preference.status === undefined && preference.example === undefined) return stateful(info);
    return documentedAnswer(operation, request, preference.status ?? successStatus(operation), preference.example);
  };
}

/**
 * One MSW handler per operation of the spec. Each answers its first documented success with the
 * example that describes the request (by the example's `links.self`: the customer list's last
 * page to a next-page request, a customer's own usage summary), else the first (a `GET` of a
 * budget: the spec's `budgetSet`); any other documented response a request asks for with
 * `Prefer: code=N[, example=NAME]` (as Prism reads it); and the documented `401` to a request
 * without `Authorization`. The six webhook operations keep state as the stateful mock does (one
 * registration per partner, `409` on a second `POST`, `404` before the first, test events 2 a
 * minute with their status), but deliver nothing: a test event's status stays `pending`.
 */
export function createHandlers(options: HandlerOptions = {}): HttpHandler[] {
  const baseUrl = options.baseUrl ?? '*';
  const webhooks = webhookResolvers(options.webhooks ?? createWebhookRegistry(), webhookAnswers);
  return operations.map((operation) =>
    http[operation.method as 'get'](
      mswPath(operation, baseUrl),
      defaultResolver(operation, webhooks[operation.operationId]),
    ),
  );
}

/**
 * A handler that replaces one operation's answer: pass it to `server.use()` (or
 * `worker.use()`) in a test. `answer` is an MSW resolver, or a fixed `{ status, body, headers }`.
 * An operationId the spec lacks throws, listing those it has.
 */
export function override(
  operationId: string,
  answer: HttpResponseResolver | MockAnswer,
  options: HandlerOptions & { once?: boolean } = {},
): HttpHandler {
  const operation = operationOf(operationId);
  const resolver: HttpResponseResolver =
    typeof answer === 'function'
      ? answer
      : () =>
          HttpResponse.json((answer.body ?? null) as never, {
            status: answer.status ?? 200,
            headers: answer.headers ?? {},
          });
  return http[operation.method as 'get'](mswPath(operation, options.baseUrl ?? '*'), resolver, {
    once: options.once ?? false,
  });
}
