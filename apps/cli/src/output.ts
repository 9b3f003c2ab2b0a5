import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  type Logger,
  NotFoundError,
  PartnerCenterError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from '@usagebudget/client';
import { formatAmount } from './amount.js';
import { type CommandName, DEFAULT_BASE_URL } from './arguments.js';
import { UsageError } from './usage-error.js';

/** What a successful command reports: the `--json` shape, documented in the README. */
export interface CommandResult {
  command: CommandName;
  customerTenantId: string;
  /** `null`: no budget is allocated. */
  amount: number | null;
  requestId: string;
  correlationId: string;
}

export interface Style {
  label(text: string): string;
  value(text: string): string;
  muted(text: string): string;
  /** Trending over a budget. */
  warning(text: string): string;
  /** An error, or over a budget. */
  error(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

/** Colours on a terminal only, and never when `NO_COLOR` is set (https://no-color.org) or TERM is dumb. */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

export function style(color: boolean): Style {
  if (!color) return { label: plain, value: plain, muted: plain, warning: plain, error: plain };
  return { label: ansi(2, 22), value: ansi(1, 22), muted: ansi(33, 39), warning: ansi(93, 39), error: ansi(31, 39) };
}

/** Rows with their labels padded to one width, each ending in a newline. */
export function table(rows: ReadonlyArray<readonly [string, string]>, s: Style, indent = ''): string {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${indent}${s.label(label.padEnd(width))}${value}\n`).join('');
}

/** The human summary: customer, budget (or "no budget"), request ID. */
export function formatResult(result: CommandResult, s: Style): string {
  const budget = result.amount === null ? s.muted('no budget') : s.value(formatAmount(result.amount));
  return table(
    [
      ['Customer', result.customerTenantId],
      ['Budget', budget],
      ['Request ID', result.requestId],
    ],
    s,
  );
}

export function resultJson(result: CommandResult): string {
  // The documented keys, in a fixed order, whatever else the result may carry one day.
  const { command, customerTenantId, amount, requestId, correlationId } = result;
  return `${JSON.stringify({ command, customerTenantId, amount, requestId, correlationId })}\n`;
}

// How a report names each client error; any other PartnerCenterError is "the call failed".
const TITLES: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, string]> = [
  [NotFoundError, 'not found'],
  [AuthenticationError, 'authentication failed'],
  [PermissionDeniedError, 'permission denied'],
  [RateLimitError, 'throttled'],
  [BadRequestError, 'the service rejected the request'],
  [ConflictError, 'conflict'],
  [ServerError, 'the service failed'],
  [TimeoutError, 'no response in time'],
  [AbortError, 'interrupted'],
];

/** The error report for stderr: what failed, then code, description and request ID when known. */
export function formatError(error: unknown, s: Style, baseURL?: string): string {
  const prefix = s.error('usagebudget:');
  if (error instanceof UsageError) {
    const help = error.command ? `usagebudget ${error.command} --help` : 'usagebudget --help';
    return `${prefix} ${error.message}\nRun "${help}" for usage.\n`;
  }
  if (error instanceof ConnectionError) {
    const hint =
      baseURL === DEFAULT_BASE_URL
        ? 'Is the reference server running? Start it with "usagebudget-server", or pass --base-url or --cloud.\n'
        : '';
    return `${prefix} could not connect to ${baseURL ?? 'the service'}\n${details(error, s)}${hint}`;
  }
  if (error instanceof ValidationError) return `${prefix} invalid option: ${error.message}\n`;
  if (!(error instanceof PartnerCenterError)) return `${prefix} ${(error as Error)?.message ?? String(error)}\n`;
  const title = TITLES.find(([ErrorClass]) => error instanceof ErrorClass)?.[1] ?? 'the call failed';
  // The request may have reached the service before Ctrl-C: the caller should look, not assume.
  const hint =
    error instanceof AbortError ? 'A set or clear may still have been applied: run "usagebudget get" to see.\n' : '';
  return `${prefix} ${title}${error.status ? ` (HTTP ${error.status})` : ''}\n${details(error, s)}${hint}`;
}

function details(error: PartnerCenterError, s: Style): string {
  const rows: Array<readonly [string, string]> = [];
  if (error.code !== undefined) rows.push(['Code', String(error.code)]);
  rows.push(['Description', error.description ?? error.message]);
  if (error instanceof RateLimitError && error.retryAfterMs !== undefined) {
    rows.push(['Retry after', `${Math.ceil(error.retryAfterMs / 1000)} s`]);
  }
  if (error.requestId) rows.push(['Request ID', error.requestId]);
  if (error.correlationId) rows.push(['Correlation ID', error.correlationId]);
  return table(rows, s, '  ');
}

/** The `--json` error object for stderr: every key always present, `null` when unknown. */
export function errorJson(error: unknown, exitCode: number): string {
  const known = error instanceof PartnerCenterError ? error : undefined;
  return `${JSON.stringify({
    error: {
      type: (error as Error)?.name ?? 'Error',
      message: (error as Error)?.message ?? String(error),
      status: known?.status ?? null,
      code: known?.code ?? null,
      description: known?.description ?? null,
      requestId: known?.requestId ?? null,
      correlationId: known?.correlationId ?? null,
    },
    exitCode,
  })}\n`;
}

/** `--debug`: the stack of the error and of its causes. */
export function errorStacks(error: unknown): string {
  let text = '';
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    text += `${text ? 'Caused by: ' : ''}${cause.stack ?? cause.message}\n`;
  }
  return text;
}

/**
 * The client's log lines on stderr: retry warnings always (a wait of seconds should not look like
 * a hang), each attempt with `--debug`. The client never puts headers, so never the token, in them.
 */
export function clientLogger(write: (text: string) => void, debug: boolean): Logger {
  const line = (message: string, fields?: Record<string, unknown>) =>
    write(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`);
  return debug ? { debug: line, warn: line } : { warn: (message) => write(`${message}\n`) };
}
