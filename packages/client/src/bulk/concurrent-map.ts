import { bulkDefaults, ValidationError } from '../index.js';

/** A bulk operation's `concurrency`: an integer from 1 to `bulkDefaults.maxConcurrency` (a `ValidationError` otherwise). */
export function checkConcurrency(concurrency: unknown): void {
  const max = bulkDefaults.maxConcurrency;
  if (Number.isInteger(concurrency) && (concurrency as number) >= 1 && (concurrency as number) <= max) return;
  throw new ValidationError('concurrency', `must be an integer from 1 to ${max} (got ${concurrency})`);
}

/**
 * Runs `work` on each item of `source`, at most `concurrency` at a time, and yields the results
 * as they finish (not in input order). Items are pulled from `source` only as workers free up, and
 * a worker waits while the consumer lags behind, so a long input is never held in memory. Once
 * `signal` aborts (or the consumer stops iterating) no item is pulled or started; those started
 * finish and are yielded. An error of `source` is thrown after the started items are yielded.
 */
export async function* concurrentMap<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  work: (item: T) => Promise<R>,
  signal?: AbortSignal,
): AsyncGenerator<R> {
  const iterator =
    Symbol.asyncIterator in source
      ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (source as Iterable<T>)[Symbol.iterator]();
  const finished: R[] = [];
  let stopped = false;
  let sourceError: { error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  let spaceWaiters: (() => void)[] = [];
  const wake = () => {
    const resume = wakeConsumer;
    wakeConsumer = undefined;
    resume?.();
  };
  const freeSpace = () => {
    const waiters = spaceWaiters;
    spaceWaiters = [];
    for (const resume of waiters) resume();
  };
  // One pull at a time: an iterator need not support overlapping next() calls.
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<IteratorResult<T> | undefined> => {
    const next = pulling.then(async () => {
      if (stopped || signal?.aborted) return undefined;
      try {
        const result = await iterator.next();
        if (result.done) stopped = true;
        return result;
      } catch (error) {
        sourceError = { error };
        stopped = true;
        return undefined;
      }
    });
    pulling = next;
    return next;
  };
  const worker = async () => {
    for (;;) {
      while (finished.length >= concurrency && !stopped)
        await new Promise<void>((resolve) => spaceWaiters.push(resolve));
      const next = await pull();
      if (!next || next.done || signal?.aborted) return;
      finished.push(await work(next.value));
      wake();
    }
  };
  let running = concurrency;
  const workers = Array.from({ length: concurrency }, () =>
    worker().finally(() => {
      running--;
      wake();
    }),
  );
  try {
    while (running > 0 || finished.length > 0) {
      if (finished.length > 0) {
        yield finished.shift() as R;
        freeSpace();
      } else {
        await new Promise<void>((resolve) => {
          wakeConsumer = resolve;
        });
      }
    }
  } finally {
    // A consumer that stops early leaves no worker waiting for it.
    stopped = true;
    freeSpace();
    await Promise.all(workers);
  }
  if (sourceError) throw sourceError.error;
}
