import { type Logger, type TokenProvider, UsageBudgetClient } from '@usagebudget/client';
import { specResponseValidator } from '@usagebudget/client/validation';
import { type CommandLineSettings, endpointURL } from './command-line/settings.js';
import { terminalText } from './terminal-text.js';
import { tokenSource } from './token-sources.js';
import { cliVersion } from './version.js';

/** The client a command calls the service through, and its token's source. */
export interface Connection {
  readonly client: UsageBudgetClient;
  /** What gives the client its token (`apply` names the partner of a run by it). */
  readonly credential: string | TokenProvider;
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
  const token = tokenSource(settings, env, interrupt);
  const write = (text: string) => stderr.write(text);
  if (settings.debug) {
    const subject = customerTenantId === undefined ? '' : ` ${customerTenantId}`;
    write(`usagebudget: ${command}${subject} on ${endpointURL(settings.endpoint)}, token from ${token.origin}\n`);
  }
  // Under --json, stderr carries only the error object unless --debug asks for more.
  const logs = settings.debug || (!settings.json && options.retryWarnings !== false);
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
    ...(logs && { logger: clientLogger(write, settings.debug) }),
  });
  return { client, credential: token.credential };
}

/**
 * The client's log lines on stderr: retry warnings always (a wait of seconds should not look like
 * a hang), each attempt with `--debug`. The client never puts headers, so never the token, in them.
 */
export function clientLogger(write: (text: string) => void, debug: boolean): Logger {
  // A retry's warning quotes the failure, whose message may hold the service's text.
  const line = (message: string, fields?: Record<string, unknown>) =>
    write(`${terminalText(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`)}\n`);
  return debug ? { debug: line, warn: line } : { warn: (message) => line(message) };
}
