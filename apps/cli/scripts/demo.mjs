// @ts-check
// `pnpm demo`: the main job, end to end. Starts the reference server (its bin, as a process) on a
// free port with a fresh SQLite file, runs the built `usagebudget` CLI the way a user would (get,
// set 250.50, get, clear, get, then the usage report of the demo portfolio), shows each command
// and its output, and checks what each shows.
// Exits 1 when a step is wrong, 128 + the signal's number when interrupted; the server and its
// files go away either way.
import { spawn } from 'node:child_process';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { DEFAULT_BASE_URL } from '@usagebudget/server';
import { demoPartner, startServerProcess } from '@usagebudget/server/testing';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const customer = demoPartner.customerId;

/**
 * A budget step: it must show the customer with this budget.
 * @typedef {{ title: string, args: string[], budget: string }} BudgetStep
 * The report: it must list the customer (now without a budget) and someone over budget.
 * @typedef {{ title: string, args: string[], report: true }} ReportStep
 */
/** @type {ReadonlyArray<BudgetStep | ReportStep>} */
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
];

class StepFailed extends Error {}

/** @type {import('@usagebudget/server/testing').ServerProcess | undefined} */
let server;
/** @type {import('node:child_process').ChildProcess | undefined} */
let running;
/** @type {Promise<void> | undefined} */
let cleanedUp;

function cleanUp() {
  cleanedUp ??= (async () => {
    if (running?.pid !== undefined && running.exitCode === null) process.kill(running.pid, 'SIGTERM');
    // Stops it by its pid; its scratch folder (database and all) goes with it.
    await server?.stop();
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

try {
  server = await startServerProcess({ args: ['--no-access-log'] });
  const env = { ...process.env, PARTNER_CENTER_TOKEN: demoPartner.token };
  console.log(`The usagebudget CLI against the reference server, in ${steps.length} steps.

Reference server  ${server.url} (database ${server.db})
Partner           ${demoPartner.name}, token from PARTNER_CENTER_TOKEN=${demoPartner.token}
Customer          ${customer}`);

  for (const [index, step] of steps.entries()) {
    const args = [...step.args, '--base-url', server.url];
    console.log(`\n${index + 1}/${steps.length}  ${step.title}\n$ usagebudget ${args.join(' ')}`);
    const { code, stdout, stderr } = await usagebudget(args, env);
    process.stdout.write(stdout + stderr);
    const problem = 'report' in step ? reportProblem(stdout) : budgetStepProblem(step, stdout);
    if (code !== 0 || problem) {
      throw new StepFailed(`step ${index + 1} ${problem ?? 'should exit 0'}; it exited ${code}`);
    }
  }
  console.log(`
All ${steps.length} steps showed what they should. Try it yourself:
  pnpm --filter @usagebudget/server start              # the reference server on ${DEFAULT_BASE_URL}
  export PARTNER_CENTER_TOKEN=${demoPartner.token}
  node ${relative(process.cwd(), cli)} get ${customer}
  node ${relative(process.cwd(), cli)} report --over 80`);
} catch (error) {
  // A wrong step says what it showed; anything else is a bug, best shown with its stack.
  console.error(`\nThe demo failed: ${error instanceof StepFailed ? error.message : inspect(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
