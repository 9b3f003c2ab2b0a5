import { closeSync, createReadStream, fdatasyncSync, lstatSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isGuid } from '@usagebudget/client';
import type { BudgetOutcome } from '@usagebudget/client/bulk';
import { CommandLineError } from '../command-line/error.js';
import { fileKind, openForWriting } from './regular-files.js';

/**
 * The journal of an `apply` run: JSON lines next to the input (`<file>.journal`), append only.
 *
 * - `{"kind":"run","runId","sha256","service","partner"}` first: the run (its id fixes every
 *   request id), the version of the file it applies, and its target: the service's URL and the
 *   partner whose budgets it sets (see `target.ts`). A run continues only on that target.
 * - `{"kind":"send","customerId","amount","requestId"}` before an update's first request goes out.
 * - `{"kind":"done","customerId","amount","outcome","requestId","line","error"}` once its result
 *   is known (`error`: why it failed, `null` otherwise).
 * - `{"kind":"end"}` when the run went through the whole file.
 *
 * Each line is written with one `write(2)` before the program goes on, so it survives the process
 * being killed (`kill -9`); lines are fsync'd at most a second apart and when the run stops, so an
 * operating system crash loses at most the last second, and the request ids make what is sent
 * again a replay, not a second update.
 */
export type JournalLine =
  | { kind: 'run'; runId: string; sha256: string; service: string; partner: string }
  | { kind: 'send'; customerId: string; amount: string | null; requestId: string }
  | {
      kind: 'done';
      customerId: string;
      amount: string | null;
      outcome: BudgetOutcome;
      requestId: string | null;
      line: number | null;
      error: string | null;
    }
  | { kind: 'end' };

/** A row the journal records a result of. */
export interface JournalResult {
  readonly amount: string | null;
  readonly outcome: BudgetOutcome;
  readonly requestId: string | null;
  /** The file's line (journals of earlier versions do not say). */
  readonly line: number | null;
  readonly error: string | null;
}

/** What an unfinished run's journal says. */
export interface JournalState {
  readonly runId: string;
  readonly sha256: string;
  /** The target it applies to; `undefined` in a journal of a version that did not record it. */
  readonly service: string | undefined;
  readonly partner: string | undefined;
  /** The entries with a result, by customer (lower case). */
  readonly done: ReadonlyMap<string, JournalResult>;
  /** Customers whose update may have been sent without a result recorded, with what was sent. */
  readonly sent: ReadonlyMap<string, { amount: string | null; requestId: string }>;
}

const SYNC_EVERY_MS = 1000;

/** A run's target as `apply` records it (absent in journals of earlier versions). */
const isTarget = (service: unknown, partner: unknown) =>
  (service === undefined && partner === undefined) ||
  (typeof service === 'string' &&
    /^https?:\/\/[\x21-\x7e]+$/.test(service) &&
    typeof partner === 'string' &&
    // A tenant ID as the run records it (lower case), or an opaque token's fingerprint.
    ((isGuid(partner) && partner === partner.toLowerCase()) || /^token [0-9a-f]{16}$/.test(partner)));

export function journalPath(inputPath: string): string {
  return `${inputPath}.journal`;
}

/**
 * The state of the run the journal records, or `undefined` when there is no journal, it is empty,
 * or its run ended (a rerun then starts a new run). A journal that cannot be read is an error:
 * nothing must be sent twice because of it. So is a journal that is a symbolic link or not a
 * regular file: `apply` reads and writes only its own.
 */
export async function readJournal(path: string): Promise<JournalState | undefined> {
  try {
    const stats = lstatSync(path);
    if (!stats.isFile()) {
      throw new CommandLineError(
        `${path} is ${fileKind(stats)}: usagebudget apply keeps its journal only in a regular file, never through a link (remove it)`,
        'apply',
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let run: { runId: string; sha256: string; service?: string; partner?: string } | undefined;
  let ended = false;
  const done = new Map<string, JournalResult>();
  const sent = new Map<string, { amount: string | null; requestId: string }>();
  let number = 0;
  let unreadable: number | undefined;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const text of lines) {
    number++;
    if (text.trim() === '') continue;
    // A line cut short by a crash can only be the last one; anything else means the file was edited.
    if (unreadable !== undefined) {
      lines.close();
      throw new Error(`${path}, line ${unreadable}: not a journal line; remove the file to start the run anew`);
    }
    let line: JournalLine;
    try {
      line = JSON.parse(text) as JournalLine;
    } catch {
      unreadable = number;
      continue;
    }
    if (line.kind === 'run') {
      // Its target is repeated in messages: only what a run of apply writes is taken.
      if (!isTarget(line.service, line.partner)) {
        lines.close();
        throw new Error(`${path}, line ${number}: not a journal line; remove the file to start the run anew`);
      }
      run = line;
    } else if (line.kind === 'send') sent.set(line.customerId, { amount: line.amount, requestId: line.requestId });
    else if (line.kind === 'done') {
      sent.delete(line.customerId);
      done.set(line.customerId, {
        amount: line.amount,
        outcome: line.outcome,
        requestId: line.requestId ?? null,
        line: line.line ?? null,
        error: line.error ?? null,
      });
    } else if (line.kind === 'end') ended = true;
  }
  if (!run || ended) return undefined;
  return { runId: run.runId, sha256: run.sha256, service: run.service, partner: run.partner, done, sent };
}

/** Appends journal lines, each in one write, fsync'd at most a second apart and on `close()`. */
export class JournalWriter {
  readonly #fd: number;
  #syncedAt = Date.now();

  /**
   * Opens the journal: appending to a resumed run's, or replacing whatever was there for a new run;
   * never through a symbolic link, never anything but a regular file.
   */
  constructor(path: string, resume: boolean) {
    this.#fd = openForWriting(path, resume ? 'append' : 'replace');
  }

  write(line: JournalLine): void {
    writeSync(this.#fd, `${JSON.stringify(line)}\n`);
    const now = Date.now();
    if (now - this.#syncedAt >= SYNC_EVERY_MS) {
      fdatasyncSync(this.#fd);
      this.#syncedAt = now;
    }
  }

  close(): void {
    fdatasyncSync(this.#fd);
    closeSync(this.#fd);
  }
}
