// A test event's delivery as `webhooks test` follows it: one line per attempt as it appears in the
// status (`GET .../validationEvents/{correlationId}`), then the status; `--wait` polls until a
// final status or its time limit.
import { setTimeout as sleep } from 'node:timers/promises';
import type { UsageBudgetClient } from '@usagebudget/client';
import { CommandLineError } from '../command-line/error.js';
import { numberOption } from '../command-line/values.js';
import type { CommandContext, CommandWords, OptionSpec } from '../commands/command.js';
import { type Style, table } from '../output.js';
import { jsonLine } from '../terminal-text.js';

/** A test event's status as the client gives it. */
export type TestEventStatus = Awaited<ReturnType<UsageBudgetClient['getWebhookTestEvent']>>;
/** One delivery attempt of it. */
export type DeliveryAttempt = TestEventStatus['results'][number];

const DEFAULT_WAIT_SECONDS = 60;
const MAX_WAIT_SECONDS = 3_600;

/** `--wait` and `--wait-timeout`, of `webhooks test` and `webhooks status`. */
export const WAIT_OPTIONS = {
  wait: { type: 'boolean', default: false },
  'wait-timeout': { type: 'string' },
} as const satisfies Record<string, OptionSpec>;

export const WAIT_OPTIONS_HELP = `  --wait                  follow the attempts until the event is delivered or has failed
  --wait-timeout SECONDS  how long --wait follows them (default ${DEFAULT_WAIT_SECONDS}; the service retries
                          for hours: a receiver down for longer than this is not waited for)`;

/** How long `--wait` follows the attempts, in ms; `undefined` without `--wait`. */
export function waitOption(words: CommandWords, command: string): number | undefined {
  const timeout = words.text('wait-timeout');
  if (timeout !== undefined && !words.flag('wait')) throw new CommandLineError('--wait-timeout needs --wait', command);
  const seconds = numberOption(timeout, DEFAULT_WAIT_SECONDS, (n) => n > 0 && n <= MAX_WAIT_SECONDS);
  if (seconds === undefined) {
    throw new CommandLineError(`--wait-timeout takes seconds, more than 0 and at most ${MAX_WAIT_SECONDS}`, command);
  }
  return words.flag('wait') ? Math.ceil(seconds * 1000) : undefined;
}

/**
 * Prints the attempts of a test event (followed with `waitMs`), then its status; with `waitMs`,
 * a {@link TestEventNotDeliveredError} unless it was delivered.
 */
export async function printTestEvent(
  client: UsageBudgetClient,
  correlationId: string,
  context: CommandContext,
  json: boolean,
  waitMs: number | undefined,
): Promise<void> {
  const status = await followTestEvent(client, correlationId, context, json, waitMs);
  context.write(json ? testEventStatusJson(status) : formatTestEventStatus(status, context.style));
  if (waitMs !== undefined && status.status !== 'completed') throw new TestEventNotDeliveredError(status, waitMs);
}

/** Status polls start quick (the first attempt is made at once) and slow down to this. */
const POLL_MAX_MS = 1_000;
const POLL_FIRST_MS = 100;

/** The test event was not delivered: its status is `failed`, or still `pending` when the wait ended. Exit code 1. */
export class TestEventNotDeliveredError extends Error {
  constructor(status: TestEventStatus, waitedMs: number | undefined) {
    const last = status.results.at(-1);
    const lastSaid = last ? `; the last attempt: ${attemptText(last)}` : '';
    super(
      status.status === 'pending' && waitedMs !== undefined
        ? `the test event ${status.correlationId} was not delivered within ${waitedMs / 1000} s (attempts go on)${lastSaid}`
        : `the test event ${status.correlationId} was not delivered: ${status.status}${lastSaid}`,
    );
    this.name = 'TestEventNotDelivered';
  }
}

const attemptText = (attempt: DeliveryAttempt) =>
  [attempt.responseCode || 'no answer', attempt.responseMessage].filter((text) => text !== '').join(': ');

/**
 * Reads the status of `correlationId` and prints each attempt not printed yet; with `waitMs`,
 * again until the status is final or the time is up (Ctrl-C stops it: the next call is aborted).
 * Resolves with the last status read.
 */
async function followTestEvent(
  client: UsageBudgetClient,
  correlationId: string,
  context: CommandContext,
  json: boolean,
  waitMs: number | undefined,
): Promise<TestEventStatus> {
  const deadline = Date.now() + (waitMs ?? 0);
  let printed = 0;
  for (let pause = POLL_FIRST_MS; ; pause = Math.min(pause * 2, POLL_MAX_MS)) {
    const status = await client.getWebhookTestEvent(correlationId, context.callOptions);
    for (const attempt of status.results.slice(printed)) {
      printed++;
      context.write(json ? attemptJson(correlationId, printed, attempt) : attemptLine(printed, attempt, context.style));
    }
    if (waitMs === undefined || status.status !== 'pending' || Date.now() >= deadline) return status;
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())), undefined, {
      signal: context.interrupt,
    }).catch(() => {});
  }
}

/** `Attempt 1  2026-12-06T20:01:02Z  OK`: what the receiver answered, or why no answer came. */
function attemptLine(number: number, attempt: DeliveryAttempt, s: Style): string {
  const paint = /^(OK|Created|Accepted|NoContent)$/.test(attempt.responseCode) ? s.value : s.error;
  const system = attempt.systemError ? ' (refused by the sender)' : '';
  return table([[`Attempt ${number}`, attempt.dateTimeUtc, '  ', [attemptText(attempt), paint], system]], s);
}

function attemptJson(correlationId: string, attempt: number, result: DeliveryAttempt): string {
  const { responseCode, responseMessage, systemError, dateTimeUtc } = result;
  return jsonLine({ correlationId, attempt, responseCode, responseMessage, systemError, dateTimeUtc });
}

/** After the attempts: the status, where the event went. */
function formatTestEventStatus(status: TestEventStatus, s: Style): string {
  const paint = status.status === 'completed' ? s.value : status.status === 'pending' ? s.warning : s.error;
  return table(
    [
      ['Status', [status.status, paint]],
      ['Receiver', status.callbackUrl],
      ['Attempts', String(status.results.length)],
    ],
    s,
  );
}

/** `--json`: the last line, the status. */
function testEventStatusJson(status: TestEventStatus): string {
  const { correlationId, partnerId, callbackUrl, results } = status;
  return jsonLine({
    command: 'webhooks test',
    correlationId,
    partnerId,
    status: status.status,
    callbackUrl,
    attempts: results.length,
  });
}
