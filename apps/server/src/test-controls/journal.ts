import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { MAX_BODY_BYTES } from '../http/request-body.js';

/** One request of the API as the journal keeps it: the `JournalEntry` schema of the test controls' spec. */
export interface JournalEntry {
  readonly id: number;
  readonly time: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly operationId: string | null;
  readonly customer: string | null;
  readonly headers: Readonly<Record<string, string | string[]>>;
  body: unknown;
  status: number | null;
  fault: string | null;
}

/** What `GET /_mock/journal` answers. */
export interface Journal {
  readonly entries: readonly JournalEntry[];
  /** Older entries forgotten since the last clear. */
  readonly dropped: number;
}

/** `GET /_mock/journal`'s filters; each one given must match. */
export interface JournalFilter {
  readonly method?: string | undefined;
  readonly operationId?: string | undefined;
  readonly customer?: string | undefined;
  readonly status?: number | undefined;
}

/** A mock can run for long under load (a benchmark): the journal keeps the newest entries only. */
export const JOURNAL_CAPACITY = 10_000;
// A request body that has not ended this long after the journal was asked for is shown as it is.
const BODY_WAIT_MS = 1_000;

/** The token never reaches the journal: an `Authorization` header keeps its scheme only. */
function redactedHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    kept[name] = name === 'authorization' ? `${String(value).split(' ', 1)[0]} [redacted]` : value;
  }
  return kept;
}

function bodyValue(bytes: Buffer, cut: boolean): unknown {
  if (bytes.length === 0) return null;
  const text = bytes.toString('utf8');
  if (!cut) {
    try {
      return JSON.parse(text);
    } catch {
      // Not JSON: kept as text.
    }
  }
  return text;
}

export interface RequestJournal {
  /** Starts an entry for a request that arrived; its body, status and fault are filled in later. */
  open(req: IncomingMessage, fields: Pick<JournalEntry, 'path' | 'query' | 'operationId' | 'customer'>): JournalEntry;
  /**
   * Reads the request's body into its entry as it arrives, alongside whoever else reads it (the
   * listener is added in the same tick as the server's own). Resolves once the body has ended.
   */
  readBody(req: IncomingMessage, entry: JournalEntry): Promise<void>;
  /** The entries that pass the filter, once bodies still arriving have ended (up to a second). */
  read(filter: JournalFilter): Promise<Journal>;
  clear(): void;
}

export function createJournal(capacity = JOURNAL_CAPACITY): RequestJournal {
  let entries: JournalEntry[] = [];
  let dropped = 0;
  let nextId = 1;
  const arriving = new Set<Promise<void>>();

  return {
    open(req, fields) {
      const entry: JournalEntry = {
        id: nextId++,
        time: new Date().toISOString(),
        method: req.method ?? '',
        ...fields,
        headers: redactedHeaders(req.headers),
        body: null,
        status: null,
        fault: null,
      };
      entries.push(entry);
      // Trimmed in batches, so a request under load costs no copy of the whole journal.
      if (entries.length >= capacity * 2) {
        dropped += entries.length - capacity;
        entries = entries.slice(-capacity);
      }
      return entry;
    },
    readBody(req, entry) {
      // Most requests (every GET) declare no body: nothing to wait for.
      if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
        return Promise.resolve();
      }
      const reading = new Promise<void>((resolve) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let cut = false;
        const done = () => {
          req.off('data', onData).off('end', done).off('close', done);
          entry.body = bodyValue(Buffer.concat(chunks), cut);
          resolve();
        };
        const onData = (chunk: Buffer) => {
          if (size + chunk.length > MAX_BODY_BYTES) {
            chunks.push(chunk.subarray(0, MAX_BODY_BYTES - size));
            size = MAX_BODY_BYTES;
            cut = true;
            return;
          }
          if (!cut) chunks.push(chunk);
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
      const kept = entries.slice(-capacity);
      return {
        entries: kept.filter(
          (entry) =>
            (method === undefined || entry.method === method) &&
            (filter.operationId === undefined || entry.operationId === filter.operationId) &&
            (customer === undefined || entry.customer === customer) &&
            (filter.status === undefined || entry.status === filter.status),
        ),
        dropped: dropped + entries.length - kept.length,
      };
    },
    clear() {
      entries = [];
      dropped = 0;
    },
  };
}
