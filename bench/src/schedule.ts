import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves at `performance.now()` = `due` (at once if it has passed). */
async function until(due: number): Promise<void> {
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
}

/**
 * Calls `send(index)` `count` times, one every `intervalMs` on a fixed schedule whether or not the
 * earlier ones have finished (open loop: a stalled server gets a late sample for every call it
 * held up, not one), and resolves with every result in order once all have settled.
 */
export async function openLoop<T>(
  count: number,
  intervalMs: number,
  send: (index: number) => Promise<T>,
): Promise<T[]> {
  const sent: Promise<T>[] = [];
  const start = performance.now();
  for (let index = 0; index < count; index++) {
    await until(start + index * intervalMs);
    const result = send(index);
    // Rejections are awaited below; until then they must not count as unhandled.
    result.catch(() => undefined);
    sent.push(result);
  }
  return Promise.all(sent);
}

/**
 * Calls `send(index)` `count` times, one at a time: each when the one before has finished and
 * not before its turn on a schedule of one every `intervalMs` (a call that ends late starts the
 * next at once). Resolves with every result in order.
 */
export async function pacedLoop<T>(
  count: number,
  intervalMs: number,
  send: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  const start = performance.now();
  for (let index = 0; index < count; index++) {
    await until(start + index * intervalMs);
    results.push(await send(index));
  }
  return results;
}
