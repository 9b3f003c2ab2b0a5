import { type PipelineStep, responseIds } from './pipeline.js';

/**
 * Every outcome of an attempt that is not a 2xx, as the client's errors: a response's status and
 * body (an `ApiFault`, a `ThrottleFault`, or what a proxy sends, the token redacted) to the class
 * of its status (400 `BadRequestError`, 401 `AuthenticationError`, ..., 5xx `ServerError`), and
 * what the transport threw to a `ConnectionError` (or an `AbortError`). How each reads is
 * `failure-reading.ts`, loaded with the first failure.
 */
export function errorMapping(): PipelineStep {
  return {
    name: 'errorMapping',
    async sendRequest(request, call, next) {
      let response: Awaited<ReturnType<typeof next>>;
      try {
        response = await next(request, call);
      } catch (error) {
        throw (await import('../failure-reading.js')).transportError(error, call.ids);
      }
      if (response.status >= 200 && response.status < 300) return response;
      throw (await import('../failure-reading.js')).responseError(response, request, responseIds(response, call));
    },
  };
}
