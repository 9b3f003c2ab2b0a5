import { STATUS_CODES } from 'node:http';
import {
  type ResponseExample,
  responseExamples,
  responseForStatus,
  responseHeaderExamples,
  type SpecOperation,
  type SpecResponse,
} from '@usagebudget/openapi/operations';
import { faults } from '@usagebudget/server/extension';
import type { OpenAPIV3 } from 'openapi-types';

/** A fault's response, before the tracing headers every response carries. */
export interface FaultAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What a fault of a status is answered with: the spec's response for it and that response's examples. */
interface Documented {
  readonly response: SpecResponse;
  readonly examples: readonly ResponseExample[];
}

// Echoed from the request (or made up) on every response, never copied from an example.
const TRACING_HEADERS = new Set(['ms-requestid', 'ms-correlationid']);
const RETRY_AFTER = 'retry-after';

/** The fault answers of a spec: every status's body and headers from the spec's own examples. */
export interface FaultAnswers {
  /** The names of the examples a fault of `status` on `operation` can answer with, in the spec's order. */
  exampleNames(operation: SpecOperation | undefined, status: number): string[];
  /**
   * The answer of a fault: the example named `example` (else the first) of the operation's
   * documented response for `status`, else of the first operation that documents one; a plain
   * `ApiFault` when no operation does. Throws when `example` names no such example.
   */
  answer(
    operation: SpecOperation | undefined,
    status: number,
    options?: { example?: string | undefined; retryAfter?: number | undefined },
  ): FaultAnswer;
}

export function createFaultAnswers(document: OpenAPIV3.Document, operations: readonly SpecOperation[]): FaultAnswers {
  const documented = (operation: SpecOperation, status: number): Documented | undefined => {
    const response = responseForStatus(operation, status);
    if (!response) return undefined;
    const examples = responseExamples(document, response);
    return examples.length > 0 ? { response, examples } : undefined;
  };
  const find = (operation: SpecOperation | undefined, status: number): Documented | undefined => {
    const own = operation && documented(operation, status);
    if (own) return own;
    for (const other of operations) {
      const found = documented(other, status);
      if (found) return found;
    }
    return undefined;
  };

  return {
    exampleNames: (operation, status) => find(operation, status)?.examples.map(({ name }) => name) ?? [],
    answer(operation, status, options = {}) {
      const found = find(operation, status);
      const headers: Record<string, string> = {};
      let body: unknown;
      if (found) {
        const example = options.example
          ? found.examples.find(({ name }) => name === options.example)
          : found.examples[0];
        if (!example) {
          throw new Error(
            `no example named ${JSON.stringify(options.example)} for ${status}; the spec has ${found.examples.map(({ name }) => name).join(', ')}`,
          );
        }
        body = example.value;
        for (const [name, value] of Object.entries(responseHeaderExamples(document, found.response))) {
          if (!TRACING_HEADERS.has(name.toLowerCase())) headers[name] = value;
        }
      } else if (options.example) {
        throw new Error(`no example named ${JSON.stringify(options.example)} for ${status}; the spec has none`);
      } else {
        body =
          status === 429
            ? faults.throttled(options.retryAfter ?? 1).body
            : { code: status, description: STATUS_CODES[status] ?? 'Error', source: 'usagebudget-server' };
      }
      // The documented example of Retry-After is a real gateway's minute: a test waits 1 s unless told.
      const retryAfterName = Object.keys(headers).find((name) => name.toLowerCase() === RETRY_AFTER);
      if (options.retryAfter !== undefined || retryAfterName || status === 429) {
        if (retryAfterName) delete headers[retryAfterName];
        headers['Retry-After'] = String(options.retryAfter ?? 1);
      }
      return { status, body: JSON.stringify(body), headers };
    },
  };
}
