import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { spec } from '@usagebudget/openapi';
import {
  mockPreference,
  pathTemplateMatcher,
  type SpecOperation,
  specOperations,
} from '@usagebudget/openapi/operations';
import { isCorrelationId, isRequestId } from '../contract/spec-validator.js';
import { echoOrNew } from '../http/request-handler.js';
import type { ResolvedConfig } from '../partners/config-format.js';
import { portfolioSeed } from '../partners/portfolio-seed.js';
import type { Store } from '../storage/sqlite-store.js';
import { createAdminRoutes } from './admin-routes.js';
import { TEST_CONTROLS_PATH } from './admin-spec.js';
import { createControlGuard } from './control-guard.js';
import { createFaultAnswers, type FaultAnswer } from './fault-answers.js';
import { createFaultRules, customerPosition, type FaultRule } from './fault-rules.js';
import { createJournal } from './journal.js';
import { createRedaction } from './redaction.js';
import { type ParsedSeed, parseSeed } from './seed.js';

export interface TestControlsDependencies {
  readonly seed: ParsedSeed;
  /** The journal's budget, in bytes; default `DEFAULT_JOURNAL_MAX_BYTES`. */
  readonly journalMaxBytes?: number | undefined;
  /** The host the server listens on: the controls answer requests sent to it (see `createControlGuard`). */
  readonly listenHost: string;
  /** Host names the controls also answer requests sent to, besides loopback and IP addresses. */
  readonly allowedHosts?: readonly string[] | undefined;
  readonly store: Store;
  /** Serves the API with another config from now on (a re-seed's partners, tokens, customers). */
  reconfigure(config: ResolvedConfig): void;
  /** The server's own request listener: every request the controls do not answer goes there. */
  readonly next: RequestListener;
  /** Where an unexpected error of the controls is reported. */
  readonly onFault?: ((error: unknown) => void) | undefined;
}

export interface TestControls {
  /** The controls in front of the server: admin routes, journal, fault rules and `Prefer`. */
  readonly listener: RequestListener;
  /** Cuts the connections of requests still being delayed, so the server can close. */
  close(): void;
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

export function createTestControls(deps: TestControlsDependencies): TestControls {
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
  const journal = createJournal(createRedaction(operations), deps.journalMaxBytes);
  const answer = (req: IncomingMessage, res: ServerResponse, fault: FaultAnswer) => {
    const body = fault.body;
    res
      .writeHead(fault.status, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'MS-RequestId': echoOrNew(req.headers['ms-requestid'], isRequestId),
        'MS-CorrelationId': echoOrNew(req.headers['ms-correlationid'], isCorrelationId),
        ...fault.headers,
      })
      .end(body);
  };

  // The API's requests accepted and not yet answered: a reset cancels them.
  const inFlight = new Set<InFlight>();
  let seed = deps.seed;

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

  const apply = () => {
    cancelInFlight();
    deps.store.clear();
    // The server's one seeding path: what a config file gives a server at its start.
    deps.store.seed(portfolioSeed(seed.config));
    deps.reconfigure(seed.config);
    rules.clear();
    journal.clear();
  };
  apply();

  const admin = createAdminRoutes({
    rules,
    journal,
    reset: apply,
    replaceSeed: (value) => {
      seed = parseSeed(value);
      apply();
    },
    seed: () => seed.given,
    guard: createControlGuard({ listenHost: deps.listenHost, allowedHosts: deps.allowedHosts }),
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

  const listener: RequestListener = (req, res) => {
    const url = req.url ?? '/';
    const at = url.indexOf('?');
    const path = at === -1 ? url : url.slice(0, at);
    if (path === TEST_CONTROLS_PATH || path.startsWith(`${TEST_CONTROLS_PATH}/`)) {
      admin(req, res, path, at === -1 ? '' : url.slice(at + 1));
      return;
    }
    const method = (req.method ?? '').toUpperCase();
    let operation: SpecOperation | undefined;
    let customer: string | null = null;
    for (const candidate of matchers) {
      const values = candidate.method === method ? candidate.match(path) : undefined;
      if (!values) continue;
      operation = candidate.operation;
      customer = values[candidate.customerAt]?.toLowerCase() ?? null;
      break;
    }
    const entry = journal.open(req, {
      path,
      query: at === -1 ? '' : url.slice(at + 1),
      operationId: operation?.operationId ?? null,
      customer,
    });
    res.once('finish', () => {
      entry.status = res.statusCode;
    });

    let rule: FaultRule | undefined;
    let fault: FaultAnswer | undefined;
    try {
      rule = preferredFault(req.headers.prefer);
      if (rule) entry.fault = 'prefer';
      else {
        const taken = rules.take({ method, operation, customer });
        rule = taken?.rule;
        entry.fault = taken?.id ?? null;
      }
      if (rule?.status !== undefined) {
        fault = answers.answer(operation, rule.status, { example: rule.example, retryAfter: rule.retryAfter });
      }
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
    const serve = () => {
      request.held = false;
      journal.readBody(req, entry);
      deps.next(req, res);
    };
    if (!rule) {
      serve();
      return;
    }
    // Each step checks that no reset came in between: a cancelled request is answered already.
    const act = () => {
      if (request.cancelled) return;
      if (rule.drop) {
        journal.readBody(req, entry).then(() => {
          if (!request.cancelled) req.socket.destroy();
        });
      } else if (fault) {
        const ready = fault;
        journal.readBody(req, entry).then(() => {
          if (!request.cancelled) answer(req, res, ready);
        });
      } else serve();
    };
    if (rule.delayMs) {
      request.timer = setTimeout(() => {
        request.timer = undefined;
        act();
      }, rule.delayMs);
    } else act();
  };

  return {
    listener: (req, res) => {
      try {
        listener(req, res);
      } catch (error) {
        deps.onFault?.(error);
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
