// Each step of the request pipeline alone (or with the one it works with), in front of a scripted
// transport: what it adds to the request, what it makes of each outcome. The suites of the client
// (client.test.ts, hostile-server.test.ts, ...) run the composed pipeline against real servers.
import axios, { type AxiosAdapter } from 'axios';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  NotFoundError,
  PartnerCenterError,
  ResponseTooLargeError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
} from '../src/index.js';
import { credential } from '../src/internal/pipeline/credential.js';
import { attemptDeadline, CallClock, callDeadline } from '../src/internal/pipeline/deadlines.js';
import { errorMapping } from '../src/internal/pipeline/error-mapping.js';
import { fixedToken } from '../src/internal/pipeline/fixed-token.js';
import { logging } from '../src/internal/pipeline/logging.js';
import { Call, type CallEvent, lazyStep, type PipelineStep } from '../src/internal/pipeline/pipeline.js';
import { redirectRefusal } from '../src/internal/pipeline/redirect-refusal.js';
import { requestIds } from '../src/internal/pipeline/request-ids.js';
import { responseParsing } from '../src/internal/pipeline/response-parsing.js';
import { retry } from '../src/internal/pipeline/retry.js';
import { sizeCap } from '../src/internal/pipeline/size-cap.js';
import { throttle } from '../src/internal/pipeline/throttle.js';
import { axiosTransport } from '../src/internal/pipeline/transport.js';
import { axiosError, hang, ORIGIN, pipelineOf, planOf } from './support/pipeline.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REQUEST_ID = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const RETRY_FAST = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 10 };

/** Expects `promise` to reject with an instance of `ErrorClass` whose message is `message`. */
async function failsWith(promise: Promise<unknown>, ErrorClass: typeof PartnerCenterError, message: string) {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ErrorClass);
  expect((error as Error).message).toBe(message);
}

/** The rejection of `promise`. */
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('resolved'),
    (error: unknown) => error,
  );

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('composePipeline', () => {
  it('runs the steps outermost first, each around the next, and ends at the transport', async () => {
    const order: string[] = [];
    const step = (name: string): PipelineStep => ({
      name,
      async sendRequest(request, call, next) {
        order.push(`${name} in`);
        const response = await next(request, call);
        order.push(`${name} out`);
        return response;
      },
    });
    const { run, sent } = pipelineOf([step('a'), step('b')], { status: 200, body: '{}', data: { ok: 1 } });
    const { data, response } = await run();
    expect(order).toEqual(['a in', 'b in', 'b out', 'a out']);
    expect(sent[0]).toMatchObject({ method: 'GET', url: `${ORIGIN}/v1/x` });
    expect(data).toEqual({ ok: 1 });
    expect(response).toMatchObject({ status: 200, attempts: 1 });
  });

  it('tells every step with onEvent what any step emits', async () => {
    const heard: [string, CallEvent['kind']][] = [];
    const listener = (name: string): PipelineStep => ({
      name,
      sendRequest: (request, call, next) => next(request, call),
      onEvent: (event) => heard.push([name, event.kind]),
    });
    const emitter: PipelineStep = {
      name: 'emitter',
      sendRequest(request, call, next) {
        call.emit({ kind: 'refresh', failure: undefined });
        return next(request, call);
      },
    };
    await pipelineOf([listener('a'), emitter, listener('b')]).run();
    expect(heard).toEqual([
      ['a', 'refresh'],
      ['b', 'refresh'],
    ]);
  });
});

describe('lazyStep', () => {
  it('loads its step once, with the first call that needs it, and passes the others by', async () => {
    const load = vi.fn(
      async (): Promise<PipelineStep> => ({
        name: 'marker',
        sendRequest(request, call, next) {
          request.headers['X-Marked'] = 'yes';
          return next(request, call);
        },
      }),
    );
    const { run, sent } = pipelineOf([lazyStep('marker', load, (call) => call.plan.options.timeoutMs === 1)]);
    await run(planOf({}));
    expect(load).not.toHaveBeenCalled();
    await run(planOf({ timeoutMs: 1 }));
    await run(planOf({ timeoutMs: 1 }));
    expect(load).toHaveBeenCalledTimes(1);
    expect(sent.map(({ headers }) => headers['X-Marked'])).toEqual([undefined, 'yes', 'yes']);
  });
});

describe('requestIds', () => {
  const headers = { 'X-Locale': 'de-DE', 'MS-PartnerCenter-Client': 'test' };

  it("sends the client's headers and new ids, the same on every attempt of a call", async () => {
    const twice: PipelineStep = {
      name: 'twice',
      async sendRequest(request, call, next) {
        await next(request, call);
        return next(request, call);
      },
    };
    const { run, sent } = pipelineOf([requestIds(headers), twice]);
    await run();
    await run();
    const [first, again, other] = sent.map((attempt) => attempt.headers);
    expect(first).toMatchObject(headers);
    expect(first?.['MS-RequestId']).toMatch(GUID);
    expect(first?.['MS-CorrelationId']).toMatch(GUID);
    expect(again?.['MS-RequestId']).toBe(first?.['MS-RequestId']);
    expect(other?.['MS-RequestId']).not.toBe(first?.['MS-RequestId']);
  });

  it("sends the caller's ids, and names them in the response metadata", async () => {
    const { run, sent } = pipelineOf([requestIds(headers)]);
    const { response } = await run(planOf({ requestId: REQUEST_ID, correlationId: REQUEST_ID }));
    expect(sent[0]?.headers).toMatchObject({ 'MS-RequestId': REQUEST_ID, 'MS-CorrelationId': REQUEST_ID });
    expect(response).toMatchObject({ requestId: REQUEST_ID, correlationId: REQUEST_ID });
  });
});

describe('callDeadline and attemptDeadline', () => {
  it('keep one timer for both deadlines of a call that succeeds, and make it no AbortSignal', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    let controllers = 0;
    vi.stubGlobal(
      'AbortController',
      class extends AbortController {
        constructor() {
          super();
          controllers++;
        }
      },
    );
    const { run, sent } = pipelineOf([callDeadline(60_000), attemptDeadline(10_000)]);
    await run();
    expect(timers).toHaveBeenCalledTimes(1);
    expect(controllers).toBe(0);
    // Asked for, the call's signal is made.
    const asks: PipelineStep = {
      name: 'asks',
      sendRequest(request, call, next) {
        expect(call.signal).toBeInstanceOf(AbortSignal);
        return next(request, call);
      },
    };
    await pipelineOf([callDeadline(60_000), asks]).run();
    expect(controllers).toBe(1);
    // The attempt's signal, as axios takes one.
    expect(sent[0]?.signal).toMatchObject({ aborted: false });
    expect(typeof sent[0]?.signal?.addEventListener).toBe('function');
  });

  it("give waits outside an attempt the call's AbortSignal, which only the call's deadline fires", async () => {
    const seen: AbortSignal[] = [];
    const waits: PipelineStep = {
      name: 'waits',
      async sendRequest(request, call, next) {
        seen.push(call.signal as AbortSignal);
        await next(request, call).catch(() => undefined);
        expect(call.signal?.aborted).toBe(false);
        return next(request, call);
      },
    };
    const { run } = pipelineOf([callDeadline(60_000), waits, attemptDeadline(10)], hang, {});
    await run();
    expect(seen[0]).toBeInstanceOf(AbortSignal);
  });

  it('end an attempt that runs out with a TimeoutError naming timeoutMs, per call or the one given', async () => {
    const { run } = pipelineOf([callDeadline(60_000), attemptDeadline(20)], hang, hang);
    await failsWith(run(), TimeoutError, 'no response within 20 ms');
    const error = await rejection(run(planOf({ timeoutMs: 5 })));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ message: 'no response within 5 ms', code: 'ETIMEDOUT' });
  });

  it('give the next attempt and the waits before it a signal of their own after an attempt ran out', async () => {
    const again: PipelineStep = {
      name: 'again',
      async sendRequest(request, call, next) {
        const first = await next(request, call).catch((error: unknown) => error);
        expect(first).toBeInstanceOf(TimeoutError);
        expect(call.signal?.aborted).toBe(false);
        return next(request, call);
      },
    };
    const { run, sent } = pipelineOf([callDeadline(60_000), again, attemptDeadline(10)], hang, { status: 200 });
    await expect(run()).resolves.toMatchObject({ response: { attempts: 2 } });
    expect(sent.map(({ abortedWhenSent }) => abortedWhenSent)).toEqual([false, false]);
  });

  it("end the call at totalTimeoutMs whatever it was doing, and at the caller's signal", async () => {
    const { run } = pipelineOf([callDeadline(20), attemptDeadline(60_000)], hang, hang);
    await failsWith(run(), TimeoutError, 'the call did not finish within 20 ms (totalTimeoutMs), attempts: 1');
    const controller = new AbortController();
    const stopped = run(planOf({ signal: controller.signal, totalTimeoutMs: 60_000 }));
    setTimeout(() => controller.abort(), 5);
    await expect(stopped).rejects.toBeInstanceOf(AbortError);
  });

  it('send nothing for a caller whose signal fired already', async () => {
    const { run, sent } = pipelineOf([callDeadline(60_000), attemptDeadline(60_000)]);
    await failsWith(run(planOf({ signal: AbortSignal.abort() })), AbortError, 'the call was aborted');
    expect(sent).toEqual([]);
  });

  it('let other failures through untouched', async () => {
    const failure = new NotFoundError('404 no');
    const { run } = pipelineOf([callDeadline(60_000), attemptDeadline(60_000)], { throws: failure });
    expect(await rejection(run())).toBe(failure);
  });

  it('fire a clock early by no more than the timer does, and stop it with the call', () => {
    const clock = new CallClock(60_000);
    const { signal } = clock;
    clock.stop();
    expect(signal.aborted).toBe(false);
    expect(clock.endsAt).toBeGreaterThan(performance.now() + 59_000);
  });
});

describe('retry', () => {
  it('sends a transient failure again, with the same request, and announces each retry', async () => {
    const heard: CallEvent[] = [];
    const listener: PipelineStep = {
      name: 'listener',
      sendRequest: (request, call, next) => next(request, call),
      onEvent: (event) => heard.push(event),
    };
    const busy = new ServerError('503 busy', { status: 503 });
    const { run, sent } = pipelineOf([listener, retry(RETRY_FAST)], { throws: busy }, { throws: busy }, {});
    await expect(run()).resolves.toMatchObject({ response: { attempts: 3 } });
    expect(sent).toHaveLength(3);
    expect(heard.map((event) => event.kind === 'retry' && [event.retry, event.failure])).toEqual([
      [1, busy],
      [2, busy],
    ]);
  });

  it('ends with the last failure past maxRetries, and at once with a final one', async () => {
    const busy = () => ({ throws: new ServerError('503 busy', { status: 503 }) });
    const { run, sent } = pipelineOf([retry(RETRY_FAST)], busy(), busy(), busy(), { throws: new NotFoundError('no') });
    await expect(run()).rejects.toBeInstanceOf(ServerError);
    expect(sent).toHaveLength(3);
    await expect(run()).rejects.toBeInstanceOf(NotFoundError);
    expect(sent).toHaveLength(4);
  });

  it("waits what the failed response's Retry-After asks, unless the wait would end past the call's deadline", async () => {
    const limited = (seconds: string) => ({ status: 429, headers: { 'retry-after': seconds }, body: '{}' });
    const steps = () => [callDeadline(500), retry({ ...RETRY_FAST, maxDelayMs: 60_000 }), errorMapping()];
    const waited = pipelineOf(steps(), limited('0'), {});
    await expect(waited.run()).resolves.toMatchObject({ response: { attempts: 2 } });
    const started = performance.now();
    const answered = pipelineOf(steps(), limited('2'), {});
    await expect(answered.run()).rejects.toMatchObject({ status: 429, retryAfterMs: 2000 });
    expect(answered.sent).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(450);
  });
});

describe('fixedToken and credential', () => {
  it('sends a fixed token as a bearer token on every attempt', async () => {
    const { run, sent } = pipelineOf([fixedToken('t0ken')]);
    await run();
    expect(sent[0]?.headers.Authorization).toBe('Bearer t0ken');
  });

  it('asks the provider before each attempt, and once per call again with forceRefresh after a 401', async () => {
    const asked: boolean[] = [];
    const provider = vi.fn(async ({ forceRefresh }: { forceRefresh: boolean }) => {
      asked.push(forceRefresh);
      return forceRefresh ? 'fresh' : 'cached';
    });
    const heard: string[] = [];
    const listener: PipelineStep = {
      name: 'listener',
      sendRequest: (request, call, next) => next(request, call),
      onEvent: (event) => heard.push(event.kind),
    };
    const unauthorized = () => ({ throws: new AuthenticationError('401', { status: 401 }) });
    const { run, sent } = pipelineOf(
      [listener, credential(provider)],
      unauthorized(),
      {},
      unauthorized(),
      unauthorized(),
    );
    await run();
    expect(asked).toEqual([false, true]);
    expect(sent.map(({ headers }) => headers.Authorization)).toEqual(['Bearer cached', 'Bearer fresh']);
    expect(heard).toEqual(['refresh']);
    await expect(run()).rejects.toBeInstanceOf(AuthenticationError);
    expect(asked).toEqual([false, true, false, true]);
  });

  it('fails with an AuthenticationError when the provider fails or answers no token, sending nothing', async () => {
    const cause = new Error('no network');
    const failing = pipelineOf([
      credential(() => {
        throw cause;
      }),
    ]);
    const error = await rejection(failing.run());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ message: 'the credential provider failed: no network', cause });
    const empty = pipelineOf([credential(async () => '')]);
    await failsWith(empty.run(), AuthenticationError, 'the credential provider returned no token');
    expect([...failing.sent, ...empty.sent]).toEqual([]);
  });
});

describe('throttle', () => {
  it("awaits the call's throttle before each attempt and tells it what the attempt got", async () => {
    const events: string[] = [];
    const shared = {
      acquire: vi.fn(async () => void events.push('acquire')),
      settle: vi.fn((status: number, retryAfterMs?: number) => void events.push(`settle ${status} ${retryAfterMs}`)),
    };
    const { run } = pipelineOf([throttle()], { status: 429, headers: { 'retry-after': '3' } });
    await run(planOf({ throttle: shared }));
    expect(events).toEqual(['acquire', 'settle 429 3000']);
    const failed = pipelineOf([throttle()], { throws: axiosError('ECONNRESET') });
    await expect(failed.run(planOf({ throttle: shared }))).rejects.toThrow();
    expect(events.at(-1)).toBe('settle 0 undefined');
  });

  it('lets a call without a throttle through', async () => {
    const { run, sent } = pipelineOf([throttle()]);
    await run();
    expect(sent).toHaveLength(1);
  });
});

describe('logging', () => {
  it('writes a debug line before and a line after each attempt, a warning per retry and per refresh, with the ids', async () => {
    const logger = { debug: vi.fn(), warn: vi.fn() };
    const busy = new ServerError('503 busy: the body says so', { status: 503, code: 503 });
    const { run } = pipelineOf(
      [requestIds({}), logging({ logger }), retry(RETRY_FAST), logging({ logger: { debug: logger.debug } })],
      { throws: busy },
      {},
    );
    await run(planOf({ requestId: REQUEST_ID }));
    expect(logger.debug.mock.calls.map(([line]) => line)).toEqual([
      'usagebudget: getUsageBudget test, attempt 1',
      'usagebudget: getUsageBudget test, attempt 1',
      'usagebudget: getUsageBudget test, attempt 2',
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/^usagebudget: getUsageBudget test failed \(ServerError 503\), retry 1 in \d+(\.\d+)? ms$/),
      expect.objectContaining({ requestId: REQUEST_ID, attempt: 1 }),
    );
    const call = new Call(planOf(), []);
    call.ids = { requestId: REQUEST_ID, correlationId: REQUEST_ID };
    logging({ logger }).onEvent?.({ kind: 'refresh', failure: undefined }, call);
    expect(logger.warn).toHaveBeenLastCalledWith(
      'usagebudget: getUsageBudget test got 401, retrying once with a fresh token',
      {
        requestId: REQUEST_ID,
        correlationId: REQUEST_ID,
      },
    );
  });
});

describe('errorMapping', () => {
  it("maps a status to its class, with the fault's fields and the response's ids", async () => {
    const { run } = pipelineOf([requestIds({}), errorMapping()], {
      status: 404,
      headers: { 'ms-requestid': REQUEST_ID },
      body: JSON.stringify({ code: 600026, description: 'Customer not found', source: 'PartnerFD' }),
    });
    const error = await rejection(run());
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 600026, source: 'PartnerFD', requestId: REQUEST_ID });
    expect((error as Error).message).toBe(`404 Customer not found (code 600026, MS-RequestId ${REQUEST_ID})`);
  });

  it("redacts the request's token from what the response echoes", async () => {
    const { run } = pipelineOf([fixedToken('s3cret-token-of-the-caller'), errorMapping()], {
      status: 400,
      body: JSON.stringify({ code: 1, description: 'bad Bearer s3cret-token-of-the-caller' }),
    });
    const error = (await rejection(run())) as PartnerCenterError;
    expect(error.description).toBe('bad Bearer [redacted]');
  });

  it('maps what the transport threw: a connection error, a cancel, and lets anything else through', async () => {
    const other = new TypeError('an interceptor of the caller');
    const { run } = pipelineOf(
      [errorMapping()],
      { throws: axiosError('ECONNRESET') },
      { throws: axiosError('ERR_CANCELED') },
      { throws: other },
    );
    await failsWith(run(), ConnectionError, 'connection failed: ECONNRESET happened');
    await failsWith(run(), AbortError, 'the request was canceled');
    expect(await rejection(run())).toBe(other);
  });
});

describe('responseParsing', () => {
  it('parses a 2xx with every cost as its exact text, and leaves other statuses alone', async () => {
    const { run } = pipelineOf(
      [responseParsing(undefined)],
      { body: '{"totalCost": 28.82860766744404945074, "count": 2}' },
      { status: 404, body: 'nothing' },
    );
    await expect(run()).resolves.toMatchObject({ data: { totalCost: '28.82860766744404945074', count: 2 } });
    await expect(run()).resolves.toMatchObject({ response: { status: 404 }, data: undefined });
  });

  it('refuses a 2xx that is not a JSON object, and one the validator finds problems in', async () => {
    const validate = vi.fn(() => [{ pointer: '/amount', rule: 'must be number' }]);
    const { run } = pipelineOf([responseParsing(validate)], { body: '[1]' }, { body: '{"amount":"x"}' });
    await failsWith(
      run(),
      ResponseValidationError,
      'the 200 response of getUsageBudget does not match the spec: (root) must be a JSON object, not the JSON "[1]"',
    );
    const error = await rejection(run());
    expect(error).toBeInstanceOf(ResponseValidationError);
    expect(error).toMatchObject({ status: 200, problems: [{ pointer: '/amount', rule: 'must be number' }] });
    expect(validate).toHaveBeenCalledWith('getUsageBudget', 200, '{"amount":"x"}');
  });
});

describe('redirectRefusal', () => {
  it('refuses a 3xx with a Location, and an answer from another origin', async () => {
    const { run } = pipelineOf(
      [redirectRefusal()],
      { status: 307, headers: { location: 'https://elsewhere.test/x' } },
      { status: 200, url: 'https://elsewhere.test/v1/x' },
      { status: 200, url: `${ORIGIN}/v1/x?followed` },
      { status: 304 },
    );
    const redirect = await rejection(run());
    expect(redirect).toBeInstanceOf(PartnerCenterError);
    expect(redirect).toMatchObject({
      status: 307,
      message: '307 a redirect to "https://elsewhere.test/x", which the client does not follow',
    });
    await expect(run()).rejects.toThrow('200 a redirect to "https://elsewhere.test", which the client does not follow');
    // The same origin, followed by the transport; a 3xx without a Location: no redirect to refuse.
    await expect(run()).resolves.toMatchObject({ response: { status: 200 } });
    await expect(run()).resolves.toMatchObject({ response: { status: 304 } });
  });
});

describe('sizeCap', () => {
  it("caps each attempt at the client's cap, else the operation's, and a shared cap at what is left", async () => {
    const shared = { max: 100, left: 100 };
    const { run, sent } = pipelineOf([sizeCap(undefined)], { body: 'x'.repeat(30) }, {});
    await run(planOf({}, shared));
    await run(planOf({}, shared));
    expect(sent.map(({ maxResponseBytes }) => maxResponseBytes)).toEqual([100, 70]);
    const capped = pipelineOf([sizeCap(50)]);
    await capped.run(planOf({}, 1000));
    expect(capped.sent[0]?.maxResponseBytes).toBe(50);
  });

  it("turns the transport's stop at the cap into a ResponseTooLargeError, and nothing else", async () => {
    const { run } = pipelineOf(
      [sizeCap(undefined)],
      { throws: axiosError('ERR_BAD_RESPONSE', 'maxContentLength size of 1000 exceeded') },
      { throws: axiosError('ECONNRESET') },
    );
    await failsWith(
      run(),
      ResponseTooLargeError,
      'the response body exceeds maxResponseBytes (1000 bytes); the rest was not read',
    );
    await expect(run()).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('axiosTransport', () => {
  it('sends with the given instance, every status resolving as text, no redirect and no timeout of its own', async () => {
    const adapter = vi.fn<AxiosAdapter>(async (config) => ({
      data: '{"a":1}',
      status: 418,
      statusText: '',
      headers: { 'X-Echo': 'yes', 'MS-RequestId': REQUEST_ID },
      config,
      request: {},
    }));
    const transport = axiosTransport(axios.create({ adapter, timeout: 5 }));
    expect(transport.prepare?.()).toBeUndefined();
    const call = new Call(planOf(), []);
    const signal = new AbortController().signal;
    const response = await transport.send(
      { method: 'PATCH', url: `${ORIGIN}/v1/x`, headers: { A: 'b' }, body: '{}', signal, maxResponseBytes: 10 },
      call,
    );
    expect(response).toEqual({
      status: 418,
      headers: { 'x-echo': 'yes', 'ms-requestid': REQUEST_ID },
      body: '{"a":1}',
      url: undefined,
    });
    expect(call).toMatchObject({ attempts: 1, response });
    expect(adapter.mock.calls[0]?.[0]).toMatchObject({
      method: 'patch',
      url: `${ORIGIN}/v1/x`,
      data: '{}',
      signal,
      timeout: 0,
      maxContentLength: 10,
      maxRedirects: 0,
      responseType: 'text',
      validateStatus: null,
    });
  });

  it('loads the global axios once, before the first call, when given no instance', async () => {
    const transport = axiosTransport(undefined);
    const loading = transport.prepare?.();
    expect(loading).toBeInstanceOf(Promise);
    await loading;
    expect(transport.prepare?.()).toBeUndefined();
  });
});
