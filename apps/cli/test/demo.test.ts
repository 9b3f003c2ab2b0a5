import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoPartner, runToEnd, startProcess } from '@usagebudget/server/testing';
import { describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('../scripts/demo.mjs', import.meta.url));
const BREAK_SET = { NODE_OPTIONS: `--import=${new URL('./fixtures/break-set.mjs', import.meta.url)}` };
const customer = demoPartner.customerId;

/** The server URL and database folder the demo announced. */
function announced(output: string): { url: string; dir: string } {
  const match = /^Reference server {2}(http:\/\/\S+) \(database (.+)\)$/m.exec(output);
  if (!match) throw new Error(`the demo did not say where its server is:\n${output}`);
  return { url: match[1] as string, dir: dirname(match[2] as string) };
}

/** The server is gone and its files with it. */
async function expectCleanedUp(output: string): Promise<void> {
  const { url, dir } = announced(output);
  expect(existsSync(dir)).toBe(false);
  await expect(fetch(url)).rejects.toThrow();
}

describe('pnpm demo', () => {
  it('shows the five budget steps with the right values, the report, a bulk apply and a budget alert verified by listen, then stops the server', async () => {
    const run = await runToEnd(process.execPath, [DEMO], { env: { PATH: process.env.PATH } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const steps = run.stdout.split(/^(?=\d\/8 {2})/m).slice(1);
    const expected: Array<[string, string]> = [
      [`get ${customer}`, 'no budget'],
      [`set ${customer} 250.50`, '250.50'],
      [`get ${customer}`, '250.50'],
      [`clear ${customer}`, 'no budget'],
      [`get ${customer}`, 'no budget'],
    ];
    expect(steps).toHaveLength(expected.length + 3);
    for (const [index, [command, budget]] of expected.entries()) {
      const step = steps[index] as string;
      expect(step).toMatch(new RegExp(`^\\$ usagebudget ${command} --base-url http://127\\.0\\.0\\.1:\\d+$`, 'm'));
      expect(step).toMatch(new RegExp(`^Customer {4}${customer}\\nBudget {6}${budget.replace('.', '\\.')}\\n`, 'm'));
    }
    // The report: the demo portfolio, worst first, with the customer of the steps (no budget now).
    const report = steps[5] as string;
    expect(report).toMatch(/^\$ usagebudget report --base-url http:\/\/127\.0\.0\.1:\d+$/m);
    expect(report).toMatch(/^Customer ID {2,}Name {2,}Budget {2,}Cost {2,}Currency {2,}Used$/m);
    expect(report).toMatch(new RegExp(`^${customer} .* no budget .* -$`, 'm'));
    const [, over] = /^\d+ customers with usage; (\d+) over budget$/m.exec(report) ?? [];
    expect(Number(over)).toBeGreaterThan(0);
    // The bulk apply: new budgets from the report's CSV, paced under the server's throttle.
    const bulk = steps[6] as string;
    expect(bulk).toMatch(/^\$ usagebudget report --csv --base-url http:\/\/127\.0\.0\.1:\d+ > budgets\.csv/m);
    const [, file] = /^\$ usagebudget apply (\S+budgets\.csv) --base-url http:\/\/127\.0\.0\.1:\d+$/m.exec(bulk) ?? [];
    expect(file).toBeDefined();
    expect(bulk).toMatch(/^apply: 40 of 40 done \(100 %\)/m);
    expect(bulk).toMatch(/^40 changed, 0 unchanged, 0 cleared, 0 failed, 0 skipped$/m);
    expect(existsSync(dirname(file as string))).toBe(false);
    // The budget alert: listen registered, the budget lowered below the cost, the event verified
    // with the customer over budget (the only one: the bulk step raised the others' budgets).
    const alert = steps[7] as string;
    expect(alert).toMatch(
      /^\$ usagebudget listen --register --event usagerecords-thresholdExceeded --base-url http:\/\/127\.0\.0\.1:\d+ &$/m,
    );
    const [, receiver] = /^ {2}\| Listening on (http:\/\/127\.0\.0\.1:\d+\/webhooks) /m.exec(alert) ?? [];
    expect(alert).toContain(`  | Registered  usagerecords-thresholdExceeded to ${receiver}`);
    expect(alert).toMatch(
      /^ {2}\| Trusting {2}the root of http:\/\/127\.0\.0\.1:\d+\/webhooks\/certificates\/root\.pem /m,
    );
    expect(alert).toMatch(new RegExp(`^\\$ usagebudget set ${customer} 100 --base-url `, 'm'));
    expect(alert).toMatch(/^ {2}\| \S+Z {2}verified {2}usagerecords-thresholdExceeded$/m);
    expect(alert).toMatch(/^ {2}\| {3}Over budget {2}1 customer$/m);
    expect(alert).toMatch(new RegExp(`^  \\| {3}${customer}  Contoso Ltd  100\\.00  412\\.77  EUR  +412\\.77 %$`, 'm'));
    await expect(fetch(receiver as string, { method: 'POST' })).rejects.toThrow();
    expect(run.stdout).toContain('All 8 steps showed what they should.');
    await expectCleanedUp(run.stdout);
  });

  it('exits 1 when a step shows the wrong budget, and still stops the server', async () => {
    const run = await runToEnd(process.execPath, [DEMO], {
      env: { PATH: process.env.PATH, ...BREAK_SET, BREAK_SET: 'wrong' },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('step 2 should show customer');
    expect(run.stderr).toContain('it showed budget "205.50"');
    expect(run.stdout).not.toMatch(/^3\/8/m);
    await expectCleanedUp(run.stdout);
  });

  it('stops the server and removes its files on Ctrl-C', async () => {
    const demo = await startProcess({
      name: 'demo',
      command: process.execPath,
      args: [DEMO],
      env: { PATH: process.env.PATH, ...BREAK_SET, BREAK_SET: 'hang' },
      // Printed just before the CLI that hangs starts.
      ready: /^\$ usagebudget set /,
    });
    expect(await demo.stop('SIGINT')).toBe(130);
    expect(demo.output()).toContain('Interrupted (SIGINT): stopping the server.');
    await expectCleanedUp(demo.output());
  });
});
