/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The nearest-rank percentile `p` (0-100) of values sorted ascending. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no values');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Latencies in milliseconds, summarized. */
export interface LatencyFigures {
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The count, p50, p99 and maximum of latency samples (in any order). */
export function latencyFigures(samples: readonly number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] as number,
  };
}

/** A table row of latencies: its name, the count, p50, p99 and maximum in milliseconds to 0.1. */
export function latencyRow(name: string, figures: LatencyFigures): string[] {
  return [name, String(figures.requests), figures.p50Ms.toFixed(1), figures.p99Ms.toFixed(1), figures.maxMs.toFixed(1)];
}

/**
 * The median of the per-round ratios `a[i] / b[i]`. Rounds are interleaved, so the two figures of
 * one round saw the same machine load: their ratio cancels most of the noise a ratio of medians keeps.
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`paired ratio of ${a.length} and ${b.length} rounds`);
  return median(a.map((value, index) => value / (b[index] as number)));
}

/** A figure checked against its target: `at least` a floor or `at most` a ceiling. */
export interface Check {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly bound: 'at least' | 'at most';
  readonly target: number;
  readonly met: boolean;
}

export function check(name: string, value: number, unit: string, bound: Check['bound'], target: number): Check {
  return { name, value, unit, bound, target, met: bound === 'at least' ? value >= target : value <= target };
}
