import { UsageBudgetClient, type UsageBudgetClientOptions } from '@usagebudget/client';
import { createSpecValidator, type SpecValidator } from '@usagebudget/openapi/validator';
import type { AxiosInstance } from 'axios';
import type { OpenAPIV3 } from 'openapi-types';
import { type DocumentedResponse, documentedResponses, findResponse } from './documented-responses.js';
import { createRecordingAxios, type Exchange, prismViolations } from './exchange-recorder.js';
import type { Capability, Target } from './targets.js';

export interface ClientSetup {
  /** The bearer token; the target's by default. */
  token?: string;
  /** Sent as `Prefer`, to choose a documented response of the mock. */
  prefer?: string;
  /** Client options sent as headers. */
  options?: Partial<Pick<UsageBudgetClientOptions, 'locale' | 'application'>>;
  /** Adds interceptors after the recorder's, e.g. to lose a response on its way back. */
  intercept?: (instance: AxiosInstance) => void;
  /** Where to send; the target's base URL (through Prism) by default. */
  baseURL?: string;
}

/** A client of the target, and every exchange it has had. */
export interface ScenarioClient {
  readonly client: UsageBudgetClient;
  readonly exchanges: readonly Exchange[];
}

export interface ScenarioContext {
  readonly target: Target;
  /** The spec the target serves; the validator is compiled from it. */
  readonly document: OpenAPIV3.Document;
  readonly validator: SpecValidator;
  /** The documented response of `operationId` with `status`. */
  response(operationId: string, status: number): DocumentedResponse;
  /** A client through the public API, recording its exchanges. */
  client(setup?: ClientSetup): ScenarioClient;
}

export interface Scenario {
  /** The test's name. */
  readonly title: string;
  readonly operationId: string;
  /** The documented status the scenario makes the target answer. */
  readonly status: number;
  readonly needs: readonly Capability[];
  run(context: ScenarioContext, documented: DocumentedResponse): Promise<void>;
}

/**
 * How a real service is made to answer a documented status: scenarios that need capabilities,
 * or the reason no client call can provoke it. `operationId` undefined: any operation that
 * documents the status; a list: each of them.
 */
export type Strategy = { status: number; operationId?: string | readonly string[] } & (
  | { title: string; needs: Scenario['needs']; run: Scenario['run'] }
  | { unreachable: string }
);

const derivedFrom = new WeakMap<OpenAPIV3.Document, { responses: DocumentedResponse[]; validator: SpecValidator }>();

/** The documented responses and the validator of a spec, made once per document. */
function derived(document: OpenAPIV3.Document) {
  let found = derivedFrom.get(document);
  if (!found) {
    found = { responses: documentedResponses(document), validator: createSpecValidator(document) };
    derivedFrom.set(document, found);
  }
  return found;
}

// Any retry is immediate, and a Retry-After ends the call at once instead of sleeping.
const RETRIES = { maxRetries: 1, backoff: { initialDelayMs: 0, maxDelayMs: 0 } };

/**
 * Runs a scenario against a target. Whatever the scenario asserted, any violation Prism reported
 * on any exchange (a request it rejected, a response that breaks the spec) fails it, and is
 * reported first since it usually explains the rest.
 */
export async function runScenario(scenario: Scenario, target: Target, document: OpenAPIV3.Document): Promise<void> {
  const { responses, validator } = derived(document);
  const clients: ScenarioClient[] = [];
  const context: ScenarioContext = {
    target,
    document,
    validator,
    response: (operationId, status) => findResponse(responses, operationId, status),
    client: (setup = {}) => {
      const recording = createRecordingAxios(setup.prefer);
      setup.intercept?.(recording.axios);
      const client = new UsageBudgetClient({
        baseURL: setup.baseURL ?? target.baseURL,
        credential: setup.token ?? target.token,
        application: 'usagebudget contract tests',
        timeoutMs: 15_000,
        ...RETRIES,
        ...setup.options,
        axios: recording.axios,
      });
      const created = { client, exchanges: recording.exchanges };
      clients.push(created);
      return created;
    },
  };
  let failure: { error: unknown } | undefined;
  try {
    await scenario.run(context, findResponse(responses, scenario.operationId, scenario.status));
  } catch (error) {
    failure = { error };
  }
  const violations = clients.flatMap(({ exchanges }) => exchanges.flatMap(prismViolations));
  if (violations.length > 0) {
    throw new Error(`Prism reports violations of the spec:\n${violations.join('\n')}`, { cause: failure?.error });
  }
  if (failure) throw failure.error;
}
