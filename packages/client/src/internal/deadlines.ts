import { MAX_TIMER_MS } from './argument-checks.js';

/** An `AbortSignal` with a time limit; `clear()` stops its timer and lets go of the parent. */
export interface TimeLimit {
  readonly signal: AbortSignal;
  clear(): void;
}

/**
 * A signal that fires after `ms`, or as soon as `parent` fires. The call has one (under the
 * caller's signal: `totalTimeoutMs`), each attempt one under the call's (`timeoutMs`), which aborts
 * the request whatever stage it is at: connecting, waiting for headers, or reading a body that
 * trickles in. A socket's idle timeout (axios' `timeout`) cannot do that: every byte restarts it.
 * Which one fired, the caller tells by asking the signals from the outside in.
 */
export function timeLimit(ms: number, parent?: AbortSignal): TimeLimit {
  const controller = new AbortController();
  const stop = () => controller.abort();
  const timer = setTimeout(stop, Math.min(ms, MAX_TIMER_MS));
  if (parent?.aborted) stop();
  parent?.addEventListener('abort', stop);
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', stop);
    },
  };
}

/** Resolves once `signal` has fired. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve());
  });
}

/** Resolves after `ms`, or as soon as `signal` fires (the caller checks which). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  const pause = timeLimit(ms, signal);
  await aborted(pause.signal);
  pause.clear();
}
