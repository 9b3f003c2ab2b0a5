import { expect } from 'vitest';
import { PartnerCenterError, UsageBudgetClient, type UsageBudgetClientOptions } from '../../src/index.js';
import type { FaultServer } from './fault-server.js';

/** A client of the fault server with backoffs short enough for a fast suite. */
export function clientOf(server: FaultServer, options: Partial<UsageBudgetClientOptions> = {}) {
  return new UsageBudgetClient({
    baseURL: server.url,
    credential: 'test-token',
    backoff: { initialDelayMs: 5, maxDelayMs: 2_000 },
    ...options,
  });
}

/** The rejection of `promise`, failing the test when it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<PartnerCenterError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(PartnerCenterError);
  return outcome as PartnerCenterError;
}

/** Every item of an async iterable (a `PagedList`), in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
