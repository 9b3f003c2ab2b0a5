import { type PipelineStep, responseIds } from './pipeline.js';

/**
 * A redirect (a 3xx with a `Location`) ends the call, not retried (a redirect loop is no transient failure): the API never
 * redirects, and following one would send the request (a `PATCH` with its body) somewhere else and
 * take that place's answer for the service's. So does an answer from another origin, where the
 * transport followed a redirect itself (a browser's XMLHttpRequest). The transport is told not to
 * follow any (`maxRedirects: 0`).
 */
export function redirectRefusal(): PipelineStep {
  return {
    name: 'redirectRefusal',
    async sendRequest(request, call, next) {
      const response = await next(request, call);
      const { status, headers, url } = response;
      const origin = url && url !== request.url ? new URL(url).origin : undefined;
      const elsewhere =
        origin !== undefined && origin !== new URL(request.url).origin
          ? origin
          : status >= 300 && status < 400
            ? headers.location
            : undefined;
      // A 3xx without a Location is no redirect: the error mapping says what it is.
      if (elsewhere === undefined) return response;
      throw (await import('../failure-reading.js')).redirectError(
        status,
        elsewhere,
        request,
        responseIds(response, call),
      );
    },
  };
}
