// `usagebudget apply` and the process's signals, through the built CLI against the reference
// server: SIGTERM stops a run as a first Ctrl-C does (the updates in flight finish and are
// recorded, exit code 130), and a Ctrl-C after either quits at once, even while an update hangs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLossyProxy } from './support/lossy-proxy.js';
import { jsonLines, type Portfolio, reportCsv, startApply, startPortfolio, stoppedApply } from './support/portfolio.js';

const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-apply-signals-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Ten updates a second (five at once): slow enough to signal a run halfway.
const SLOW = ['--rate-limit', '10', '--burst', '5'];

describe('usagebudget apply: SIGTERM and Ctrl-C', () => {
  let portfolio: Portfolio;
  beforeAll(async () => {
    portfolio = await startPortfolio(scratch, 'signals', 40, SLOW);
  });
  afterAll(() => portfolio?.server.stop());

  it('stops on SIGTERM as on a first Ctrl-C: the updates in flight finish and are recorded, exit code 130', async () => {
    const file = join(scratch, 'terminated.csv');
    writeFileSync(file, reportCsv(portfolio.customers.slice(0, 20).map((id, index) => [id, `${index + 1}`])));
    const { cli, exit } = await stoppedApply(file, portfolio.base, portfolio.env, 'SIGTERM', 3);
    expect(exit, cli.output()).toBe(130);
    const journal = readFileSync(`${file}.journal`, 'utf8').split('\n');
    const count = (kind: string) => journal.filter((line) => line.includes(`"kind":"${kind}"`)).length;
    expect(count('send')).toBeGreaterThan(0);
    expect(count('done')).toBe(count('send'));
    expect(count('end')).toBe(0);
    expect(jsonLines(cli.stdout()).at(-1)).toMatchObject({ interrupted: true, resumed: false });
  });

  it.each([
    ['SIGINT', 20],
    ['SIGTERM', 30],
  ] as const)('quits at once on a Ctrl-C after %s, while an update in flight hangs', async (first, from) => {
    const proxy = await startLossyProxy(portfolio.server.url);
    try {
      const file = join(scratch, `hang-${first}.csv`);
      writeFileSync(file, reportCsv(portfolio.customers.slice(from, from + 10).map((id) => [id, '7'])));
      const cli = await startApply(file, ['--base-url', proxy.url], portfolio.env);
      proxy.handle('lose-answer');
      while (proxy.lost() === 0 && cli.child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
      // Nothing new starts; the run waits for the update in flight, whose answer never comes.
      process.kill(cli.pid, first);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(cli.child.exitCode, cli.output()).toBeNull();
      expect(await cli.stop('SIGINT', 10_000), cli.output()).toBe('SIGINT');
    } finally {
      await proxy.close();
    }
  });
});
