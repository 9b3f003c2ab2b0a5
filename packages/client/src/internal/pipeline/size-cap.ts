import type { PipelineStep } from './pipeline.js';

/**
 * The most bytes of body an attempt reads: the client's `maxResponseBytes`, else the operation's
 * cap, or what is left of a cap that a listing's pages share (each 2xx body read takes its length
 * from it). The transport stops reading past it (axios' `maxContentLength`, in Node); the attempt
 * then fails with a `ResponseTooLargeError` (`failure-reading.ts`), never retried.
 */
export function sizeCap(clientMaxResponseBytes: number | undefined): PipelineStep {
  return {
    name: 'sizeCap',
    async sendRequest(request, call, next) {
      const cap = call.plan.maxResponseBytes;
      const shared = typeof cap === 'number' ? undefined : cap;
      const max = shared ? shared.max : (clientMaxResponseBytes ?? (cap as number));
      request.maxResponseBytes = shared ? shared.left : max;
      try {
        const response = await next(request, call);
        if (shared && response.status >= 200 && response.status < 300) shared.left -= response.body.length;
        return response;
      } catch (error) {
        throw (await import('../failure-reading.js')).tooLargeError(error, max, call.ids);
      }
    },
  };
}
