import type { ResolvedClientOptions } from '../resolve-options.js';
import type { PipelineStep, SendRequest } from './pipeline.js';

/** Runs `steps` as one, outermost first; each hears the events of the calls. */
function chain(steps: readonly PipelineStep[]): PipelineStep {
  const send = (index: number, next: SendRequest): SendRequest => {
    const step = steps[index];
    return step ? (request, call) => step.sendRequest(request, call, send(index + 1, next)) : next;
  };
  return {
    name: 'environment',
    sendRequest: (request, call, next) => send(0, next)(request, call),
    onEvent: (event, call) => {
      for (const step of steps) step.onEvent?.(event, call);
    },
  };
}

/**
 * What the client takes from where it runs, once per call, loaded with a client's first call (so
 * none of it is in the main entry's bundle): an OpenTelemetry span, when the app has
 * `@opentelemetry/api` (`tracing.ts`); in Node, the `User-Agent` (`user-agent.ts`) and the proxy
 * (`proxy.ts`: the `proxy` option, else the environment's, unless the caller's own `axios`
 * instance decides). Browsers set neither: they forbid the first and apply their own proxy.
 */
export async function environment(options: ResolvedClientOptions): Promise<PipelineStep> {
  const steps: PipelineStep[] = [];
  const traced = await (await import('./tracing.js')).tracing();
  if (traced) steps.push(traced);
  if (typeof process !== 'undefined' && process.versions?.node) {
    steps.push((await import('./user-agent.js')).userAgent());
    if (options.proxy !== undefined || !options.axios)
      steps.push(await (await import('./proxy.js')).proxy(options.proxy));
  }
  return chain(steps);
}
