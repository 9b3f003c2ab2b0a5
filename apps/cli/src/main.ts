import {
  AuthenticationError,
  type CallOptions,
  type CallPromise,
  type SpendingBudget,
  UsageBudgetClient,
} from '@usagebudget/client';
import { specResponseValidator } from '@usagebudget/client/validation';
import { type ApplyTerminal, runApply } from './apply/run.js';
import { type CommandLineSettings, endpointURL, type Invocation, parseCommandLine } from './arguments.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { helpText } from './help.js';
import {
  type CommandResult,
  clientLogger,
  colorEnabled,
  errorJson,
  errorStacks,
  formatError,
  formatResult,
  resultJson,
  style,
} from './output.js';
import { terminalLines } from './terminal-text.js';
import { TokenCommandError, type TokenSource, tokenSource } from './token-sources.js';
import { runCustomers, runPartnerUsage, runReport, runUsage } from './usage-commands.js';
import { cliVersion } from './version.js';

export interface Terminal {
  env: NodeJS.ProcessEnv;
  stdout: { isTTY?: boolean; write(text: string): unknown };
  stderr: { isTTY?: boolean; write(text: string): unknown };
  /** Fires on Ctrl-C: the call in flight (and a running --token-command) is stopped, exit code 130. */
  interrupt?: AbortSignal;
}

type Call = Extract<Invocation, { kind: 'call' }>;
type BudgetCall = Extract<Call, { command: 'get' | 'set' | 'clear' }>;

/** Runs one command line and returns the exit code. Output goes to `terminal`; nothing throws. */
export async function run(argv: readonly string[], terminal: Terminal): Promise<ExitCode> {
  const { env, stdout, stderr } = terminal;
  let invocation: Invocation | undefined;
  try {
    invocation = parseCommandLine(argv);
    if (invocation.kind === 'help') stdout.write(helpText(invocation.command));
    else if (invocation.kind === 'version') stdout.write(`${cliVersion()}\n`);
    else return await call(invocation, terminal);
    return ExitCode.ok;
  } catch (thrown) {
    const settings = invocation?.kind === 'call' ? invocation.settings : undefined;
    // The client wraps a failed token provider; the command's own error says what went wrong.
    const error =
      thrown instanceof AuthenticationError && thrown.cause instanceof TokenCommandError ? thrown.cause : thrown;
    const code = exitCodeFor(error);
    // A command line that did not parse still decides the error's format by what it asked for.
    const json = settings?.json ?? argv.includes('--json');
    const url = settings && endpointURL(settings.endpoint);
    stderr.write(json ? errorJson(error, code) : formatError(error, style(colorEnabled(stderr, env)), url));
    if (settings?.debug ?? argv.includes('--debug')) stderr.write(errorStacks(error));
    return code;
  }
}

/** Runs a command with a client of its settings; what it prints goes to stdout as it comes. */
async function call(invocation: Call, terminal: Terminal): Promise<ExitCode> {
  const { settings } = invocation;
  const { client, credential } = createClient(invocation, terminal);
  const write = (text: string) => terminal.stdout.write(text);
  const s = style(colorEnabled(terminal.stdout, terminal.env));
  // Ctrl-C (terminal.interrupt) stops the call in flight, and a listing between its pages.
  const options = { correlationId: settings.correlationId, signal: terminal.interrupt };
  switch (invocation.command) {
    case 'customers':
      await runCustomers(client, invocation, options, write, s);
      break;
    case 'usage':
      await runUsage(client, invocation, options, write, s);
      break;
    case 'report':
      await runReport(client, invocation, options, write, s);
      break;
    case 'partner-usage':
      await runPartnerUsage(client, invocation, options, write, s);
      break;
    case 'apply':
      return runApply(
        client,
        invocation,
        {
          write,
          // Notes quote the file's rows: shown as terminalText, line by line.
          note: (text) => terminal.stderr.write(terminalLines(text)),
          stderr: terminal.stderr as ApplyTerminal['stderr'],
          interrupt: terminal.interrupt,
        },
        s,
        credential,
      );
    default: {
      const result = await budgetCall(client, invocation, options);
      write(settings.json ? resultJson(result) : formatResult(result, s));
    }
  }
  return ExitCode.ok;
}

/**
 * The client a command calls through: its endpoint, its token, and the CLI's logger on stderr;
 * with the token's source (`apply` reads whose token it is).
 */
function createClient(
  invocation: Call,
  { env, stderr }: Terminal,
): { client: UsageBudgetClient; credential: TokenSource['credential'] } {
  const settings: CommandLineSettings = invocation.settings;
  const token = tokenSource(settings, env);
  const write = (text: string) => stderr.write(text);
  if (settings.debug) {
    const subject = 'customerTenantId' in invocation ? ` ${invocation.customerTenantId}` : '';
    write(
      `usagebudget: ${invocation.command}${subject} on ${endpointURL(settings.endpoint)}, token from ${token.origin}\n`,
    );
  }
  const client = new UsageBudgetClient({
    ...settings.endpoint,
    credential: token.credential,
    locale: settings.locale,
    application: `usagebudget-cli/${cliVersion()}`,
    timeoutMs: settings.timeoutMs,
    totalTimeoutMs: settings.totalTimeoutMs,
    maxRetries: settings.retries,
    ...('maxPages' in invocation && invocation.maxPages !== undefined && { maxPages: invocation.maxPages }),
    // Every 2xx body against the spec: an answer that breaks it is exit code 7, never garbage.
    validateResponses: specResponseValidator(),
    // Under --json, stderr carries only the error object unless --debug asks for more; apply shows
    // retries and throttling in its progress instead of a warning per retry.
    ...((settings.json || invocation.command === 'apply') && !settings.debug
      ? {}
      : { logger: clientLogger(write, settings.debug) }),
  });
  return { client, credential: token.credential };
}

async function budgetCall(
  client: UsageBudgetClient,
  invocation: BudgetCall,
  options: CallOptions,
): Promise<CommandResult> {
  const { command, customerTenantId } = invocation;
  let pending: CallPromise<SpendingBudget>;
  if (invocation.command === 'set') pending = client.setBudget(customerTenantId, invocation.amount, options);
  else if (invocation.command === 'clear') pending = client.clearBudget(customerTenantId, options);
  else pending = client.getBudget(customerTenantId, options);
  const { data, response } = await pending.withResponse();
  return {
    command,
    customerTenantId,
    amount: data.amount ?? null,
    requestId: response.requestId,
    correlationId: response.correlationId,
  };
}
