import { numberTextParser } from '@usagebudget/openapi/json-numbers';
import { COST_PROPERTIES } from '@usagebudget/openapi/limits';
import type { ResponseValidator } from '../../core/call-types.js';
import type { OperationId } from '../../generated/requests.js';
import { type PipelineStep, responseIds } from './pipeline.js';

// The operations whose 2xx body is a JSON array (the spec's `WebhookEventNames`); every other's is an object.
const ARRAY_BODIES: ReadonlySet<OperationId> = new Set(['listWebhookEvents']);

/** Whether `data` is the JSON value `operationId` answers with: an array for some, an object for the others. */
function isBodyShape(data: unknown, operationId: OperationId): boolean {
  if (data === null || typeof data !== 'object') return false;
  return Array.isArray(data) === ARRAY_BODIES.has(operationId);
}

// Costs keep every digit: a double would round them (see @usagebudget/openapi/json-numbers).
export const parseBody = /* @__PURE__ */ numberTextParser(COST_PROPERTIES);

/**
 * The data of a 2xx: its body parsed with every cost as its exact text, which must be a JSON
 * object, then checked by the client's `validateResponses` (which gets the body as the service
 * sent it). A body with problems fails the call with a `ResponseValidationError` naming them,
 * never retried: a service that answers what the API does not allow would again.
 */
export function responseParsing(validate: ResponseValidator | undefined): PipelineStep {
  return {
    name: 'responseParsing',
    async sendRequest(request, call, next) {
      const response = await next(request, call);
      const { status, body } = response;
      if (status < 200 || status >= 300) return response;
      const data = parseBody(body);
      const { operationId } = call.plan;
      const problems = !isBodyShape(data, operationId)
        ? [
            {
              pointer: '',
              rule: (await import('../failure-reading.js')).notAnObject(
                body,
                request,
                ARRAY_BODIES.has(operationId) ? 'array' : 'object',
              ),
            },
          ]
        : validate && (await validate(operationId, status, body));
      if (problems && problems.length > 0) {
        throw (await import('../failure-reading.js')).validationError(
          status,
          operationId,
          problems,
          responseIds(response, call),
        );
      }
      response.data = data;
      return response;
    },
  };
}
