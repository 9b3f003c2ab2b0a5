// setTimeout's limit: a longer delay fires at once.
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `work`'s outcome, or `undefined` as soon as `signal` fires (the caller checks which): a token
 * provider or a throttle that ignores the signal cannot hold a call past its deadline.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (!signal) return work;
  return new Promise((resolve, reject) => {
    const stop = () => resolve(undefined);
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop);
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}
