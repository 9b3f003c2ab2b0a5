import type { IncomingMessage } from 'node:http';
import {
  JsonArrayStream,
  JsonTextValue,
  jsonChunks,
  MAX_BODY_BYTES,
  StreamedBody,
} from '@usagebudget/server/extension';
import type { Redaction } from './redaction.js';

/** One request of the API as the journal answers it: the `JournalEntry` schema of the test controls' spec. */
export interface JournalEntry {
  /** In the order requests arrived. */
  readonly id: number;
  /** When it arrived (ISO 8601). */
  readonly time: string;
  readonly method: string;
  /** As sent, without the query string. */
  readonly path: string;
  /** The query string without its `?`, credentials redacted; empty when there is none. */
  readonly query: string;
  /** The spec's operation it matched; `null` for a request of no operation. */
  readonly operationId: string | null;
  /** The customer tenant ID its path names, lower case; `null` when it names none. */
  readonly customer: string | null;
  /** As received (names in lower case), credentials redacted. */
  readonly headers: Readonly<Record<string, string | string[]>>;
  /** Its JSON value when it parses, else its text; `null` when empty. */
  readonly body: unknown;
  /** The body's size as it arrived, in bytes. */
  readonly bodyBytes: number;
  /** True when the body was longer than the journal keeps (64 KiB): `body` is then its first 64 KiB, as text. */
  readonly bodyTruncated: boolean;
  /** The status answered; `null` while unanswered, or for a dropped connection. */
  readonly status: number | null;
  /** The id of the rule that faulted it, `prefer` when its `Prefer` header did; `null` when none did. */
  readonly fault: string | null;
}

/** What `GET /_mock/journal` answers. */
export interface Journal {
  readonly entries: readonly JournalEntry[];
  /** Older entries forgotten since the last clear, to keep the journal within `maxBytes`. */
  readonly dropped: number;
  /** What the entries kept now count, all of them (not only those a filter let through). */
  readonly bytes: number;
  /** The journal's budget. */
  readonly maxBytes: number;
}

/** `GET /_mock/journal`'s filters; each one given must match. */
export interface JournalFilter {
  /** Any case. */
  readonly method?: string | undefined;
  readonly operationId?: string | undefined;
  /** A customer tenant ID, any case. */
  readonly customer?: string | undefined;
  /** The status answered. */
  readonly status?: number | undefined;
}

/**
 * A mock runs for long under load (another team's CI, a benchmark): the journal keeps the newest
 * entries within a budget of bytes, whatever their number or size.
 */
export const DEFAULT_JOURNAL_MAX_BYTES = 32 * 1024 * 1024;
/** Throws unless `value` is a journal budget: a whole number of bytes, 0 or more. */
export function checkJournalMaxBytes(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`journalMaxBytes must be a whole number of bytes, 0 or more (got ${value})`);
  }
}
/** What an entry counts beside its headers, path, query and body: its other fields and the objects around them. */
export const JOURNAL_ENTRY_OVERHEAD_BYTES = 1024;
// A request body that has not ended this long after the journal was asked for is shown as it is.
const BODY_WAIT_MS = 1_000;
// Entries rendered per piece of the journal's answer.
const ENTRIES_PER_PIECE = 64;

function headerBytes(headers: Record<string, string | string[]>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    bytes += name.length + (Array.isArray(value) ? value.reduce((sum, each) => sum + each.length, 0) : value.length);
  }
  return bytes;
}

/** An entry while its request is answered: the status and the fault are set as they are known. */
export type JournalRecord = Omit<JournalEntry, 'body' | 'bodyBytes' | 'bodyTruncated' | 'status' | 'fault'> & {
  status: number | null;
  fault: string | null;
};

/** An entry as it is kept: the body as the text that came (written into the answer as it is when it is JSON). */
type Stored = JournalRecord & {
  bodyText: string | null;
  bodyIsJson: boolean;
  bodyBytes: number;
  bodyTruncated: boolean;
  /** What it counts against the budget. */
  bytes: number;
  /** False once dropped: what its body adds later counts for nothing. */
  kept: boolean;
};

function wireEntry(entry: Stored): Record<string, unknown> {
  const { bodyText, bodyIsJson, bytes: _bytes, kept: _kept, ...fields } = entry;
  return {
    id: fields.id,
    time: fields.time,
    method: fields.method,
    path: fields.path,
    query: fields.query,
    operationId: fields.operationId,
    customer: fields.customer,
    headers: fields.headers,
    body: bodyText === null ? null : bodyIsJson ? new JsonTextValue(bodyText) : bodyText,
    bodyBytes: fields.bodyBytes,
    bodyTruncated: fields.bodyTruncated,
    status: fields.status,
    fault: fields.fault,
  };
}

function matches(entry: Stored, filter: JournalFilter, method: string | undefined, customer: string | undefined) {
  return (
    (method === undefined || entry.method === method) &&
    (filter.operationId === undefined || entry.operationId === filter.operationId) &&
    (customer === undefined || entry.customer === customer) &&
    (filter.status === undefined || entry.status === filter.status)
  );
}

export interface RequestJournal {
  /** Starts an entry for a request that arrived; its body, status and fault are filled in later. */
  open(req: IncomingMessage, fields: Pick<JournalRecord, 'path' | 'query' | 'operationId' | 'customer'>): JournalRecord;
  /**
   * Reads the request's body into its entry as it arrives, alongside whoever else reads it (the
   * listener is added in the same tick as the server's own). Resolves once the body has ended.
   */
  readBody(req: IncomingMessage, entry: JournalRecord): Promise<void>;
  /**
   * The `Journal` of the entries that pass the filter, once bodies still arriving have ended (up
   * to a second), as JSON made in pieces: the kept bodies are spliced in as they arrived.
   */
  read(filter: JournalFilter): Promise<StreamedBody>;
  clear(): void;
}

/**
 * The request journal: the newest entries whose headers, path, query and bodies (each cut at 64
 * KiB), plus {@link JOURNAL_ENTRY_OVERHEAD_BYTES} each, fit in `maxBytes`; the oldest go first.
 */
export function createJournal(redaction: Redaction, maxBytes = DEFAULT_JOURNAL_MAX_BYTES): RequestJournal {
  checkJournalMaxBytes(maxBytes);
  // Oldest first from `head`; dropped entries before it are cleared, and cut off now and then.
  let entries: (Stored | undefined)[] = [];
  let head = 0;
  let bytes = 0;
  let dropped = 0;
  let nextId = 1;
  const arriving = new Set<Promise<void>>();

  const count = (entry: Stored, added: number) => {
    entry.bytes += added;
    if (!entry.kept) return;
    bytes += added;
    while (bytes > maxBytes && head < entries.length) {
      const oldest = entries[head] as Stored;
      entries[head] = undefined;
      head += 1;
      oldest.kept = false;
      bytes -= oldest.bytes;
      dropped += 1;
    }
    if (head > 1024 && head * 2 > entries.length) {
      entries = entries.slice(head);
      head = 0;
    }
  };

  return {
    open(req, fields) {
      // No credential reaches the journal: not in a header, whatever its format, nor in the query.
      const headers = redaction.headers(req.headers);
      const entry: Stored = {
        id: nextId++,
        time: new Date().toISOString(),
        method: req.method ?? '',
        ...fields,
        query: redaction.query(fields.query),
        headers,
        bodyText: null,
        bodyIsJson: false,
        bodyBytes: 0,
        bodyTruncated: false,
        status: null,
        fault: null,
        bytes: 0,
        kept: true,
      };
      entries.push(entry);
      count(entry, JOURNAL_ENTRY_OVERHEAD_BYTES + entry.path.length + entry.query.length + headerBytes(headers));
      return entry;
    },
    readBody(req, record) {
      const entry = record as Stored;
      // Most requests (every GET) declare no body: nothing to wait for.
      if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
        return Promise.resolve();
      }
      const reading = new Promise<void>((resolve) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          req.off('data', onData).off('end', done).off('close', done);
          const kept = Buffer.concat(chunks);
          entry.bodyBytes = size;
          entry.bodyTruncated = size > kept.length;
          if (kept.length > 0) {
            const text = kept.toString('utf8');
            entry.bodyText = text;
            if (!entry.bodyTruncated) {
              try {
                JSON.parse(text);
                entry.bodyIsJson = true;
              } catch {
                // Not JSON: kept as text.
              }
            }
            count(entry, kept.length);
          }
          resolve();
        };
        const onData = (chunk: Buffer) => {
          const room = MAX_BODY_BYTES - Math.min(size, MAX_BODY_BYTES);
          if (room > 0) chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          size += chunk.length;
        };
        if (req.readableEnded) return done();
        req.on('data', onData).on('end', done).on('close', done);
      });
      arriving.add(reading);
      reading.then(() => arriving.delete(reading));
      return reading;
    },
    async read(filter) {
      if (arriving.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.all(arriving),
          new Promise((resolve) => {
            timer = setTimeout(resolve, BODY_WAIT_MS);
          }),
        ]);
        clearTimeout(timer);
      }
      const method = filter.method?.toUpperCase();
      const customer = filter.customer?.toLowerCase();
      // The entries of this moment: those that come or go while the answer is written are not in it.
      const shown = (entries.slice(head) as Stored[]).filter((entry) => matches(entry, filter, method, customer));
      function* pieces() {
        for (let start = 0; start < shown.length; start += ENTRIES_PER_PIECE) {
          yield shown.slice(start, start + ENTRIES_PER_PIECE).map(wireEntry);
        }
      }
      return new StreamedBody(
        jsonChunks({ entries: new JsonArrayStream(pieces()), dropped, bytes, maxBytes } satisfies Record<
          keyof Journal,
          unknown
        >),
      );
    },
    clear() {
      // Bodies still arriving count for nothing now.
      for (let index = head; index < entries.length; index++) (entries[index] as Stored).kept = false;
      entries = [];
      head = 0;
      bytes = 0;
      dropped = 0;
    },
  };
}
