/** How the backoff between retries grows. */
export interface BackoffSettings {
  /** The first backoff; each retry doubles it, with jitter. */
  initialDelayMs: number;
  /** The cap of a backoff. */
  maxDelayMs: number;
}

/** Exponential backoff with "equal jitter": between half and all of min(cap, initial * 2^retry). */
export function backoffMs(retry: number, { initialDelayMs, maxDelayMs }: BackoffSettings): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** retry);
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}
