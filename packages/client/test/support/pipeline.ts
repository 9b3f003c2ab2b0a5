import type { CallOptions } from '../../src/core/call-types.js';
import {
  type CallPlan,
  composePipeline,
  type PipelineRequest,
  type PipelineResponse,
  type PipelineStep,
  type SharedResponseBytes,
} from '../../src/internal/pipeline/pipeline.js';

/** What the scripted transport does with one attempt: answer it, or throw. */
export type Outcome = Partial<PipelineResponse> | { throws: unknown } | ((request: PipelineRequest) => Promise<never>);

/** An attempt as the transport got it: the request, copied when it was sent. */
export interface SentAttempt extends PipelineRequest {
  /** Whether the signal had fired when the attempt was sent. */
  abortedWhenSent: boolean | undefined;
}

export const ORIGIN = 'https://api.example.test';

/** A plan of `getUsageBudget`, with `options` and a response cap. */
export function planOf(
  options: CallOptions = {},
  maxResponseBytes: number | SharedResponseBytes = 1000,
  operationId: CallPlan['operationId'] = 'getUsageBudget',
): CallPlan {
  return { operationId, label: `${operationId} test`, method: 'GET', path: '/v1/x', options, maxResponseBytes };
}

/**
 * `steps` composed alone, ending at a transport that gives the queued outcomes in order (a 200 with
 * `{}` when none is left), counts attempts and records what each was sent with.
 */
export function pipelineOf(steps: PipelineStep[], ...outcomes: Outcome[]) {
  const sent: SentAttempt[] = [];
  const run = composePipeline(
    steps,
    {
      async send(request, call) {
        call.response = undefined;
        call.attempts++;
        sent.push({ ...request, headers: { ...request.headers }, abortedWhenSent: request.signal?.aborted });
        const outcome = outcomes.shift() ?? {};
        if (typeof outcome === 'function') return outcome(request);
        if ('throws' in outcome) throw outcome.throws;
        call.response = { status: 200, headers: {}, body: '{}', ...outcome };
        return call.response;
      },
    },
    ORIGIN,
  );
  return { run: <T = unknown>(plan: CallPlan = planOf()) => run<T>(plan), sent };
}

/** An axios error as the transport throws it. */
export function axiosError(code: string, message = `${code} happened`) {
  return Object.assign(new Error(message), { isAxiosError: true, code });
}

/** A transport outcome that never answers, until the request's signal fires (then axios' cancel error). */
export const hang = (request: PipelineRequest) =>
  new Promise<never>((_, reject) => {
    request.signal?.addEventListener('abort', () => reject(axiosError('ERR_CANCELED', 'canceled')));
  });
