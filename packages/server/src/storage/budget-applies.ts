import Database from 'better-sqlite3';

/** One update the server applied (a replay is not one). */
export interface BudgetApply {
  readonly partnerId: string;
  readonly customerId: string;
  /** The caller's `MS-RequestId` (lower case), `null` when it sent none. */
  readonly requestId: string | null;
  /** The canonical decimal text set, `null` for a clear. */
  readonly amount: string | null;
  readonly appliedAt: number;
}

/**
 * Every budget update a stopped server's database records as applied, in order: what a bulk run is
 * checked against. Opens the file read-only; a running server holds its database's lock, so stop
 * it first.
 */
export function readBudgetApplies(dbPath: string): BudgetApply[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<
        [],
        {
          partner_id: string;
          customer_id: string;
          request_id: string | null;
          amount: string | null;
          applied_at: number;
        }
      >('SELECT partner_id, customer_id, request_id, amount, applied_at FROM budget_applies ORDER BY seq')
      .all()
      .map((row) => ({
        partnerId: row.partner_id,
        customerId: row.customer_id,
        requestId: row.request_id,
        amount: row.amount,
        appliedAt: row.applied_at,
      }));
  } finally {
    db.close();
  }
}
