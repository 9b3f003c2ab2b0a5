import type { UsageStanding } from './threshold-store.js';

// What the budget domain needs from storage. The domain sees only this interface; `startServer`
// picks the engine (SQLite today). Asynchronous, as every store interface (see README.md).

export interface BudgetUpdate {
  readonly partnerId: string;
  /** The caller's MS-RequestId (lower case), or `undefined` when the server generated one: nothing to replay. */
  readonly requestId: string | undefined;
  readonly customerId: string;
  /** Canonical decimal text, or `null` to clear. */
  readonly amount: string | null;
  /** The response this update answers with, kept for replays. */
  readonly response: string;
}

/**
 * What an update did: applied it, or answered a replay of the same request with the recorded
 * response; or refused it because this request id already applied a different update. An applied
 * update comes with the customer's standing as it left it (read in the same transaction, with the
 * customer's row locked), for the threshold: one read fewer than asking `usageStanding` after.
 */
export type UpdateOutcome =
  | { readonly kind: 'applied'; readonly response: string; readonly standing: UsageStanding | undefined }
  | { readonly kind: 'replayed'; readonly response: string }
  | { readonly kind: 'requestIdReused' };

export interface BudgetStore {
  /** The amount's canonical decimal text, `null` when no budget is set. */
  readAmount(partnerId: string, customerId: string): Promise<string | null>;
  /**
   * Applies an update and records its response, atomically. When this partner already sent this
   * request id, applies nothing: the same customer and amount get the recorded response, anything
   * else is refused (answering it with another update's result would mislead the caller).
   */
  update(update: BudgetUpdate): Promise<UpdateOutcome>;
  /** Forgets replay records older than `maxAgeMs`. */
  pruneReplays(maxAgeMs: number): Promise<void>;
}

/**
 * An update applied on its own, outside any transaction, when the threshold has nothing to do:
 * `quiet` says whether a standing (the one the update would leave; `undefined`: a customer without
 * usage) needs no crossing recorded nor raised. What it did, or `undefined` when it applied
 * nothing (not quiet, or the standing changed under it): then the caller runs `update` in a
 * transaction with the threshold's evaluation. An engine without it always takes that way.
 */
export type QuietUpdate = (
  update: BudgetUpdate,
  quiet: (standing: UsageStanding | undefined) => boolean,
) => Promise<UpdateOutcome | undefined>;
