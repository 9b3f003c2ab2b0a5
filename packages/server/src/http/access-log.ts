/** One line of the access log. The bearer token is never part of it. */
export interface AccessLogEntry {
  readonly requestId: string;
  readonly correlationId: string;
  readonly partnerId: string | null;
  readonly method: string;
  /** The spec's path template, or the static route, or `null` when nothing matched. */
  readonly route: string | null;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
}

/** One attempt to deliver an event, as the log has it. */
export interface WebhookLogEntry {
  readonly eventId: string;
  readonly partnerId: string;
  readonly eventName: string;
  readonly attempt: number;
  readonly url: string;
  /** The receiver's status; `null` when no answer came. */
  readonly status: number | null;
  /** `retry`: another attempt is due later; `parked`: that was the last. */
  readonly outcome: 'delivered' | 'retry' | 'parked';
  readonly message: string;
}

export interface AccessLog {
  write(entry: AccessLogEntry): void;
  /** A fault with its stack: behind a 500 (tied to the request's id), or in background work (`null`). */
  fault(requestId: string | null, error: unknown): void;
  /** One attempt to deliver a webhook event, and what became of the event (`kind: "webhook"`). */
  webhook(entry: WebhookLogEntry): void;
  /** Writes what is buffered now. */
  flush(): void;
}

const MAX_PATH = 512;
/** Lines wait at most this long, so a busy server writes a few times a second instead of once a request. */
const FLUSH_EVERY_MS = 100;
const FLUSH_AT_BYTES = 64 * 1024;

/** JSON lines, one per request, written in batches. */
export function createAccessLog(out: (chunk: string) => void): AccessLog {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  let stampedAt = 0;
  let stamp = '';
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    out(chunk);
  };
  const push = (line: string) => {
    const now = Date.now();
    if (now !== stampedAt) {
      stampedAt = now;
      stamp = new Date(now).toISOString();
    }
    pending += `{"time":"${stamp}",${line}}\n`;
    if (pending.length >= FLUSH_AT_BYTES) flush();
    else timer ??= setTimeout(flush, FLUSH_EVERY_MS).unref();
  };
  return {
    write(entry) {
      const path = entry.path.length > MAX_PATH ? `${entry.path.slice(0, MAX_PATH)}…` : entry.path;
      push(
        `"kind":"access","requestId":${JSON.stringify(entry.requestId)},"correlationId":${JSON.stringify(entry.correlationId)},` +
          `"partnerId":${JSON.stringify(entry.partnerId)},"method":${JSON.stringify(entry.method)},` +
          `"route":${JSON.stringify(entry.route)},"path":${JSON.stringify(path)},"status":${entry.status},` +
          `"durationMs":${entry.durationMs}`,
      );
    },
    webhook(entry) {
      push(
        `"kind":"webhook","eventId":${JSON.stringify(entry.eventId)},"partnerId":${JSON.stringify(entry.partnerId)},` +
          `"eventName":${JSON.stringify(entry.eventName)},"attempt":${entry.attempt},"url":${JSON.stringify(entry.url)},` +
          `"status":${entry.status},"outcome":${JSON.stringify(entry.outcome)},"message":${JSON.stringify(entry.message)}`,
      );
    },
    fault(requestId, error) {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      push(`"kind":"fault","requestId":${JSON.stringify(requestId)},"error":${JSON.stringify(detail)}`);
    },
    flush,
  };
}
