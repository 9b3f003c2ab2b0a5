import { MAX_TIMER_MS } from '../waiting.js';
import type { CallDeadline, PipelineStep } from './pipeline.js';

type FiredBy = 'caller' | 'call' | 'attempt';

/**
 * The two deadlines of one call on one timer and one `AbortSignal`: the call's (`totalTimeoutMs`,
 * and the caller's signal) and its current attempt's (`timeoutMs`). The signal aborts an attempt
 * whatever stage it is at: connecting, waiting for headers, or reading a body that trickles in (a
 * socket's idle timeout, axios' `timeout`, cannot: every byte restarts it). After an attempt's
 * deadline, the next attempt and the waits before it get a new signal; the call's deadline is
 * final. The one timer is armed for the earlier of the two deadlines, once a signal is asked for.
 */
export class CallClock implements CallDeadline {
  readonly endsAt: number;
  /** What fired the signal; an attempt's deadline only until the attempt ends. */
  firedBy: FiredBy | undefined;
  #controller = new AbortController();
  #attemptEndsAt = Number.POSITIVE_INFINITY;
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

  get signal(): AbortSignal {
    if (this.#timer === undefined && this.firedBy === undefined) {
      const delayMs = Math.min(this.endsAt, this.#attemptEndsAt) - performance.now();
      this.#timer = setTimeout(CallClock.#wake, Math.min(Math.max(0, delayMs), MAX_TIMER_MS), this);
    }
    return this.#controller.signal;
  }

  /** The signal of an attempt that may last `timeoutMs`. */
  startAttempt(timeoutMs: number): AbortSignal {
    this.#attemptEndsAt = performance.now() + timeoutMs;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    return this.signal;
  }

  /** The attempt is over: waits and the next attempt get a signal of their own if its deadline fired. */
  endAttempt(): void {
    this.#attemptEndsAt = Number.POSITIVE_INFINITY;
    if (this.firedBy === 'attempt') {
      this.firedBy = undefined;
      this.#controller = new AbortController();
    }
  }

  /** Lets go of the timer and of the caller's signal. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this);
  }

  #fire(by: FiredBy): void {
    if (this.firedBy === 'caller' || this.firedBy === 'call') return;
    this.firedBy = by;
    this.#controller.abort();
  }

  static #wake(clock: CallClock): void {
    clock.#timer = undefined;
    const now = performance.now();
    if (now >= clock.endsAt) clock.#fire('call');
    else if (now >= clock.#attemptEndsAt) clock.#fire('attempt');
    // Early (a timer may be, by a fraction of a millisecond), or armed for an attempt since over.
    else void clock.signal;
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
      const clock = call.deadline instanceof CallClock ? call.deadline : new CallClock(Number.POSITIVE_INFINITY);
      request.signal = clock.startAttempt(limitMs);
      try {
        request.signal.throwIfAborted();
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
