import type { ResolvedClientOptions } from '../resolve-options.js';
import { attemptDeadline, callDeadline } from './deadlines.js';
import { errorMapping } from './error-mapping.js';
import { fixedToken } from './fixed-token.js';
import { composePipeline, lazyStep, type PipelineStep, type RunCall } from './pipeline.js';
import { redirectRefusal } from './redirect-refusal.js';
import { requestIds } from './request-ids.js';
import { responseParsing } from './response-parsing.js';
import { retry } from './retry.js';
import { sizeCap } from './size-cap.js';
import { axiosTransport } from './transport.js';

/**
 * A client's pipeline, composed once, outermost step first. Above `retry`, once per call: the ids
 * and headers, the call's deadline. Below it, once per attempt: the token, the shared throttle,
 * the log line, the attempt's deadline; then the steps that read what came back, each about its
 * own outcome: every non-2xx as an error, a 2xx's body parsed and checked, a redirect refused, the
 * body's size capped. A step is added where it belongs in this list, and no other changes; one
 * that only some calls or clients need is a `lazyStep`, loaded with the first call that needs it.
 */
export function clientPipeline(options: ResolvedClientOptions): RunCall {
  const { credential } = options;
  const steps: (PipelineStep | false)[] = [
    requestIds(options.headers),
    lazyStep('environment', async () => (await import('./environment.js')).environment(options)),
    callDeadline(options.totalTimeoutMs),
    retry(options.retry),
    typeof credential === 'string'
      ? fixedToken(credential)
      : lazyStep('credential', async () => (await import('./credential.js')).credential(credential, options.cloud)),
    lazyStep(
      'throttle',
      async () => (await import('./throttle.js')).throttle(),
      (call) => call.plan.options.throttle !== undefined,
    ),
    lazyStep('logging', async () => (await import('./logging.js')).logging(options)),
    attemptDeadline(options.timeoutMs),
    errorMapping(),
    responseParsing(options.validateResponses),
    redirectRefusal(),
    sizeCap(options.maxResponseBytes),
  ];
  return composePipeline(
    steps.filter((step) => step !== false),
    axiosTransport(options.axios),
    options.baseURL,
  );
}
