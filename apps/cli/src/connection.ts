import { type Logger, type TokenCredential, type TokenProvider, UsageBudgetClient } from '@usagebudget/client';
import { specResponseValidator } from '@usagebudget/client/validation';
import { CommandLineError } from './command-line/error.js';
import { type CommandLineSettings, endpointURL } from './command-line/settings.js';
import { proxyLabel } from './command-line/sign-in-options.js';
import { signInCredential } from './sign-in/credential.js';
import { terminalText } from './terminal-text.js';
import { type TokenSource, tokenSource } from './token-sources.js';
import { cliVersion } from './version.js';

/** The client a command calls the service through, and its token's source. */
export interface Connection {
  readonly client: UsageBudgetClient;
  /** What gives the client its token (`apply` names the partner of a run by it, `whoami` shows its claims). */
  readonly credential: string | TokenProvider | TokenCredential;
  /** Where the token comes from: `--token`, `PARTNER_CENTER_TOKEN`, `--token-command` or `--auth MODE`. */
  readonly origin: string;
}

/** What a command asks of its client beyond the command line's settings. */
export interface ConnectOptions {
  /** The most pages a listing follows (`customers --max-pages`); the client's default otherwise. */
  maxPages?: number;
  /**
   * `false`: the command shows retries and throttling itself (`apply`'s progress), so the client
   * writes no warning a retry; `--debug` still logs every attempt.
   */
  retryWarnings?: boolean;
}

/** Who connects: the command (and its customer, for `--debug`), the command line's settings. */
export interface Caller {
  readonly command: string;
  readonly customerTenantId?: string;
  readonly settings: CommandLineSettings;
}

/**
 * The client of a command: its endpoint, its token (`--token`, `PARTNER_CENTER_TOKEN` or
 * `--token-command`, checked now: a `CommandLineError` without one), the CLI's logger on stderr,
 * and every 2xx body checked against the spec (an answer that breaks it is exit code 7, never
 * garbage). `interrupt` stops a running `--token-command`.
 */
export function connect(
  { command, customerTenantId, settings }: Caller,
  env: NodeJS.ProcessEnv,
  stderr: { write(text: string): unknown },
  interrupt: AbortSignal,
  options: ConnectOptions = {},
): Connection {
  const write = (text: string) => stderr.write(text);
  const token = namingCommand(command, () => credentialOf(settings, env, interrupt, write));
  if (settings.debug) {
    const subject = customerTenantId === undefined ? '' : ` ${customerTenantId}`;
    const proxy = settings.proxy === undefined ? '' : `, through the proxy ${proxyLabel(settings.proxy)}`;
    write(
      `usagebudget: ${command}${subject} on ${endpointURL(settings.endpoint)}, token from ${token.origin}${proxy}\n`,
    );
  }
  // Under --json, stderr carries only the error object unless --debug or USAGEBUDGET_LOG asks for more.
  const everyLine = settings.debug || Boolean(env.USAGEBUDGET_LOG);
  const logs = everyLine || (!settings.json && options.retryWarnings !== false);
  const client = new UsageBudgetClient({
    ...settings.endpoint,
    credential: token.credential,
    locale: settings.locale,
    application: `usagebudget-cli/${cliVersion()}`,
    timeoutMs: settings.timeoutMs,
    totalTimeoutMs: settings.totalTimeoutMs,
    maxRetries: settings.retries,
    ...(options.maxPages !== undefined && { maxPages: options.maxPages }),
    validateResponses: specResponseValidator(),
    ...(settings.proxy !== undefined && { proxy: settings.proxy }),
    // --debug logs every line; else the client's level is USAGEBUDGET_LOG's (it reads it), or warnings.
    ...(settings.debug && { logLevel: 'debug' as const }),
    ...(logs && { logger: clientLogger(write, everyLine) }),
  });
  return { client, credential: token.credential, origin: token.origin };
}

/** A usage error found while connecting (no token, a sign-in's missing tenant) points at the command's help. */
function namingCommand<T>(command: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof CommandLineError && error.command === undefined)
      throw new CommandLineError(error.message, command);
    throw error;
  }
}

/** The token's source: `--auth`'s credential (it wins over `PARTNER_CENTER_TOKEN`), else {@link tokenSource}'s. */
function credentialOf(
  settings: CommandLineSettings,
  env: NodeJS.ProcessEnv,
  interrupt: AbortSignal,
  write: (text: string) => void,
): { origin: string; credential: TokenSource['credential'] | TokenCredential } {
  if (settings.signIn === undefined) return tokenSource(settings, env, interrupt);
  const { endpoint, proxy } = settings;
  const note = (line: string) => write(`${line}\n`);
  return {
    origin: `--auth ${settings.signIn.mode}`,
    credential: signInCredential(settings.signIn, { endpoint, env, note, ...(proxy !== undefined && { proxy }) }),
  };
}

/**
 * The client's log lines on stderr: retry warnings always (a wait of seconds should not look like
 * a hang), every line of the client's level with `--debug` or `USAGEBUDGET_LOG`. The client never
 * puts headers, so never the token, in them.
 */
export function clientLogger(write: (text: string) => void, everyLine: boolean): Logger {
  // A retry's warning quotes the failure, whose message may hold the service's text.
  const line = (message: string, fields?: Record<string, unknown>) =>
    write(`${terminalText(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`)}\n`);
  return everyLine ? { error: line, warn: line, info: line, debug: line } : { warn: (message) => line(message) };
}
