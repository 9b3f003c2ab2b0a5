import type * as OpenTelemetry from '@opentelemetry/api';
import { SDK_CLIENT } from '../../core/sdk-client.js';
import { failureName } from '../failure-name.js';
import type { Call, PipelineStep } from './pipeline.js';

// A name bundlers do not follow: the API is an optional peer dependency, absent from most apps.
const OPENTELEMETRY_API = '@opentelemetry/api';

/** `@opentelemetry/api` when the app has it, else `undefined`. */
async function openTelemetry(): Promise<typeof OpenTelemetry | undefined> {
  try {
    return (await import(/* webpackIgnore: true */ /* @vite-ignore */ OPENTELEMETRY_API)) as typeof OpenTelemetry;
  } catch {
    return undefined;
  }
}

/**
 * A client span per call, when the app has `@opentelemetry/api` (loaded here, with the client's
 * first call; a registered tracer provider records them, the API's no-op tracer otherwise): named
 * by the operation id, with the HTTP semantic conventions' attributes (`http.request.method`,
 * `url.full`, `server.address`, `server.port`, `http.response.status_code`,
 * `http.request.resend_count`, `error.type`), `partnercenter.request_id` and
 * `partnercenter.correlation_id`, a `retry` or `token_refresh` event per retry or refresh, and an
 * error status when the call fails. `undefined` without the API.
 */
export async function tracing(): Promise<PipelineStep | undefined> {
  const api = await openTelemetry();
  if (!api) return undefined;
  const { trace, context, SpanKind, SpanStatusCode } = api;
  const tracer = trace.getTracer('@usagebudget/client', SDK_CLIENT.split('/')[1]);
  const spans = new WeakMap<Call, OpenTelemetry.Span>();
  return {
    name: 'tracing',
    async sendRequest(request, call, next) {
      const url = new URL(request.url);
      const span = tracer.startSpan(call.plan.operationId, {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': request.method,
          'url.full': `${url.origin}${url.pathname}`,
          'server.address': url.hostname,
          'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
          'partnercenter.request_id': call.ids.requestId,
          'partnercenter.correlation_id': call.ids.correlationId,
        },
      });
      spans.set(call, span);
      const settle = () => {
        const { headers = {}, status } = call.response ?? {};
        if (status !== undefined) span.setAttribute('http.response.status_code', status);
        if (call.attempts > 1) span.setAttribute('http.request.resend_count', call.attempts - 1);
        if (headers['ms-requestid']) span.setAttribute('partnercenter.request_id', headers['ms-requestid']);
        if (headers['ms-correlationid']) span.setAttribute('partnercenter.correlation_id', headers['ms-correlationid']);
      };
      try {
        const response = await context.with(trace.setSpan(context.active(), span), () => next(request, call));
        settle();
        return response;
      } catch (failure) {
        settle();
        span.setAttribute('error.type', failureName(failure));
        span.setStatus({ code: SpanStatusCode.ERROR, message: failureName(failure) });
        throw failure;
      } finally {
        span.end();
      }
    },
    onEvent(event, call) {
      const span = spans.get(call);
      if (event.kind === 'refresh') span?.addEvent('token_refresh', { 'error.type': failureName(event.failure) });
      else
        span?.addEvent('retry', {
          'http.request.resend_count': event.retry,
          'retry.delay_ms': event.delayMs,
          'error.type': failureName(event.failure),
        });
    },
  };
}
