import { AuthenticationError, type CallPromise, type SpendingBudget, UsageBudgetClient } from '@usagebudget/client';
import { endpointURL, type Invocation, parseCommandLine } from './arguments.js';
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
import { TokenCommandError, tokenSource } from './token-sources.js';
import { cliVersion } from './version.js';

export interface Terminal {
  env: NodeJS.ProcessEnv;
  stdout: { isTTY?: boolean; write(text: string): unknown };
  stderr: { isTTY?: boolean; write(text: string): unknown };
  /** Fires on Ctrl-C: the call in flight (and a running --token-command) is stopped, exit code 130. */
  interrupt?: AbortSignal;
}

type Call = Extract<Invocation, { kind: 'call' }>;

/** Runs one command line and returns the exit code. Output goes to `terminal`; nothing throws. */
export async function run(argv: readonly string[], terminal: Terminal): Promise<ExitCode> {
  const { env, stdout, stderr } = terminal;
  let invocation: Invocation | undefined;
  try {
    invocation = parseCommandLine(argv);
    if (invocation.kind === 'help') stdout.write(helpText(invocation.command));
    else if (invocation.kind === 'version') stdout.write(`${cliVersion()}\n`);
    else {
      const result = await call(invocation, terminal);
      stdout.write(
        invocation.settings.json ? resultJson(result) : formatResult(result, style(colorEnabled(stdout, env))),
      );
    }
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

async function call(invocation: Call, { env, stderr, interrupt }: Terminal): Promise<CommandResult> {
  const { command, customerTenantId, settings } = invocation;
  const token = tokenSource(settings, env);
  const write = (text: string) => stderr.write(text);
  if (settings.debug) {
    write(
      `usagebudget: ${command} ${customerTenantId} on ${endpointURL(settings.endpoint)}, token from ${token.origin}\n`,
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
    // Under --json, stderr carries only the error object unless --debug asks for more.
    ...(settings.json && !settings.debug ? {} : { logger: clientLogger(write, settings.debug) }),
  });
  const options = { correlationId: settings.correlationId, signal: interrupt };
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
