import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../src/index.js';
import { clientOf, failure } from './support/client-of.js';
import { budget, TENANT, useFaultServer } from './support/fault-server.js';

const server = useFaultServer();
const exporter = new InMemorySpanExporter();

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
});
afterAll(() => trace.disable());
beforeEach(() => exporter.reset());

describe('traces', () => {
  it('records one client span per call, named by the operation, with HTTP attributes, the ids and a retry event', async () => {
    server.enqueue({ status: 503, json: { code: 800003, description: 'busy' } }, { status: 200, json: budget(3) });
    await clientOf(server).getBudget(TENANT);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const [span] = spans;
    const { hostname, port } = new URL(server.url);
    expect(span?.name).toBe('getUsageBudget');
    expect(span?.kind).toBe(SpanKind.CLIENT);
    expect(span?.instrumentationScope.name).toBe('@usagebudget/client');
    expect(span?.attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': `${server.url}/v1/customers/${TENANT}/usagebudget`,
      'server.address': hostname,
      'server.port': Number(port),
      'http.response.status_code': 200,
      'http.request.resend_count': 1,
      'partnercenter.request_id': server.requests[0]?.headers['ms-requestid'],
      'partnercenter.correlation_id': server.requests[0]?.headers['ms-correlationid'],
    });
    expect(span?.events.map(({ name, attributes }) => [name, attributes?.['error.type']])).toEqual([
      ['retry', 'ServerError 800003'],
    ]);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('ends a failed call with an error status and error.type, the fault words left out', async () => {
    server.enqueue({ status: 404, json: { code: 600026, description: 'Customer BODY-SECRET not found' } });
    expect(await failure(clientOf(server).getBudget(TENANT))).toBeInstanceOf(NotFoundError);
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'NotFoundError 600026' });
    expect(span?.attributes['error.type']).toBe('NotFoundError 600026');
    expect(span?.attributes['http.response.status_code']).toBe(404);
    expect(JSON.stringify(span?.attributes)).not.toContain('BODY-SECRET');
  });

  it('gives each page of a listing a span of its own', async () => {
    const page = (next?: string) => ({
      totalCount: 1,
      items: [],
      links: next
        ? {
            next: {
              uri: '/v1/customers?size=1&seekOperation=Next',
              method: 'GET',
              headers: [{ key: 'MS-ContinuationToken', value: next }],
            },
          }
        : {},
      attributes: { objectType: 'Collection' },
    });
    server.enqueue({ status: 200, json: page('t1') }, { status: 200, json: page() });
    for await (const _ of clientOf(server).listCustomers()) {
      // no customers
    }
    expect(exporter.getFinishedSpans().map(({ name }) => name)).toEqual(['listCustomers', 'listCustomers']);
  });
});
