import {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  MfaRequiredError,
  NotFoundError,
  PagingError,
  PartnerCenterError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  ValidationError,
} from '@usagebudget/client';
import { CommandLineError } from './command-line/error.js';
import { DEFAULT_BASE_URL } from './command-line/settings.js';
import { displayWidth, jsonLine, padEnd, padStart, terminalLines, terminalText } from './terminal-text.js';

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

/** Part of a table's value: text, or text and the style it is shown in. */
export type Part = string | readonly [text: string, paint: (text: string) => string];
/** A row of a {@link table}: its label, then its value in parts. */
export type TableRow = readonly [label: string, ...value: Part[]];

/**
 * Rows with their labels padded to one width, each ending in a newline. Every part of a value is
 * shown through `terminalText` (it may be the service's), then painted: the one place such a
 * table's text reaches the terminal.
 */
export function table(rows: readonly TableRow[], s: Style, indent = ''): string {
  const width = Math.max(...rows.map(([label]) => displayWidth(label))) + 2;
  const shown = (part: Part) => (typeof part === 'string' ? terminalText(part) : part[1](terminalText(part[0])));
  return rows
    .map(
      ([label, ...value]) => `${indent}${s.label(padEnd(label, width))}${value.map(shown).join('')}
`,
    )
    .join('');
}

/** A column of a {@link listing}: its title, how a row shows in it, and whether it lines up on the right (numbers). */
export interface Column<T> {
  title: string;
  cell(row: T): string;
  right?: boolean;
}

/**
 * Rows under their column titles, each column as wide as its widest cell on the terminal (wide
 * characters take two columns, combining ones none), two spaces apart. Each cell is shown through
 * `terminalText` (it may be the service's): the one place a listing's text reaches the terminal.
 * `paint` colours a finished line (after padding, so that colour codes do not upset the widths).
 */
export function listing<T>(
  columns: readonly Column<T>[],
  rows: readonly T[],
  s: Style,
  paint: (row: T, line: string) => string = (_, line) => line,
): string {
  const cells = rows.map((row) => columns.map((column) => terminalText(column.cell(row))));
  const widths = columns.map((column, index) =>
    Math.max(displayWidth(column.title), ...cells.map((line) => displayWidth(line[index] as string))),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) =>
        columns[index]?.right ? padStart(value, widths[index] as number) : padEnd(value, widths[index] as number),
      )
      .join('  ')
      .trimEnd();
  return [
    s.label(line(columns.map(({ title }) => title))),
    ...cells.map((values, index) => paint(rows[index] as T, line(values))),
  ]
    .map((text) => `${text}\n`)
    .join('');
}

/** `3 customers`, `1 customer`. */
export const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

// How a report names each client error; any other PartnerCenterError is "the call failed".
const TITLES: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, string]> = [
  [NotFoundError, 'not found'],
  [MfaRequiredError, 'the token shows no sign-in with multi-factor authentication (MFA)'],
  [AuthenticationError, 'authentication failed'],
  [PermissionDeniedError, 'permission denied'],
  [RateLimitError, 'throttled'],
  [BadRequestError, 'the service rejected the request'],
  [ConflictError, 'conflict'],
  [ServerError, 'the service failed'],
  [TimeoutError, 'no response in time'],
  [AbortError, 'interrupted'],
  [ResponseValidationError, "the service's answer breaks the API's spec"],
  [PagingError, "the service's paging was refused"],
];

/** What a user of the CLI does about a token without MFA (Partner Center requires it of App+User calls). */
const MFA_TO_DO =
  'sign the user in again with MFA: "usagebudget sign-out" then --auth device-code, or "az login" for ' +
  '--auth azure-cli (https://learn.microsoft.com/partner-center/security/partner-security-requirements-mandating-mfa)';

// The problems of a ResponseValidationError listed in its report; the rest are counted.
const PROBLEMS_SHOWN = 10;

/**
 * The error report for stderr: what failed, then code, description and request ID when known.
 * Every text in it that the CLI did not write (the service's, the command line's) is shown through
 * `terminalText`.
 */
export function formatError(error: unknown, s: Style, baseURL?: string): string {
  const prefix = s.error('usagebudget:');
  if (error instanceof CommandLineError) {
    const help = error.command ? `usagebudget ${error.command} --help` : 'usagebudget --help';
    return `${prefix} ${terminalText(error.message)}\nRun "${help}" for usage.\n`;
  }
  if (error instanceof ConnectionError) {
    const hint =
      baseURL === DEFAULT_BASE_URL
        ? 'Is the reference server running? Start it with "usagebudget-server", or pass --base-url or --cloud.\n'
        : '';
    return `${prefix} could not connect to ${terminalText(baseURL ?? 'the service')}\n${details(error, s)}${hint}`;
  }
  if (error instanceof ValidationError) return `${prefix} invalid option: ${terminalText(error.message)}\n`;
  if (!(error instanceof PartnerCenterError)) {
    return `${prefix} ${terminalText((error as Error)?.message ?? String(error))}\n`;
  }
  const title = TITLES.find(([ErrorClass]) => error instanceof ErrorClass)?.[1] ?? 'the call failed';
  // The request may have reached the service before Ctrl-C: the caller should look, not assume.
  const hint =
    error instanceof AbortError ? 'A set or clear may still have been applied: run "usagebudget get" to see.\n' : '';
  return `${prefix} ${title}${error.status ? ` (HTTP ${error.status})` : ''}\n${details(error, s)}${hint}`;
}

function details(error: PartnerCenterError, s: Style): string {
  const rows: TableRow[] = [];
  if (error.code !== undefined) rows.push(['Code', String(error.code)]);
  if (error instanceof ResponseValidationError) {
    const { problems } = error;
    for (const { pointer, rule } of problems.slice(0, PROBLEMS_SHOWN))
      rows.push(['Problem', `${pointer || '(root)'} ${rule}`]);
    if (problems.length > PROBLEMS_SHOWN) rows.push(['Problem', `and ${problems.length - PROBLEMS_SHOWN} more`]);
  } else rows.push(['Description', error.description ?? error.message]);
  if (error instanceof RateLimitError && error.retryAfterMs !== undefined) {
    rows.push(['Retry after', `${Math.ceil(error.retryAfterMs / 1000)} s`]);
  }
  // The client's message says what to do; the service's description may not.
  if (error instanceof MfaRequiredError) rows.push(['To do', MFA_TO_DO]);
  if (error.requestId) rows.push(['Request ID', error.requestId]);
  if (error.correlationId) rows.push(['Correlation ID', error.correlationId]);
  return table(rows, s, '  ');
}

/** The `--json` error object for stderr: every key always present, `null` when unknown. */
export function errorJson(error: unknown, exitCode: number): string {
  const known = error instanceof PartnerCenterError ? error : undefined;
  return jsonLine({
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
  });
}

/** `--debug`: the stack of the error and of its causes (whose messages may hold the service's text). */
export function errorStacks(error: unknown): string {
  let text = '';
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    text += `${text ? 'Caused by: ' : ''}${terminalLines(cause.stack ?? cause.message)}\n`;
  }
  return text;
}
