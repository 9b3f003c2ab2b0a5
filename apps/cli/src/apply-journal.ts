import { closeSync, createReadStream, existsSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { BudgetOutcome } from '@usagebudget/client/bulk';

/**
 * The journal of an `apply` run: JSON lines next to the input (`<file>.journal`), append only.
 *
 * - `{"kind":"run","runId","sha256"}` first: the run (its id fixes every request id) and the
 *   version of the file it applies.
 * - `{"kind":"send","customerId","amount","requestId"}` before an update's first request goes out.
 * - `{"kind":"done","customerId","amount","outcome","requestId"}` once its result is known.
 * - `{"kind":"end"}` when the run went through the whole file.
 *
 * Each line is written with one `write(2)` before the program goes on, so it survives the process
 * being killed (`kill -9`); lines are fsync'd at most a second apart and when the run stops, so an
 * operating system crash loses at most the last second, and the request ids make what is sent
 * again a replay, not a second update.
 */
export type JournalLine =
  | { kind: 'run'; runId: string; sha256: string }
  | { kind: 'send'; customerId: string; amount: string | null; requestId: string }
  | { kind: 'done'; customerId: string; amount: string | null; outcome: BudgetOutcome; requestId: string | null }
  | { kind: 'end' };

/** What an unfinished run's journal says. */
export interface JournalState {
  readonly runId: string;
  readonly sha256: string;
  /** The entries with a result, by customer (lower case). */
  readonly done: ReadonlyMap<string, { amount: string | null; outcome: BudgetOutcome }>;
  /** Customers whose update may have been sent without a result recorded. */
  readonly sent: ReadonlySet<string>;
}

const SYNC_EVERY_MS = 1000;

export function journalPath(inputPath: string): string {
  return `${inputPath}.journal`;
}

/**
 * The state of the run the journal records, or `undefined` when there is no journal, it is empty,
 * or its run ended (a rerun then starts a new run). A journal that cannot be read is an error:
 * nothing must be sent twice because of it.
 */
export async function readJournal(path: string): Promise<JournalState | undefined> {
  if (!existsSync(path)) return undefined;
  let run: { runId: string; sha256: string } | undefined;
  let ended = false;
  const done = new Map<string, { amount: string | null; outcome: BudgetOutcome }>();
  const sent = new Set<string>();
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
    if (line.kind === 'run') run = { runId: line.runId, sha256: line.sha256 };
    else if (line.kind === 'send') sent.add(line.customerId);
    else if (line.kind === 'done') {
      sent.delete(line.customerId);
      done.set(line.customerId, { amount: line.amount, outcome: line.outcome });
    } else if (line.kind === 'end') ended = true;
  }
  if (!run || ended) return undefined;
  return { ...run, done, sent };
}

/** Appends journal lines, each in one write, fsync'd at most a second apart and on `close()`. */
export class JournalWriter {
  readonly #fd: number;
  #syncedAt = Date.now();

  /** Opens the journal: appending to a resumed run's, or replacing whatever was there for a new run. */
  constructor(path: string, resume: boolean) {
    this.#fd = openSync(path, resume ? 'a' : 'w');
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
