import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { spec } from '@usagebudget/openapi';
import {
  mockPreference,
  pathTemplateMatcher,
  type SpecOperation,
  specOperations,
} from '@usagebudget/openapi/operations';
import { isCorrelationId, isRequestId } from '../contract/spec-validator.js';
import { echoOrNew } from '../http/request-handler.js';
import type { ResolvedConfig } from '../partners/config.js';
import { portfolioSeed } from '../partners/portfolio-seed.js';
import type { Store } from '../storage/sqlite-store.js';
import { createAdminRoutes } from './admin-routes.js';
import { TEST_CONTROLS_PATH } from './admin-spec.js';
import { createFaultAnswers, type FaultAnswer } from './fault-answers.js';
import { createFaultRules, customerPosition, type FaultRule } from './fault-rules.js';
import { createJournal } from './journal.js';
import { type ParsedSeed, parseSeed } from './seed.js';

export interface TestControlsDependencies {
  readonly seed: ParsedSeed;
  /** The journal's budget, in bytes; default `DEFAULT_JOURNAL_MAX_BYTES`. */
  readonly journalMaxBytes?: number | undefined;
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
  const journal = createJournal(deps.journalMaxBytes);
  const delayed = new Map<NodeJS.Timeout, Socket>();
  let seed = deps.seed;

  const apply = () => {
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
  });

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

  const later = (req: IncomingMessage, delayMs: number, act: () => void) => {
    const socket = req.socket;
    const timer = setTimeout(() => {
      delayed.delete(timer);
      socket.off('close', cancel);
      act();
    }, delayMs);
    const cancel = () => {
      clearTimeout(timer);
      delayed.delete(timer);
    };
    delayed.set(timer, socket);
    socket.once('close', cancel);
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
    if (!rule) {
      journal.readBody(req, entry);
      deps.next(req, res);
      return;
    }
    const act = () => {
      if (rule.drop) {
        journal.readBody(req, entry).then(() => req.socket.destroy());
      } else if (fault) {
        const ready = fault;
        journal.readBody(req, entry).then(() => answer(req, res, ready));
      } else {
        journal.readBody(req, entry);
        deps.next(req, res);
      }
    };
    if (rule.delayMs) later(req, rule.delayMs, act);
    else act();
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
      for (const [timer, socket] of delayed) {
        clearTimeout(timer);
        socket.destroy();
      }
      delayed.clear();
    },
  };
}
