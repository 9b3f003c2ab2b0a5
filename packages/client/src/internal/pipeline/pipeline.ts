import type { WithResponse } from '../../core/call-promise.js';
import type { CallOptions, ResponseInfo } from '../../core/call-types.js';
import type { OperationId } from '../../generated/requests.js';

/** The ids of one logical call, the same on all its attempts. */
export type CallIds = {
  requestId: string;
  correlationId: string;
};

/**
 * Bytes that the bodies of several calls share: the usage records' pages, all together, are held
 * to one cap. Each 2xx body read takes its length (in UTF-16 units, which a JSON body of ASCII has
 * as many of as bytes) from `left`.
 */
export interface SharedResponseBytes {
  max: number;
  left: number;
}

/**
 * What one call of a client method asks for, in one object made once per call (openai-node's
 * request options): the operation's request, the caller's options and the response cap.
 */
export interface CallPlan {
  readonly operationId: OperationId;
  /** How log lines and messages name the call: the operationId, then the customer where there is one. */
  readonly label: string;
  readonly method: string;
  /** Path and query, from the client's base URL. */
  readonly path: string;
  /** The operation's own headers (`Content-Type`, `MS-ContinuationToken`); the steps add the rest. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body as JSON text. */
  readonly body?: string;
  readonly options: CallOptions;
  /** The operation's response cap, or one that its pages share. */
  readonly maxResponseBytes: number | SharedResponseBytes;
}

/**
 * What ends an attempt, as the transport listens to it: an `AbortSignal`, or anything with its
 * `aborted` and listener methods (axios' `GenericAbortSignal`).
 */
export interface RequestSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: (event: { type: 'abort' }) => void): void;
  removeEventListener(type: 'abort', listener: (event: { type: 'abort' }) => void): void;
}

/** One attempt's request, as the steps shape it (they may change it) and the transport sends it. */
export interface PipelineRequest {
  method: string;
  /** The absolute URL. */
  url: string;
  headers: Record<string, string>;
  body?: string | undefined;
  /** Ends the attempt (the deadlines' step sets it). */
  signal?: RequestSignal | undefined;
  /** The most bytes of body the transport reads (the size cap's step sets it). */
  maxResponseBytes?: number | undefined;
  /** How axios connects in Node: its `proxy`, `httpsAgent` (the proxy's step sets them). */
  axiosConfig?: Record<string, unknown> | undefined;
}

/** What an attempt got, whatever its status. */
export interface PipelineResponse {
  status: number;
  /** Names in lower case. */
  headers: Record<string, string>;
  /** The body as text. */
  body: string;
  /**
   * The URL the answer came from, when the transport says and it is not the one asked: a browser's
   * XMLHttpRequest follows redirects before anyone sees them.
   */
  url?: string | undefined;
  /** The parsed body of a 2xx (the response parsing's step sets it). */
  data?: unknown;
}

/** What a step tells the others about a call: a retry it is about to wait for, a token it refreshes. */
export type CallEvent =
  | { readonly kind: 'retry'; readonly failure: unknown; readonly retry: number; readonly delayMs: number }
  | { readonly kind: 'refresh'; readonly failure: unknown };

/** The deadline of a call, as the steps outside the attempt see it (the deadlines' step keeps it). */
export interface CallDeadline {
  /** Fires when the call must stop: its deadline, or the caller's signal. */
  readonly signal: AbortSignal;
  /** When the call's deadline passes, on `performance.now()`'s clock. */
  readonly endsAt: number;
}

const NO_IDS: CallIds = { requestId: '', correlationId: '' };

/** One logical call through all its attempts: its plan, and what the steps know of it. */
export class Call {
  /** `MS-RequestId` and `MS-CorrelationId`, set by the ids' step, the same on every attempt. */
  ids: CallIds = NO_IDS;
  /** Attempts sent so far; the transport counts them. */
  attempts = 0;
  /** The last attempt's response, whatever its status; `undefined` while none came. The transport sets it. */
  response: PipelineResponse | undefined;
  /** The call's deadline, when a step keeps one. */
  deadline: CallDeadline | undefined;
  readonly #listeners: readonly PipelineStep[];

  constructor(
    readonly plan: CallPlan,
    listeners: readonly PipelineStep[] = [],
  ) {
    this.#listeners = listeners;
  }

  /** What waits and token requests stop on: the call's deadline, or without one the caller's signal. */
  get signal(): AbortSignal | undefined {
    return this.deadline?.signal ?? this.plan.options.signal;
  }

  /** Tells every step that listens (`onEvent`). */
  emit(event: CallEvent): void {
    for (const step of this.#listeners) step.onEvent?.(event, this);
  }
}

/** Sends a request on: to the next step, and from the last one to the transport. */
export type SendRequest = (request: PipelineRequest, call: Call) => Promise<PipelineResponse>;

/**
 * One step of the request pipeline (an Azure core-rest-pipeline policy): it may change the
 * request, call `next` once, several times (a retry) or not at all, and change or replace what
 * comes back. A step throws the client's errors for what it owns, and lets the others through.
 */
export interface PipelineStep {
  readonly name: string;
  sendRequest(request: PipelineRequest, call: Call, next: SendRequest): Promise<PipelineResponse>;
  /** Hears every event of every call (a retry, a refresh), whichever step emits it. */
  onEvent?(event: CallEvent, call: Call): void;
}

/**
 * A step that not every call needs (an option's: the token provider, the shared throttle, the
 * logger), composed in its place but loaded with the first call that needs it: its module is no
 * part of the main entry's bundle. `needs` says which calls do (all by default); the others pass
 * it by. Its `onEvent` hears the events of calls that went through it.
 */
export function lazyStep(
  name: string,
  load: () => Promise<PipelineStep>,
  needs: (call: Call) => boolean = () => true,
): PipelineStep {
  let step: PipelineStep | undefined;
  // One load for the calls that start together: each step keeps what it knows (a token, a throttle).
  let loading: Promise<PipelineStep> | undefined;
  const loaded = async (request: PipelineRequest, call: Call, next: SendRequest) => {
    loading ??= load();
    step = await loading;
    return step.sendRequest(request, call, next);
  };
  return {
    name,
    sendRequest: (request, call, next) => (needs(call) ? loaded(request, call, next) : next(request, call)),
    onEvent: (event, call) => step?.onEvent?.(event, call),
  };
}

/** The end of the pipeline: sends one attempt. `prepare` loads what it sends with, before the deadlines start. */
export interface Transport {
  send: SendRequest;
  prepare?(): Promise<void> | undefined;
}

/** The ids a response names: the service's echo, or the ones the call sent. */
export function responseIds({ headers }: PipelineResponse, { ids }: Call): CallIds {
  return {
    requestId: headers['ms-requestid'] || ids.requestId,
    correlationId: headers['ms-correlationid'] || ids.correlationId,
  };
}

/** What a response said besides its body, for the caller. */
export function responseInfo({ status, headers }: PipelineResponse, { ids, attempts }: Call): ResponseInfo {
  return {
    status,
    headers,
    requestId: headers['ms-requestid'] || ids.requestId,
    correlationId: headers['ms-correlationid'] || ids.correlationId,
    attempts,
  };
}

/** Runs one call through the pipeline: its data (the parsed 2xx body) and response metadata. */
export type RunCall = <T>(plan: CallPlan) => Promise<WithResponse<T>>;

/**
 * The steps, outermost first, composed once (a client does it once) into one function per call
 * that ends at `transport`. A request starts as the plan's method, `baseURL` + path, headers and
 * body; every step sees the same request object on its way in and may change it.
 */
export function composePipeline(steps: readonly PipelineStep[], transport: Transport, baseURL: string): RunCall {
  const send = steps.reduceRight<SendRequest>(
    (next, step) => (request, call) => step.sendRequest(request, call, next),
    transport.send,
  );
  const listeners = steps.filter((step) => step.onEvent);
  const run = (plan: CallPlan) => {
    const call = new Call(plan, listeners);
    const request: PipelineRequest = {
      method: plan.method,
      url: baseURL + plan.path,
      headers: { ...plan.headers },
      body: plan.body,
    };
    return send(request, call).then((response) => ({ data: response.data, response: responseInfo(response, call) }));
  };
  return <T>(plan: CallPlan) => {
    const ready = transport.prepare?.();
    return (ready ? ready.then(() => run(plan)) : run(plan)) as Promise<WithResponse<T>>;
  };
}
