import { spelledAmount } from '@usagebudget/openapi/rules';
import type { UsageBudgetClient } from '../client.js';
import type { ResponseInfo, Throttle } from '../core/call-types.js';
import type { SpendingBudget } from '../generated/models/index.js';
import { bulkDefaults, exactDecimal, isGuid, PartnerCenterError, ValidationError } from '../index.js';
import { AdaptiveThrottle } from './adaptive-throttle.js';
import { checkConcurrency, concurrentMap } from './concurrent-map.js';
import { bulkRequestId } from './request-ids.js';

/** One update of a bulk run. */
export interface BudgetEntry {
  /** The customer tenant ID (a GUID). */
  customerTenantId: string;
  /** The budget to set, a decimal >= 0 (`'250.50'` or `250.5`); `null` clears the budget. */
  amount: string | number | null;
  /**
   * The budget the customer has now, when known (`readBudgets`): an entry whose amount equals it
   * is `unchanged` and sends nothing. Absent: the entry is sent.
   */
  current?: string | number | null;
}

/** What became of an entry: set, cleared, already as asked (nothing sent), or failed. */
export type BudgetOutcome = 'changed' | 'cleared' | 'unchanged' | 'failed';

/** The result of one entry, yielded as soon as it is known. */
export interface BudgetResult {
  readonly entry: BudgetEntry;
  readonly outcome: BudgetOutcome;
  /** The amount as sent (canonical decimal text), or `null` to clear; `undefined` when the entry is invalid. */
  readonly amount: string | null | undefined;
  /** The entry's `MS-RequestId` (for `unchanged`, the one it would have sent); `undefined` when the entry is invalid. */
  readonly requestId: string | undefined;
  /** The service's answer (`changed`, `cleared`). */
  readonly budget?: SpendingBudget;
  readonly response?: ResponseInfo;
  /** Why it failed (`failed`): a `PartnerCenterError` (a `ValidationError` for an invalid entry). */
  readonly error?: PartnerCenterError;
}

/** Where a run stands; passed to `onProgress` after every result and at every pause. */
export interface BulkProgress {
  /** Entries with a result so far. */
  readonly done: number;
  readonly changed: number;
  readonly cleared: number;
  readonly unchanged: number;
  readonly failed: number;
  /** Entries being sent (or waiting for the throttle). */
  readonly inFlight: number;
  /** `429`s received so far. */
  readonly throttled: number;
  /** When a `429` pause ends (`Date.now()` scale), while the run is paused. */
  readonly resumesAt: number | undefined;
  /** The pace the throttle learned, in requests per second; `undefined` before the first `429`. */
  readonly rate: number | undefined;
}

/** Options of {@link applyBudgets}. */
export interface ApplyBudgetsOptions {
  /**
   * The run's GUID: each entry's `MS-RequestId` is derived from it and the entry
   * ({@link bulkRequestId}). Pass the same run id to resume a run: an update it already applied is
   * then answered as a replay, not applied again. A new one by default (read it from `runId`).
   */
  runId?: string;
  /** Entries sent at once, 1 to 64 (`bulkDefaults.maxConcurrency`); 16 by default (`bulkDefaults.concurrency`). The throttle paces them below the service's limit. */
  concurrency?: number;
  /** Once aborted, no entry is started; those in flight finish and are yielded. */
  signal?: AbortSignal;
  /** Shared by every call of the run; a new `AdaptiveThrottle` by default (`readBudgets` can share it). */
  throttle?: Throttle;
  /** The `MS-CorrelationId` of every call of the run; a new one by default. */
  correlationId?: string;
  /**
   * Called (and awaited) before an entry's first request goes out, with its request id: a journal
   * written here lets a resumed run tell "maybe sent" from "never sent".
   */
  onSend?: (entry: BudgetEntry, requestId: string) => void | Promise<void>;
  /** Called after every result, and when a `429` pauses the run. */
  onProgress?: (progress: BulkProgress) => void;
}

/** The results of {@link applyBudgets}, as they finish, with the run's id. */
export interface BulkRun extends AsyncIterable<BudgetResult> {
  readonly runId: string;
}

/**
 * The canonical decimal text of an amount to set (`exactDecimal`), `null` to clear; `undefined`
 * when it is neither a finite number >= 0 nor text in the one spelling of amounts (digits,
 * optionally a `.` and decimals, such as `'250.50'`: the spec package's `AMOUNT_SPELLING`; spaces
 * around it are ignored), or when a JSON number cannot carry it exactly.
 */
export function canonicalAmount(amount: unknown): string | null | undefined {
  if (amount === null) return null;
  if (typeof amount === 'string') return spelledAmount(amount.trim());
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) return undefined;
  return exactDecimal(String(amount));
}

/**
 * Sets (or clears) the budgets of many customers: entries stream in (any iterable or async
 * iterable), results stream out as they finish. At most `concurrency` calls run at once, all
 * through one shared throttle: a `429` pauses every call until its `Retry-After`, and the pace
 * settles just under the service's limit. Each entry has one `MS-RequestId` for its whole life,
 * derived from the run id, so retries and a resumed run never apply an update twice. An entry
 * equal to its `current` budget is not sent. Every call goes through the client (its retries,
 * errors and validation); an entry that fails is a `failed` result, never an exception.
 *
 * @example
 * const run = applyBudgets(client, [{ customerTenantId, amount: '250.50' }, { customerTenantId: other, amount: null }]);
 * for await (const result of run) console.log(result.entry.customerTenantId, result.outcome);
 */
export function applyBudgets(
  client: UsageBudgetClient,
  entries: AsyncIterable<BudgetEntry> | Iterable<BudgetEntry>,
  options: ApplyBudgetsOptions = {},
): BulkRun {
  const runId = options.runId ?? crypto.randomUUID();
  const { concurrency = bulkDefaults.concurrency } = options;
  for (const [field, id] of [
    ['runId', runId],
    ['correlationId', options.correlationId],
  ] as const) {
    if (id !== undefined && !isGuid(id)) throw new ValidationError(field, `must be a GUID (got "${id}")`);
  }
  checkConcurrency(concurrency);
  const { signal, onSend, onProgress } = options;
  const correlationId = options.correlationId ?? crypto.randomUUID();
  const counts = { done: 0, changed: 0, cleared: 0, unchanged: 0, failed: 0, inFlight: 0 };
  const throttle = options.throttle ?? new AdaptiveThrottle({ onPause: () => report() });
  const report = () => {
    if (!onProgress) return;
    const state = throttle instanceof AdaptiveThrottle ? throttle.state : undefined;
    const now = Date.now();
    onProgress({
      ...counts,
      throttled: state?.throttled ?? 0,
      resumesAt: state && state.pausedUntil > now ? state.pausedUntil : undefined,
      rate: state?.rate,
    });
  };

  const applyOne = async (entry: BudgetEntry): Promise<BudgetResult> => {
    const amount = canonicalAmount(entry.amount);
    if (!isGuid(entry.customerTenantId) || amount === undefined) {
      const error = !isGuid(entry.customerTenantId)
        ? new ValidationError('customerTenantId', `must be a GUID (got "${entry.customerTenantId}")`)
        : new ValidationError(
            'amount',
            `must be a decimal >= 0 that a JSON number holds exactly, or null (got ${JSON.stringify(entry.amount)})`,
          );
      return { entry, outcome: 'failed', amount: undefined, requestId: undefined, error };
    }
    const requestId = await bulkRequestId(runId, entry.customerTenantId, amount);
    if (entry.current !== undefined && canonicalAmount(entry.current) === amount) {
      return { entry, outcome: 'unchanged', amount, requestId };
    }
    counts.inFlight++;
    try {
      await onSend?.(entry, requestId);
      const callOptions = { requestId, correlationId, throttle };
      const { data, response } = await (amount === null
        ? client.clearBudget(entry.customerTenantId, callOptions)
        : client.setBudget(entry.customerTenantId, Number(amount), callOptions)
      ).withResponse();
      return { entry, outcome: amount === null ? 'cleared' : 'changed', amount, requestId, budget: data, response };
    } catch (thrown) {
      const error =
        thrown instanceof PartnerCenterError
          ? thrown
          : new PartnerCenterError(
              String((thrown as Error)?.message ?? thrown),
              { requestId, correlationId },
              { cause: thrown },
            );
      return { entry, outcome: 'failed', amount, requestId, error };
    } finally {
      counts.inFlight--;
    }
  };

  return {
    runId,
    async *[Symbol.asyncIterator]() {
      for await (const result of concurrentMap(entries, concurrency, applyOne, signal)) {
        counts.done++;
        counts[result.outcome]++;
        report();
        yield result;
      }
    },
  };
}
