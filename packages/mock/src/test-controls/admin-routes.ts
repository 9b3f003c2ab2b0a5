import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '@usagebudget/server';
import { faults, HttpError, readJsonBody, StreamedBody, writeStreamed } from '@usagebudget/server/extension';
import { adminError } from './admin-errors.js';
import { testControlsSpec } from './admin-spec.js';
import { MOCK_ADMIN_PATH } from './control-surface.js';
import { type FaultRules, InvalidFaultRule } from './fault-rules.js';
import type { JournalFilter, RequestJournal } from './journal.js';
import type { WebhookControls } from './webhook-controls.js';

export interface AdminDependencies {
  readonly rules: FaultRules;
  readonly journal: RequestJournal;
  /** A customer's cost growing, events raised, and their deliveries. */
  readonly webhooks: WebhookControls;
  /** Deletes all stored data, rules and journal entries and applies the seed again. */
  reset(): Promise<void>;
  /** Checks a new seed (a `ConfigError` lists its problems), makes it the seed, and resets. */
  replaceSeed(value: unknown): Promise<void>;
  /** The seed in force, as it was given. */
  seed(): unknown;
  /** Refuses what a web page could send (see `createControlGuard`); `undefined` lets a request through. */
  guard(req: IncomingMessage): HttpError | undefined;
}

/** A seed lists every partner and customer of a test: more room than an API body's 64 KiB. */
const MAX_ADMIN_BODY_BYTES = 4 * 1024 * 1024;
const JOURNAL_FILTERS = ['method', 'operationId', 'customer', 'status'] as const;

type Route = Partial<Record<string, (req: IncomingMessage, match: string[]) => Promise<Reply> | Reply>>;
interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

function journalFilter(query: string): JournalFilter {
  const params = new URLSearchParams(query);
  const unknown = [...params.keys()].filter((key) => !(JOURNAL_FILTERS as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw adminError(
      400,
      'InvalidQuery',
      `Unknown journal filter: ${unknown.join(', ')}; the filters are ${JOURNAL_FILTERS.join(', ')}.`,
      unknown,
    );
  }
  const status = params.get('status');
  if (status !== null && !/^\d{3}$/.test(status)) {
    throw adminError(400, 'InvalidQuery', `status=${status} is not an HTTP status.`, ['status']);
  }
  return {
    method: params.get('method') ?? undefined,
    operationId: params.get('operationId') ?? undefined,
    customer: params.get('customer') ?? undefined,
    status: status === null ? undefined : Number(status),
  };
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  return (await readJsonBody(req, 'application/json', MAX_ADMIN_BODY_BYTES)).value;
}

/** The routes of a customer's cost growing, events raised, and their deliveries. */
function webhookRoutes(webhooks: WebhookControls): [RegExp, Route][] {
  return [
    [/^\/usage$/, { POST: async (req) => ({ status: 200, body: await webhooks.increaseCost(await jsonBody(req)) }) }],
    [
      /^\/webhooks\/events$/,
      { POST: async (req) => ({ status: 202, body: await webhooks.raiseWebhookEvent(await jsonBody(req)) }) },
    ],
    [
      /^\/webhooks\/deliveries$/,
      { GET: async (req) => ({ status: 200, body: await webhooks.deliveries(queryOf(req)) }) },
    ],
  ];
}

/** Answers the requests under `/_mock`: the routes of {@link testControlsSpec}. */
export function createAdminRoutes(
  deps: AdminDependencies,
): (req: IncomingMessage, res: ServerResponse, path: string, query: string) => void {
  const routes: [RegExp, Route][] = [
    [/^\/openapi\.json$/, { GET: () => ({ status: 200, body: testControlsSpec }) }],
    [
      /^\/faults$/,
      {
        GET: () => ({ status: 200, body: { rules: deps.rules.list() } }),
        POST: async (req) => ({ status: 201, body: deps.rules.add(await jsonBody(req)) }),
        DELETE: () => {
          deps.rules.clear();
          return { status: 204 };
        },
      },
    ],
    [
      /^\/faults\/([^/]+)$/,
      {
        DELETE: (_, [id]) => {
          if (!deps.rules.remove(decodeURIComponent(id ?? ''))) {
            throw adminError(404, 'NotFound', `No fault rule has the id ${JSON.stringify(id)}.`);
          }
          return { status: 204 };
        },
      },
    ],
    [
      /^\/journal$/,
      {
        GET: async (req) => ({ status: 200, body: await deps.journal.read(journalFilter(queryOf(req))) }),
        DELETE: () => {
          deps.journal.clear();
          return { status: 204 };
        },
      },
    ],
    [
      /^\/reset$/,
      {
        POST: async () => {
          await deps.reset();
          return { status: 204 };
        },
      },
    ],
    ...webhookRoutes(deps.webhooks),
    [
      /^\/seed$/,
      {
        GET: () => ({ status: 200, body: deps.seed() }),
        PUT: async (req) => {
          await deps.replaceSeed(await jsonBody(req));
          return { status: 204 };
        },
      },
    ],
  ];

  const dispatch = (req: IncomingMessage, path: string): Promise<Reply> | Reply => {
    const local = path.slice(MOCK_ADMIN_PATH.length);
    for (const [pattern, methods] of routes) {
      const match = pattern.exec(local);
      if (!match) continue;
      const handler = methods[req.method ?? ''];
      if (!handler) throw faults.methodNotAllowed(req.method ?? '', Object.keys(methods).join(', '));
      return handler(req, match.slice(1));
    }
    throw faults.routeNotFound();
  };

  const send = (res: ServerResponse, reply: Reply, headers: Record<string, string> = {}) => {
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    if (reply.body instanceof StreamedBody) {
      // The journal: up to its whole budget of bodies, written a piece at a time.
      res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      writeStreamed(res, reply.body, () => {});
      return;
    }
    const body = JSON.stringify(reply.body);
    res
      .writeHead(reply.status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        ...headers,
      })
      .end(body);
  };

  const fail = (res: ServerResponse, error: unknown) => {
    let known: HttpError;
    if (error instanceof HttpError) known = error;
    else if (error instanceof InvalidFaultRule)
      known = adminError(400, 'InvalidFaultRule', error.message, error.fields);
    else if (error instanceof ConfigError) {
      known = adminError(400, 'InvalidSeed', `Invalid seed: ${error.problems.join('; ')}.`, error.problems);
    } else known = faults.unexpected();
    // A body left unread (a refused upload) must not be read as the next request.
    send(res, { status: known.status, body: known.body }, { ...known.headers, Connection: 'close' });
  };

  return (req, res, path) => {
    try {
      const refusal = deps.guard(req);
      if (refusal) throw refusal;
      const reply = dispatch(req, path);
      if (reply instanceof Promise) reply.then((done) => send(res, done)).catch((error: unknown) => fail(res, error));
      else send(res, reply);
    } catch (error) {
      fail(res, error);
    }
  };
}

function queryOf(req: IncomingMessage): string {
  const url = req.url ?? '';
  const at = url.indexOf('?');
  return at === -1 ? '' : url.slice(at + 1);
}
