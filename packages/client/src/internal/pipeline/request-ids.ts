import type { PipelineStep } from './pipeline.js';

/**
 * The call's ids and the client's fixed headers, once per call: `MS-RequestId` (the caller's
 * `requestId`, or a new one) is the same on every attempt, so that the service answers a retried
 * `PATCH` as a replay; `MS-CorrelationId` ties the call to others (a listing's pages share one).
 * `headers` are the client's: `X-Locale`, `MS-PartnerCenter-Client`, `MS-PartnerCenter-Application`.
 */
export function requestIds(headers: Readonly<Record<string, string>>): PipelineStep {
  return {
    name: 'requestIds',
    sendRequest(request, call, next) {
      const { requestId = crypto.randomUUID(), correlationId = crypto.randomUUID() } = call.plan.options;
      call.ids = { requestId, correlationId };
      Object.assign(request.headers, headers);
      request.headers['MS-RequestId'] = requestId;
      request.headers['MS-CorrelationId'] = correlationId;
      return next(request, call);
    },
  };
}
