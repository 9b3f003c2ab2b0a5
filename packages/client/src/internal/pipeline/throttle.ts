import { untilAborted } from '../waiting.js';
import type { PipelineStep } from './pipeline.js';

/**
 * The caller's shared `throttle` (`CallOptions.throttle`, such as the bulk operations'
 * `AdaptiveThrottle`), per attempt: awaited before it, then told its status (0 without a
 * response) and the wait a `Retry-After` asked for. A call stopped meanwhile tells it nothing.
 */
export function throttle(): PipelineStep {
  return {
    name: 'throttle',
    async sendRequest(request, call, next) {
      const shared = call.plan.options.throttle;
      if (!shared) return next(request, call);
      await untilAborted(shared.acquire(call.signal), call.signal);
      call.signal?.throwIfAborted();
      try {
        return await next(request, call);
      } finally {
        const { response } = call;
        const retryAfter = response?.headers['retry-after'];
        // Read by the retry policy's module, loaded only when a response asks for a wait.
        const retryAfterMs =
          retryAfter === undefined ? undefined : (await import('../retry-policy.js')).parseRetryAfter(retryAfter);
        if (!call.signal?.aborted) shared.settle(response?.status ?? 0, retryAfterMs);
      }
    },
  };
}
