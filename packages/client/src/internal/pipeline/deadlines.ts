import { MAX_TIMER_MS } from '../waiting.js';
import type { CallDeadline, PipelineStep, RequestSignal } from './pipeline.js';

type FiredBy = 'caller' | 'call' | 'attempt';

const NEVER = Number.POSITIVE_INFINITY;

/**
 * The two deadlines of one call on one timer: the call's (`totalTimeoutMs`, and the caller's
 * signal) and its current attempt's (`timeoutMs`). The clock is the attempts' signal itself (as
 * axios takes one, its `GenericAbortSignal`: `aborted` and the listener methods): it aborts an
 * attempt whatever stage it is at, connecting, waiting for headers, or reading a body that
 * trickles in (a socket's idle timeout, axios' `timeout`, cannot: every byte restarts it), and
 * after an attempt's deadline it is no longer aborted for the next one. It is no `AbortSignal`
 * because making one costs Node 20 several microseconds of a call's time; the call's `AbortSignal`,
 * for what waits outside an attempt (a token provider, a throttle, the wait before a retry), is
 * made the first time one asks for it, and fires only for the call's deadline or the caller. The
 * timer is armed for the earlier deadline.
 */
export class CallClock implements CallDeadline, RequestSignal {
  readonly endsAt: number;
  /** What fired: the caller, the call's deadline, or the attempt's (until the attempt ends). */
  firedBy: FiredBy | undefined;
  #listeners: ((event: { type: 'abort' }) => void)[] = [];
  #controller: AbortController | undefined;
  #attemptEndsAt = NEVER;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #caller: AbortSignal | undefined;

  constructor(totalTimeoutMs: number, caller?: AbortSignal) {
    this.endsAt = performance.now() + totalTimeoutMs;
    this.#caller = caller;
    if (caller?.aborted) this.#fire('caller');
    caller?.addEventListener('abort', this);
  }

  /** The caller's signal fired (this object listens to it). */
  handleEvent(): void {
    this.#fire('caller');
  }

  /** Whether the current attempt must stop. */
  get aborted(): boolean {
    return this.firedBy !== undefined;
  }

  addEventListener(_type: 'abort', listener: (event: { type: 'abort' }) => void): void {
    this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: (event: { type: 'abort' }) => void): void {
    this.#listeners = this.#listeners.filter((each) => each !== listener);
  }

  /** Whether the call is over: its deadline passed, or the caller stopped it. */
  get stopped(): boolean {
    return this.firedBy === 'caller' || this.firedBy === 'call';
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.stopped) this.#controller.abort();
    this.#arm();
    return this.#controller.signal;
  }

  /** The signal of an attempt that may last `timeoutMs`: the clock. */
  startAttempt(timeoutMs: number): RequestSignal {
    this.#attemptEndsAt = performance.now() + timeoutMs;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#arm();
    return this;
  }

  /** The attempt is over: if its deadline fired, the clock is no longer aborted for the next one. */
  endAttempt(): void {
    this.#attemptEndsAt = NEVER;
    if (this.firedBy === 'attempt') this.firedBy = undefined;
  }

  /** Lets go of the timer and of the caller's signal. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this);
  }

  #fire(by: FiredBy): void {
    if (this.stopped) return;
    const attempting = this.firedBy === undefined;
    this.firedBy = by;
    if (attempting) for (const listener of this.#listeners) listener.call(this, { type: 'abort' });
    if (by !== 'attempt') this.#controller?.abort();
  }

  #arm(): void {
    if (this.#timer !== undefined || this.stopped) return;
    const delayMs = Math.min(this.endsAt, this.#attemptEndsAt) - performance.now();
    this.#timer = setTimeout(CallClock.#wake, Math.min(Math.max(0, delayMs), MAX_TIMER_MS), this);
  }

  static #wake(clock: CallClock): void {
    clock.#timer = undefined;
    const now = performance.now();
    if (now >= clock.endsAt) clock.#fire('call');
    else if (now >= clock.#attemptEndsAt) clock.#fire('attempt');
    // Early (a timer may be, by a fraction of a millisecond), or armed for an attempt since over.
    else clock.#arm();
  }
}

/**
 * The call's deadline (`totalTimeoutMs`, per call or the client's) and the caller's `signal`, from
 * the first step on: token requests, attempts and the waits between them. When either fires, the
 * call ends with a `TimeoutError` or an `AbortError`, whatever it was doing.
 */
export function callDeadline(totalTimeoutMs: number): PipelineStep {
  return {
    name: 'callDeadline',
    async sendRequest(request, call, next) {
      const limitMs = call.plan.options.totalTimeoutMs ?? totalTimeoutMs;
      const clock = new CallClock(limitMs, call.plan.options.signal);
      call.deadline = clock;
      try {
        return await next(request, call);
      } catch (error) {
        const by = clock.firedBy;
        if (by !== 'caller' && by !== 'call') throw error;
        throw (await import('../failure-reading.js')).stoppedError(by, limitMs, call);
      } finally {
        clock.stop();
      }
    },
  };
}

/**
 * Each attempt's deadline (`timeoutMs`, per call or the client's), from connecting to the last byte
 * of the body, on the call's clock (its own without a call deadline). An attempt that runs out
 * fails with a `TimeoutError`, which the retry policy retries like any timeout.
 */
export function attemptDeadline(timeoutMs: number): PipelineStep {
  return {
    name: 'attemptDeadline',
    async sendRequest(request, call, next) {
      const limitMs = call.plan.options.timeoutMs ?? timeoutMs;
      const clock = call.deadline instanceof CallClock ? call.deadline : new CallClock(NEVER);
      request.signal = clock.startAttempt(limitMs);
      try {
        // Stopped already (a caller's signal that had fired): nothing is sent.
        if (request.signal.aborted) throw new Error('stopped');
        return await next(request, call);
      } catch (error) {
        if (clock.firedBy !== 'attempt') throw error;
        throw (await import('../failure-reading.js')).stoppedError('attempt', limitMs, call);
      } finally {
        clock.endAttempt();
        if (clock !== call.deadline) clock.stop();
      }
    },
  };
}
