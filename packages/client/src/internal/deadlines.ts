import { MAX_TIMER_MS } from './argument-checks.js';

/** Why a deadline's signal fired: the caller aborted, the whole call or one attempt ran out of time. */
export type StopReason = 'aborted' | 'call-timeout' | 'attempt-timeout';

/** An `AbortSignal` with a time limit, which says why it fired. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Why the signal fired; `undefined` while it has not. */
  reason(): StopReason | undefined;
  /** Milliseconds until its own time runs out. */
  remainingMs(): number;
  /** Stops the timer and lets go of the parent; the signal never fires after this. */
  dispose(): void;
}

/**
 * A signal that fires after `ms` (with `reason`), or as soon as `parent` fires (with
 * `parentReason()`). The call has one (the caller's signal and `totalTimeoutMs`); each attempt
 * has one under it (`timeoutMs`), which aborts the request whatever stage it is at: connecting,
 * waiting for headers, or reading a body that trickles in. A socket's idle timeout (axios'
 * `timeout`) cannot do that: every byte restarts it.
 */
export function deadline(
  ms: number,
  reason: StopReason,
  parent?: AbortSignal,
  parentReason: () => StopReason = () => 'aborted',
): Deadline {
  const controller = new AbortController();
  const endsAt = Date.now() + ms;
  let stoppedBy: StopReason | undefined;
  const dispose = () => {
    clearTimeout(timer);
    parent?.removeEventListener('abort', onParentAbort);
  };
  const stop = (why: StopReason) => {
    if (stoppedBy) return;
    stoppedBy = why;
    dispose();
    controller.abort();
  };
  const onParentAbort = () => stop(parentReason());
  const timer = setTimeout(() => stop(reason), Math.min(ms, MAX_TIMER_MS));
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort);
  return { signal: controller.signal, reason: () => stoppedBy, remainingMs: () => endsAt - Date.now(), dispose };
}

/** Rejects as soon as `signal` fires, so that work which ignores the signal cannot outlive it. */
export function unlessStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort);
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Resolves after `ms`, or as soon as `signal` fires (the caller checks which). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
