import { canonicalAmount } from '@usagebudget/client/bulk';
import { CommandLineError } from '../command-line/error.js';
import type { JournalState } from './journal.js';
import type { RunTarget } from './target.js';

/** A journal's unfinished run continues only on the version of the file it applies. */
export function refuseAnotherVersion(journal: string, resumed: JournalState, sha256: string, name: string): void {
  if (resumed.sha256 === sha256) return;
  throw new CommandLineError(
    `${journal} records an unfinished run of another version of ${name}: apply that version to finish it, or remove the journal to start anew`,
    'apply',
  );
}

/** A run continues only against the service, and for the partner, it started with. */
export function refuseAnotherTarget(journal: string, resumed: JournalState, target: RunTarget): void {
  const startOver = `to start over against ${target.service} for partner ${target.partner}, remove ${journal} (what it records as sent stays applied where it was sent)`;
  if (resumed.service === undefined || resumed.partner === undefined) {
    throw new CommandLineError(
      `${journal} records an unfinished run of an earlier usagebudget, which did not record its service and partner: finish it with that version, or ${startOver}`,
      'apply',
    );
  }
  if (resumed.service !== target.service) {
    throw new CommandLineError(
      `${journal} records an unfinished run against ${resumed.service}, not ${target.service}: to finish it, run the same command with --base-url ${resumed.service} (or its --cloud) and a token of partner ${resumed.partner}; ${startOver}`,
      'apply',
    );
  }
  if (resumed.partner !== target.partner) {
    throw new CommandLineError(
      `${journal} records an unfinished run for partner ${resumed.partner}, not ${target.partner} (the partner of this token): to finish it, run the same command with a token of partner ${resumed.partner}; ${startOver}`,
      'apply',
    );
  }
}

/**
 * What becomes of a row the interrupted run may have sent without its answer: `confirmed` when
 * the customer's budget is now the row's (the update went through: it is not sent again, whether
 * or not the service still remembers its request id); `unreadable` when its budget could not be
 * read (sending blind could apply it twice: it is left for the failed rows); `resend` otherwise.
 */
export function sentRowFate(
  resumed: JournalState | undefined,
  current: ReadonlyMap<string, number | null>,
  customerId: string,
): 'confirmed' | 'unreadable' | 'resend' | undefined {
  const sent = resumed?.sent.get(customerId);
  if (!sent) return undefined;
  if (!current.has(customerId)) return 'unreadable';
  return canonicalAmount(current.get(customerId)) === canonicalAmount(sent.amount) ? 'confirmed' : 'resend';
}

/** Why a row the interrupted run may have sent is not sent again when its budget cannot be read. */
export const UNREADABLE =
  'its update may have reached the service before the run was interrupted, and its current budget could not be read to tell: apply it again once it can be read';

/** How many rows of the file the interrupted run may have sent that are settled without a request. */
export function settledWithoutRequest(
  resumed: JournalState | undefined,
  current: ReadonlyMap<string, number | null>,
  customers: ReadonlyMap<string, number>,
): number {
  let settled = 0;
  for (const customerId of resumed?.sent.keys() ?? []) {
    const fate = customers.has(customerId) ? sentRowFate(resumed, current, customerId) : undefined;
    if (fate === 'confirmed' || fate === 'unreadable') settled++;
  }
  return settled;
}
