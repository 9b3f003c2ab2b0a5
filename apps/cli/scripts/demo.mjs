// @ts-check
// `pnpm demo`: the main job, end to end. Starts the reference server (its bin, as a process) on a
// free port with a fresh SQLite file, runs the built `usagebudget` CLI the way a user would (get,
// set 250.50, get, clear, get, then the usage report of the demo portfolio, then a bulk apply of
// new budgets for the customers most over theirs, from the report's CSV, then a budget alert:
// `listen` registered as the partner's webhook receiver, a budget lowered below the customer's
// cost, and the signed event delivered, verified and shown with the customer now over budget),
// shows each command and its output, and checks what each shows.
// Exits 1 when a step is wrong, 128 + the signal's number when interrupted; the server and its
// files go away either way.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { DEFAULT_BASE_URL } from '@usagebudget/server';
import { demoPartner, startProcess, startServerProcess } from '@usagebudget/server/testing';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

const cli = fileURLToPath(new URL('../bin/usagebudget.js', import.meta.url));
const customer = demoPartner.customerId;

/**
 * A budget step: it must show the customer with this budget.
 * @typedef {{ title: string, args: string[], budget: string }} BudgetStep
 * The report: it must list the customer (now without a budget) and someone over budget.
 * @typedef {{ title: string, args: string[], report: true }} ReportStep
 * The bulk apply of the file `budgets.csv` (made from `report --csv`): every row must be applied.
 * @typedef {{ title: string, args: string[], apply: true }} ApplyStep
 * The budget alert: `listen` must show the event verified, with the customer over budget.
 * @typedef {{ title: string, args: string[], alert: true }} AlertStep
 */
const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-demo-'));
const budgetsFile = join(scratch, 'budgets.csv');
// How many of the customers most over budget the bulk step gives a new budget.
const BULK_ROWS = 40;
// The budget the alert step sets: below the customer's cost this period (412.77 EUR).
const ALERT_BUDGET = '100';
/** @type {ReadonlyArray<BudgetStep | ReportStep | ApplyStep | AlertStep>} */
const steps = [
  { title: 'Read the budget: the customer has none yet', args: ['get', customer], budget: 'no budget' },
  { title: 'Set it to 250.50', args: ['set', customer, '250.50'], budget: '250.50' },
  { title: 'Read it back', args: ['get', customer], budget: '250.50' },
  { title: 'Clear it', args: ['clear', customer], budget: 'no budget' },
  { title: 'Read it again: gone', args: ['get', customer], budget: 'no budget' },
  {
    title: "The usage report of the demo portfolio: every customer's budget and cost, worst first",
    args: ['report'],
    report: true,
  },
  {
    title: `Bulk: budgets 20 % above this period's cost for the ${BULK_ROWS} customers most over budget, from the report's CSV`,
    args: ['apply', budgetsFile],
    apply: true,
  },
  {
    title: `A budget alert: "listen" receives it, verifies its signature and shows the customer over budget`,
    args: ['set', customer, ALERT_BUDGET],
    alert: true,
  },
];

class StepFailed extends Error {}

/** @type {import('@usagebudget/server/testing').ServerProcess | undefined} */
let server;
/** @type {import('node:child_process').ChildProcess | undefined} */
let running;
/** @type {import('@usagebudget/server/testing').StartedProcess | undefined} */
let listening;
/** @type {Promise<void> | undefined} */
let cleanedUp;

function cleanUp() {
  cleanedUp ??= (async () => {
    if (running?.pid !== undefined && running.exitCode === null) process.kill(running.pid, 'SIGTERM');
    await listening?.stop('SIGINT');
    // Stops it by its pid; its scratch folder (database and all) goes with it.
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  })();
  return cleanedUp;
}

for (const [signal, number] of /** @type {const} */ ([
  ['SIGINT', 2],
  ['SIGTERM', 15],
])) {
  process.once(signal, () => {
    console.log(`\nInterrupted (${signal}): stopping the server.`);
    cleanUp().finally(() => process.exit(128 + number));
  });
}

/**
 * Runs the CLI with `args` and resolves with its exit code and output.
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
function usagebudget(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The value of a row of the CLI's summary, such as "Budget      250.50".
 * @param {string} output
 * @param {string} label
 */
function row(output, label) {
  return output.match(new RegExp(`^${label} +(.+)$`, 'm'))?.[1];
}

/**
 * What is wrong with a budget step's output, or undefined.
 * @param {BudgetStep} step
 * @param {string} stdout
 */
function budgetStepProblem(step, stdout) {
  const budget = row(stdout, 'Budget');
  if (row(stdout, 'Customer') === customer && budget === step.budget) return undefined;
  return (
    `should show customer ${customer} with budget "${step.budget}"; ` +
    `it showed budget ${budget === undefined ? 'nothing' : `"${budget}"`}`
  );
}

/**
 * What is wrong with the report's output, or undefined: it must list the customer of the steps
 * before, without a budget, and at least one customer over budget.
 * @param {string} stdout
 */
function reportProblem(stdout) {
  const over = Number(/; (\d+) over budget$/m.exec(stdout)?.[1] ?? 0);
  const listed = stdout.split('\n').some((line) => line.startsWith(customer) && /\bno budget\b/.test(line));
  if (over >= 1 && listed) return undefined;
  return `should list customer ${customer} without a budget and at least one customer over budget; it listed ${
    listed ? 'the customer' : 'no such customer'
  } and ${over} over budget`;
}

/**
 * Writes `budgets.csv` as a user would after editing `report --csv` in a spreadsheet: the first
 * rows (the customers most over budget) with a budget 20 % above their cost, whole units (read
 * and written with the csv libraries: names hold commas).
 * @param {string} csv
 */
function editBudgets(csv) {
  /** @type {Record<string, string>[]} */
  const rows = parse(csv, { columns: true });
  const edited = rows.slice(0, BULK_ROWS).map((row) => ({ ...row, budget: String(Math.ceil(Number(row.cost) * 1.2)) }));
  writeFileSync(budgetsFile, stringify(edited, { header: true }));
}

/**
 * What is wrong with the bulk apply's output, or undefined: every row applied.
 * @param {string} stdout
 */
function applyProblem(stdout) {
  const changed = Number(/^(\d+) changed/m.exec(stdout)?.[1] ?? -1);
  if (changed === BULK_ROWS && /, 0 failed, 0 skipped$/m.test(stdout)) return undefined;
  return `should change ${BULK_ROWS} budgets with none failed or skipped; it printed ${JSON.stringify(stdout.trim())}`;
}

/**
 * Starts `usagebudget listen --register` on a free port: the partner's webhook receiver, trusting
 * the reference server's test root. Resolves once it is registered, with how much it printed by then.
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 */
async function startListening(args, env) {
  console.log(`$ usagebudget ${args.join(' ')} &`);
  listening = await startProcess({
    name: 'usagebudget listen',
    command: process.execPath,
    args: [cli, ...args],
    env,
    ready: /^Registered /,
    timeoutMs: 30_000,
  });
  const started = listening.output();
  process.stdout.write(started.replace(/^/gm, '  | ').replace(/ {2}\| $/, ''));
  return { receiver: listening, shown: started.length };
}

/**
 * What `listen` printed after its first `before` characters, once it shows the customer (at most
 * 30 s), and what is wrong with it, or undefined.
 * @param {import('@usagebudget/server/testing').StartedProcess} receiver
 * @param {number} before
 */
async function alertShown(receiver, before) {
  const shows = () => new RegExp(`^  ${customer} `, 'm').test(receiver.output().slice(before));
  for (const deadline = Date.now() + 30_000; !shows() && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const shown = receiver.output().slice(before);
  const verified = /^\S+ {2}verified {2}usagerecords-thresholdExceeded$/m.test(shown);
  const problem =
    verified && shows()
      ? undefined
      : `listen should show the usagerecords-thresholdExceeded event verified, with customer ${customer} over budget; it printed ${JSON.stringify(shown)}`;
  return { shown, problem };
}

try {
  // Throttled like Partner Center (here 20 requests a second): the bulk step shows how it paces itself.
  server = await startServerProcess({ args: ['--no-access-log', '--rate-limit', '20', '--burst', '10'] });
  const env = { ...process.env, PARTNER_CENTER_TOKEN: demoPartner.token };
  console.log(`The usagebudget CLI against the reference server, in ${steps.length} steps.

Reference server  ${server.url} (database ${server.db})
Partner           ${demoPartner.name}, token from PARTNER_CENTER_TOKEN=${demoPartner.token}
Customer          ${customer}`);

  for (const [index, step] of steps.entries()) {
    const args = [...step.args, '--base-url', server.url];
    console.log(`\n${index + 1}/${steps.length}  ${step.title}`);
    if ('apply' in step) {
      const report = await usagebudget(['report', '--csv', '--base-url', server.url], env);
      if (report.code !== 0) throw new StepFailed(`report --csv exited ${report.code}: ${report.stderr}`);
      editBudgets(report.stdout);
      console.log(
        `$ usagebudget report --csv --base-url ${server.url} > budgets.csv   # then, in a spreadsheet, new budgets for the first ${BULK_ROWS} rows`,
      );
    }
    const listener =
      'alert' in step
        ? await startListening(
            ['listen', '--register', '--event', 'usagerecords-thresholdExceeded', '--base-url', server.url],
            env,
          )
        : undefined;
    console.log(`$ usagebudget ${args.join(' ')}`);
    const { code, stdout, stderr } = await usagebudget(args, env);
    // The bulk step's progress (stderr) comes before its summary (stdout), as on a terminal.
    process.stdout.write('apply' in step ? stderr + stdout : stdout + stderr);
    let problem =
      'report' in step
        ? reportProblem(stdout)
        : 'apply' in step
          ? applyProblem(stdout)
          : budgetStepProblem({ ...step, budget: 'alert' in step ? `${ALERT_BUDGET}.00` : step.budget }, stdout);
    if (listener) {
      const { receiver } = listener;
      const alert = await alertShown(receiver, listener.shown);
      console.log('listen received:');
      process.stdout.write(alert.shown.replace(/^/gm, '  | ').replace(/ {2}\| $/, ''));
      await receiver.stop('SIGINT');
      problem ??= alert.problem;
    }
    if (code !== 0 || problem) {
      throw new StepFailed(`step ${index + 1} ${problem ?? 'should exit 0'}; it exited ${code}`);
    }
  }
  console.log(`
All ${steps.length} steps showed what they should. Try it yourself:
  pnpm --filter @usagebudget/server start              # the reference server on ${DEFAULT_BASE_URL}
  export PARTNER_CENTER_TOKEN=${demoPartner.token}
  node ${relative(process.cwd(), cli)} get ${customer}
  node ${relative(process.cwd(), cli)} report --over 80
  node ${relative(process.cwd(), cli)} report --csv > budgets.csv   # edit, then:
  node ${relative(process.cwd(), cli)} apply budgets.csv --dry-run
  node ${relative(process.cwd(), cli)} listen --register          # then lower a budget below its cost`);
} catch (error) {
  // A wrong step says what it showed; anything else is a bug, best shown with its stack.
  console.error(`\nThe demo failed: ${error instanceof StepFailed ? error.message : inspect(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
