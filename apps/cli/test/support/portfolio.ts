// What the `apply` tests share: a partner's portfolio on a reference server of its own, the file
// `report --csv` writes, each customer's budget through the CLI, the server's own record of the
// updates it applied, and a run of `apply` started to be stopped halfway.
import { join } from 'node:path';
import {
  randomPartner,
  readBudgetApplies,
  type ServerProcess,
  type SimplePartnerConfig,
  type StartedProcess,
  startProcess,
  startServerProcess,
} from '@usagebudget/server/testing';
import { stringify } from 'csv-stringify/sync';
import { expect } from 'vitest';
import { CLI, cliEnvironment, usagebudget } from './run.js';

export const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** A file as `report --csv` writes it (plus what spreadsheets do to it): `budget` empty for none. */
export function reportCsv(rows: readonly (readonly [string, string | null])[], quirks = false): string {
  const text = stringify([
    ['customerId', 'customerName', 'budget', 'cost', 'currency', 'percentUsed'],
    ...rows.map(([id, budget], index) => [
      id,
      // Commas, quotes and a line break inside quoted fields.
      quirks && index % 3 === 0 ? `Contoso, "Ltd"\nBranch ${index}` : `Customer ${index}`,
      budget ?? '',
      '12.3456789012345678901',
      'USD',
      '0',
    ]),
  ]);
  return quirks ? `\uFEFF${text.replaceAll('\n', '\r\n')}` : text;
}

export interface Portfolio {
  server: ServerProcess;
  db: string;
  partner: SimplePartnerConfig;
  customers: string[];
  env: NodeJS.ProcessEnv;
  base: string[];
}

/**
 * A partner of `size` random customers on a reference server of its own, its database in `dir`
 * (read with `appliesPerCustomer` once the server has stopped). `partners` adds others.
 */
export async function startPortfolio(
  dir: string,
  name: string,
  size: number,
  args: readonly string[] = [],
  partners: readonly SimplePartnerConfig[] = [],
): Promise<Portfolio> {
  const partner = randomPartner(name, size);
  const db = join(dir, `${name}.sqlite`);
  const server = await startServerProcess({
    config: { partners: [partner, ...partners] },
    db,
    args: [...args, '--no-access-log'],
  });
  return {
    server,
    db,
    partner,
    customers: [...partner.customers],
    env: { PARTNER_CENTER_TOKEN: partner.tokens[0] },
    base: ['--base-url', server.url],
  };
}

/** Each customer's budget now, through the CLI (one request: the report of every customer). */
export async function budgetsOf(portfolio: Portfolio, ids: readonly string[]): Promise<(number | null)[]> {
  const run = await usagebudget(['report', '--json', ...portfolio.base], portfolio.env);
  expect(run.code, run.stderr).toBe(0);
  const budgets = new Map(jsonLines(run.stdout).map((row) => [row.customerId, row.budget as number | null]));
  return ids.map((id) => budgets.get(id) as number | null);
}

/** Updates applied per customer, by the server's own record (the server must have stopped). */
export function appliesPerCustomer(db: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { customerId } of readBudgetApplies(db)) counts.set(customerId, (counts.get(customerId) ?? 0) + 1);
  return counts;
}

/** `apply FILE --json` started as a user starts it, ready once a row has its result; `more` are its other options. */
export function startApply(
  file: string,
  base: readonly string[],
  env: NodeJS.ProcessEnv,
  more: readonly string[] = ['--concurrency', '2'],
): Promise<StartedProcess> {
  return startProcess({
    name: 'usagebudget apply',
    command: process.execPath,
    args: [CLI, 'apply', file, '--json', ...more, ...base],
    env: cliEnvironment(env),
    ready: /"outcome"/,
    timeoutMs: 60_000,
  });
}

/** Waits until a started `apply --json` has printed `count` results, or has exited. */
export async function resultsOf(cli: StartedProcess, count: number): Promise<void> {
  while ((cli.stdout().match(/"outcome"/g)?.length ?? 0) < count && cli.child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `apply FILE --json` started as a user starts it, stopped with `signal` once `after` rows have a result. */
export async function stoppedApply(
  file: string,
  base: readonly string[],
  env: NodeJS.ProcessEnv,
  signal: NodeJS.Signals,
  after: number,
  more: readonly string[] = ['--concurrency', '2'],
): Promise<{ cli: StartedProcess; exit: number | string }> {
  const cli = await startApply(file, base, env, more);
  await resultsOf(cli, after);
  return { cli, exit: await cli.stop(signal, 60_000) };
}
