import type { Logger } from '../../core/call-types.js';
import type { PipelineStep } from './pipeline.js';

/**
 * The client's `logger`: a debug line per attempt, a warning per retry (with its wait) and per
 * token refresh, each with the call's ids. Lines name the call by its label, never a header.
 */
export function logging(logger: Logger): PipelineStep {
  return {
    name: 'logging',
    sendRequest(request, call, next) {
      const attempt = call.attempts + 1;
      logger.debug?.(`usagebudget: ${call.plan.label}, attempt ${attempt}`, { ...call.ids, attempt });
      return next(request, call);
    },
    onEvent(event, { plan, ids, attempts }) {
      if (event.kind === 'refresh') {
        logger.warn?.(`usagebudget: ${plan.label} got 401, retrying once with a fresh token`, ids);
        return;
      }
      const { failure, retry, delayMs } = event;
      logger.warn?.(
        `usagebudget: ${plan.label} failed (${(failure as Error).message}), retry ${retry} in ${delayMs} ms`,
        {
          ...ids,
          attempt: attempts,
          delayMs,
        },
      );
    },
  };
}
