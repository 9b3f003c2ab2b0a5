import type { IncomingMessage, ServerResponse } from 'node:http';
import { spec } from '@usagebudget/openapi';
import {
  mockPreference,
  pathTemplateMatcher,
  type SpecOperation,
  specOperations,
} from '@usagebudget/openapi/operations';
import type { ExtensionContext, ServerExtension } from '@usagebudget/server';
import { tracingIds } from '@usagebudget/server/extension';
import { createAdminRoutes } from './admin-routes.js';
import { createControlGuard } from './control-guard.js';
import { MOCK_ADMIN_PATH } from './control-surface.js';
import { createFaultAnswers, type FaultAnswer } from './fault-answers.js';
import { createFaultRules, customerPosition, type FaultRule } from './fault-rules.js';
import { createJournal, type JournalRecord } from './journal.js';
import { createRedaction } from './redaction.js';
import { type ParsedSeed, parseSeed } from './seed.js';
import { createWebhookControls } from './webhook-controls.js';

export interface TestControlsOptions {
  /** The seed the server was started from (`startServer({ config: seed.config })`), applied again at every reset. */
  readonly seed: ParsedSeed;
  /** The journal's budget, in bytes; default `DEFAULT_JOURNAL_MAX_BYTES`. */
  readonly journalMaxBytes?: number | undefined;
  /** Host names the controls also answer requests sent to, besides loopback, IP addresses and the server's host. */
  readonly allowedHosts?: readonly string[] | undefined;
}

class InvalidPrefer extends Error {}

/** A request of the API the mock has accepted and not yet answered. */
interface InFlight {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** True while the controls hold it (a delay, or a fault's body being read); false once the API serves it. */
  held: boolean;
  /** Set by a reset: whatever was still to happen to it does not. */
  cancelled: boolean;
  /** A rule's delay, while it runs. */
  timer: NodeJS.Timeout | undefined;
}

/**
 * The fault a `Prefer` header asks for (`code=503`, `example=NAME`, as Prism reads it): only error
 * statuses, since a stateful mock answers successes from its state.
 */
function preferredFault(header: string | string[] | undefined): FaultRule | undefined {
  const preference = mockPreference(header);
  if (preference.invalid) throw new InvalidPrefer(`${preference.invalid}.`);
  if (preference.status === undefined || preference.status < 400) return undefined;
  return preference.example
    ? { status: preference.status, example: preference.example }
    : { status: preference.status };
}

/** A request of the API as the controls see it: its operation of the spec, and the customer its path names. */
interface Target {
  readonly path: string;
  readonly query: string;
  readonly method: string;
  readonly operation: SpecOperation | undefined;
  readonly customer: string | null;
}

/** What the controls do to a request of the API before (or instead of) the API: nothing, or a rule's fault. */
interface Plan {
  readonly rule: FaultRule | undefined;
  readonly fault: FaultAnswer | undefined;
}

/** Writes an answer of the controls, with the tracing ids every answer of the API carries. */
function answer(req: IncomingMessage, res: ServerResponse, fault: FaultAnswer): void {
  const ids = tracingIds(req.headers);
  res
    .writeHead(fault.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(fault.body),
      'MS-RequestId': ids.requestId,
      'MS-CorrelationId': ids.correlationId,
      ...fault.headers,
    })
    .end(fault.body);
}

/**
 * The test controls, as an extension of the reference server (`startServer({ extend })`): the
 * admin routes under `/_mock`, and in front of the API the journal, the fault rules and `Prefer`.
 * Every other request goes to the API as it is.
 */
export function createTestControls(options: TestControlsOptions, server: ExtensionContext): ServerExtension {
  const operations = specOperations(spec);
  // Compiled once: matching a path is on every request's way.
  const matchers = operations.map((operation) => ({
    operation,
    method: operation.method.toUpperCase(),
    match: pathTemplateMatcher(operation.path),
    customerAt: customerPosition(operation),
  }));
  const answers = createFaultAnswers(spec, operations);
  const rules = createFaultRules(operations, answers);
  const journal = createJournal(createRedaction(operations), options.journalMaxBytes);

  // The API's requests accepted and not yet answered: a reset cancels them.
  const inFlight = new Set<InFlight>();
  let seed = options.seed;

  /**
   * What a reset does to the requests accepted before it, so that none lands in the state after
   * it: one the controls still hold (a rule's delay, or its body being read for a fault) is
   * answered 409 `MockReset`, final for a client, which must not retry it into the next test; one
   * the API is serving (its body still arriving, or a long answer being written) has its
   * connection closed. A request whose body had all arrived was served in the same turn: before.
   */
  const cancelInFlight = () => {
    for (const request of inFlight) {
      request.cancelled = true;
      clearTimeout(request.timer);
      if (request.held && !request.res.headersSent) {
        answer(request.req, request.res, {
          status: 409,
          body: JSON.stringify({
            code: 'MockReset',
            description:
              'The mock was reset (or re-seeded) while it held this request, accepted before the reset: it was not served, and is in no journal.',
            source: 'usagebudget-mock',
          }),
          headers: { Connection: 'close' },
        });
      } else request.req.socket.destroy();
    }
    inFlight.clear();
  };

  // The server started from the seed; a reset deletes every stored row and applies it again.
  const apply = async () => {
    cancelInFlight();
    rules.clear();
    journal.clear();
    await server.reset(seed.config);
  };

  const admin = createAdminRoutes({
    rules,
    journal,
    webhooks: createWebhookControls(server, () => seed.config.partners.map(({ id }) => id)),
    reset: apply,
    replaceSeed: (value) => {
      seed = parseSeed(value);
      return apply();
    },
    seed: () => seed.given,
    guard: createControlGuard({ listenHost: server.host, allowedHosts: options.allowedHosts }),
  });

  /** Tracks a request of the API until its answer is written or its connection closes. */
  const track = (req: IncomingMessage, res: ServerResponse): InFlight => {
    const request: InFlight = { req, res, held: true, cancelled: false, timer: undefined };
    inFlight.add(request);
    res.once('close', () => {
      clearTimeout(request.timer);
      inFlight.delete(request);
    });
    return request;
  };

  /** The request's operation and customer, by the spec's path templates. */
  const targetOf = (req: IncomingMessage): Target => {
    const url = req.url ?? '/';
    const at = url.indexOf('?');
    const path = at === -1 ? url : url.slice(0, at);
    const query = at === -1 ? '' : url.slice(at + 1);
    const method = (req.method ?? '').toUpperCase();
    for (const candidate of matchers) {
      const values = candidate.method === method ? candidate.match(path) : undefined;
      if (!values) continue;
      const customer = values[candidate.customerAt]?.toLowerCase() ?? null;
      return { path, query, method, operation: candidate.operation, customer };
    }
    return { path, query, method, operation: undefined, customer: null };
  };

  /**
   * The fault a request gets: the one its `Prefer` asks for, else the first rule that matches;
   * noted in its journal entry. Throws `InvalidPrefer` (or an unknown example's error) for a
   * `Prefer` that cannot be honoured.
   */
  const planFor = (req: IncomingMessage, target: Target, entry: JournalRecord): Plan => {
    let rule = preferredFault(req.headers.prefer);
    if (rule) entry.fault = 'prefer';
    else {
      const taken = rules.take(target);
      rule = taken?.rule;
      entry.fault = taken?.id ?? null;
    }
    const fault =
      rule?.status === undefined
        ? undefined
        : answers.answer(target.operation, rule.status, { example: rule.example, retryAfter: rule.retryAfter });
    return { rule, fault };
  };

  /** Lets the API serve the request: from now on a reset closes its connection instead of answering it. */
  const serve = (request: InFlight, entry: JournalRecord) => {
    request.held = false;
    journal.readBody(request.req, entry);
    server.api(request.req, request.res);
  };

  /** Carries out a rule: waits its delay, then drops the connection, answers the fault, or lets the API serve. */
  const carryOut = (request: InFlight, entry: JournalRecord, rule: FaultRule, fault: FaultAnswer | undefined) => {
    const { req, res } = request;
    // Each step checks that no reset came in between: a cancelled request is answered already.
    const act = () => {
      if (request.cancelled) return;
      if (rule.drop) {
        journal.readBody(req, entry).then(() => {
          if (!request.cancelled) req.socket.destroy();
        });
      } else if (fault) {
        journal.readBody(req, entry).then(() => {
          if (!request.cancelled) answer(req, res, fault);
        });
      } else serve(request, entry);
    };
    if (rule.delayMs) {
      request.timer = setTimeout(() => {
        request.timer = undefined;
        act();
      }, rule.delayMs);
    } else act();
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const target = targetOf(req);
    if (target.path === MOCK_ADMIN_PATH || target.path.startsWith(`${MOCK_ADMIN_PATH}/`)) {
      admin(req, res, target.path, target.query);
      return;
    }
    const entry = journal.open(req, {
      path: target.path,
      query: target.query,
      operationId: target.operation?.operationId ?? null,
      customer: target.customer,
    });
    res.once('finish', () => {
      entry.status = res.statusCode;
    });
    let plan: Plan;
    try {
      plan = planFor(req, target, entry);
    } catch (error) {
      // Only a Prefer header can be wrong here: a rule was checked when it was added.
      const description = error instanceof InvalidPrefer ? error.message : `Prefer: ${(error as Error).message}.`;
      answer(req, res, {
        status: 400,
        body: JSON.stringify({ code: 'InvalidPrefer', description, data: ['Prefer'] }),
        headers: { Connection: 'close' },
      });
      return;
    }
    const request = track(req, res);
    if (plan.rule) carryOut(request, entry, plan.rule, plan.fault);
    else serve(request, entry);
  };

  return {
    listener: (req, res) => {
      try {
        listener(req, res);
      } catch (error) {
        server.reportFault(error);
        req.socket.destroy();
      }
    },
    close() {
      // Only those still delayed: the others finish within the server's grace period.
      for (const request of inFlight) {
        if (request.timer === undefined) continue;
        clearTimeout(request.timer);
        request.req.socket.destroy();
      }
    },
  };
}
