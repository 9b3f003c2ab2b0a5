import type { BulkProgress } from '@usagebudget/client/bulk';
import cliProgress from 'cli-progress';

/** How `apply` shows its progress on stderr: a live bar (a terminal), a line now and then (a pipe or a file), or nothing (`--json`). */
export type ProgressMode = 'bar' | 'lines' | 'none';

export interface ProgressView {
  update(progress: BulkProgress): void;
  stop(): void;
}

/** How often a plain progress line is written when stderr is not a terminal. */
const LINE_EVERY_MS = 5000;

/** Where a run stands, in the words both views use. */
export interface ProgressFigures {
  /** Entries per second since the run started. */
  readonly rate: number;
  /** Seconds left at that rate; `undefined` before the first result. */
  readonly etaSeconds: number | undefined;
  /** `throttled, resuming in 2 s` while a 429 holds every call, else empty. */
  readonly status: string;
}

export function progressFigures(
  progress: BulkProgress,
  total: number,
  startedAt: number,
  now: number,
): ProgressFigures {
  const seconds = Math.max((now - startedAt) / 1000, 0.001);
  const rate = progress.done / seconds;
  const etaSeconds = progress.done > 0 ? Math.max(0, Math.round((total - progress.done) / rate)) : undefined;
  const status =
    progress.resumesAt !== undefined && progress.resumesAt > now
      ? `throttled, resuming in ${Math.ceil((progress.resumesAt - now) / 1000)} s`
      : '';
  return { rate, etaSeconds, status };
}

/** One plain progress line, as written to a pipe. */
export function progressLine(progress: BulkProgress, total: number, figures: ProgressFigures): string {
  const percent = total === 0 ? 100 : Math.floor((100 * progress.done) / total);
  const eta = figures.etaSeconds === undefined ? '' : `, about ${figures.etaSeconds} s left`;
  const status = figures.status === '' ? '' : `; ${figures.status}`;
  return `apply: ${progress.done} of ${total} done (${percent} %), ${figures.rate.toFixed(1)}/s${eta}${status}\n`;
}

export function progressView(
  mode: ProgressMode,
  total: number,
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  now: () => number = Date.now,
): ProgressView {
  const startedAt = now();
  if (mode === 'none') return { update: () => {}, stop: () => {} };
  if (mode === 'lines') {
    let writtenAt = startedAt;
    let pausedUntil = 0;
    let last: BulkProgress | undefined;
    return {
      update(progress) {
        last = progress;
        const time = now();
        // A new pause is worth a line of its own; otherwise a line every few seconds.
        const paused = progress.resumesAt !== undefined && progress.resumesAt !== pausedUntil;
        if (paused) pausedUntil = progress.resumesAt as number;
        if (!paused && time - writtenAt < LINE_EVERY_MS) return;
        writtenAt = time;
        stream.write(progressLine(progress, total, progressFigures(progress, total, startedAt, time)));
      },
      stop() {
        if (last) stream.write(progressLine(last, total, progressFigures(last, total, startedAt, now())));
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'apply {bar} {value}/{total} | {rate}/s | ETA {etaText} {status}',
      stream,
      hideCursor: true,
      clearOnComplete: false,
      barsize: 30,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { rate: '0.0', etaText: '-', status: '' });
  // The countdown of a pause moves on its own, between results.
  let latest: BulkProgress | undefined;
  const render = () => {
    if (!latest) return;
    const figures = progressFigures(latest, total, startedAt, now());
    bar.update(latest.done, {
      rate: figures.rate.toFixed(1),
      etaText: figures.etaSeconds === undefined ? '-' : `${figures.etaSeconds} s`,
      status: figures.status,
    });
  };
  const ticker = setInterval(render, 500);
  ticker.unref();
  return {
    update(progress) {
      latest = progress;
      render();
    },
    stop() {
      clearInterval(ticker);
      render();
      bar.stop();
    },
  };
}
