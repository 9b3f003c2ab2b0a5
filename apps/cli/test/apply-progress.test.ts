import { describe, expect, it } from 'vitest';
import { progressFigures, progressLine, progressView } from '../src/apply/progress.js';

const progress = (done: number, resumesAt?: number) => ({
  done,
  changed: done,
  cleared: 0,
  unchanged: 0,
  failed: 0,
  inFlight: 2,
  throttled: resumesAt === undefined ? 0 : 1,
  resumesAt,
  rate: undefined,
});

describe('apply progress', () => {
  it('gives the rate, the time left and a pause in words', () => {
    const figures = progressFigures(progress(50, 12_500), 200, 0, 10_000);
    expect(figures).toEqual({ rate: 5, etaSeconds: 30, status: 'throttled, resuming in 3 s' });
    expect(progressLine(progress(50, 12_500), 200, figures)).toBe(
      'apply: 50 of 200 done (25 %), 5.0/s, about 30 s left; throttled, resuming in 3 s\n',
    );
    expect(progressFigures(progress(0), 200, 0, 10_000)).toEqual({ rate: 0, etaSeconds: undefined, status: '' });
  });

  it('writes a plain line every few seconds and at each new pause, not at every result', () => {
    let time = 0;
    const written: string[] = [];
    const view = progressView('lines', 100, { write: (text: string) => written.push(text) } as never, () => time);
    for (let done = 1; done <= 10; done++) {
      time += 100;
      view.update(progress(done));
    }
    expect(written).toEqual([]);
    time += 5_000;
    view.update(progress(11));
    view.update(progress(12, time + 2_000));
    view.update(progress(13, time + 2_000));
    view.stop();
    expect(written).toEqual([
      expect.stringMatching(/^apply: 11 of 100 done/),
      expect.stringMatching(/^apply: 12 of 100 done .*throttled, resuming in 2 s\n$/),
      expect.stringMatching(/^apply: 13 of 100 done/),
    ]);
  });
});

describe('the live bar', () => {
  it('shows done/total, the rate, the time left and a pause, on a terminal', () => {
    let time = 0;
    let screen = '';
    const terminal = {
      isTTY: true,
      columns: 120,
      write: (text: string) => {
        screen += text;
        return true;
      },
      on: () => terminal,
      removeListener: () => terminal,
    };
    const view = progressView('bar', 200, terminal as never, () => time);
    time = 10_000;
    view.update(progress(50));
    view.update(progress(60, 12_500));
    view.stop();
    expect(screen).toMatch(/apply .* 60\/200 \| 6\.0\/s \| ETA 23 s throttled, resuming in 3 s/);
  });
});
