import type { RetrySettings } from '../retry-policy.js';
import type { PipelineStep } from './pipeline.js';

/**
 * Sends the attempts of a call as the retry policy says (`retry-policy.ts`'s `waitToRetry`): a
 * transient failure is sent again after the backoff or the `Retry-After` of its response, at most
 * `maxRetries` times, with the same request (the same `MS-RequestId`). A wait that would end past
 * the call's deadline is not made: the failure is the answer. Each retry is announced (a `retry`
 * event) before its wait.
 */
export function retry(settings: RetrySettings): PipelineStep {
  return {
    name: 'retry',
    async sendRequest(request, call, next) {
      for (let retries = 0; ; retries++) {
        try {
          return await next(request, call);
        } catch (failure) {
          // Stopped: the call's deadline, or the caller, answers.
          if (call.signal?.aborted) throw failure;
          // The policy is loaded with the first failure: a call that succeeds never needs it.
          const { waitToRetry } = await import('../retry-policy.js');
          if (!(await waitToRetry(failure, retries, call, settings))) throw failure;
        }
      }
    },
  };
}
