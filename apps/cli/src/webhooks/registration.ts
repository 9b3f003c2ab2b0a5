// The partner's webhook registration as the CLI reads, writes and shows it: the receiver URL and
// events of `webhooks register` and `listen --register`, the one POST-or-PUT rule, and the
// registration's table and JSON line (`webhooks register` and `webhooks show` print the same).
import { ConflictError, type UsageBudgetClient } from '@usagebudget/client';
import { CommandLineError } from '../command-line/error.js';
import type { CommandContext, CommandWords, OptionSpec } from '../commands/command.js';
import { type Style, table } from '../output.js';
import { jsonLine } from '../terminal-text.js';

/** A registration as the client gives it. */
export type WebhookRegistration = Awaited<ReturnType<UsageBudgetClient['getWebhookRegistration']>>;

/** The budget alert. */
export const THRESHOLD_EXCEEDED = 'usagerecords-thresholdExceeded';
/**
 * The events registered without `--event`: the budget alert, and `test-created`, which Partner
 * Center sends only when asked (`webhooks test` needs it, 409 `TestEventNotRegistered` otherwise).
 */
export const DEFAULT_EVENTS = [THRESHOLD_EXCEEDED, 'test-created'] as const;

/** The options of a registration, shared by `webhooks register` and `listen --register`. */
export const REGISTRATION_OPTIONS = {
  event: { type: 'string', multiple: true },
  update: { type: 'boolean', default: false },
  'signature-header': { type: 'boolean', default: false },
} as const satisfies Record<string, OptionSpec>;

export const REGISTRATION_OPTIONS_HELP = `  --event NAME            an event to send, once per name; repeat it for more (default:
                          ${DEFAULT_EVENTS.join(' and ')}); "usagebudget webhooks
                          events" lists them
  --update                replace the partner's registration (PUT): its one URL and events,
                          for every event of the partner; without it, an existing
                          registration is left alone and the command fails
  --signature-header      put each event's signature in x-ms-signature instead of
                          Authorization (for receivers that cannot read Authorization)`;

/** What `--event`, `--update` and `--signature-header` asked for. */
export interface RegistrationRequest {
  readonly webhookEvents: readonly string[];
  readonly update: boolean;
  readonly signatureHeader: boolean;
}

/** Reads {@link REGISTRATION_OPTIONS}: a {@link CommandLineError} naming `command` for an empty event name. */
export function registrationRequest(words: CommandWords, command: string): RegistrationRequest {
  const events = words.texts('event');
  const blank = events.find((name) => name.trim() === '');
  if (blank !== undefined)
    throw new CommandLineError(`--event takes an event name such as ${THRESHOLD_EXCEEDED}`, command);
  return {
    webhookEvents: events.length > 0 ? events : DEFAULT_EVENTS,
    update: words.flag('update'),
    signatureHeader: words.flag('signature-header'),
  };
}

/**
 * A receiver URL as a registration takes it: absolute `http` or `https`, no user name or password
 * (they would travel with every event), no fragment (never sent). Partner Center reaches only
 * `https`; the reference server and the mock reach the receivers of their allow-list.
 */
export function receiverUrl(text: string, command: string): string {
  const fail = (why: string) => new CommandLineError(`invalid receiver URL "${text}": ${why}`, command);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail('expected an absolute URL such as https://alerts.contoso.com/partner-center');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail('expected http or https');
  if (url.username !== '' || url.password !== '') throw fail('a user name or password would be sent with every event');
  if (url.hash !== '') throw fail('a fragment is never sent to the receiver');
  return text;
}

/** A registration and the call's ids, as `webhooks register` and `webhooks show` print it. */
export interface RegistrationResult {
  readonly command: string;
  readonly registration: WebhookRegistration;
  readonly requestId: string;
  readonly correlationId: string;
}

/**
 * Registers `webhookUrl`: `POST` (a new registration), or with `update` `PUT` (replacing the one
 * there is). The partner has one registration, for all its events: replacing it moves every
 * alert of the partner to the new URL, so it is never done without `--update`. A `POST` when one
 * exists fails with {@link RegistrationExistsError}, showing what is registered.
 */
export async function register(
  client: UsageBudgetClient,
  webhookUrl: string,
  request: RegistrationRequest,
  context: CommandContext,
  command: string,
): Promise<RegistrationResult> {
  const body = {
    webhookUrl,
    webhookEvents: [...request.webhookEvents],
    signatureTokenToMsSignatureHeader: request.signatureHeader,
  };
  try {
    const call = request.update
      ? client.updateWebhookRegistration(body, context.callOptions)
      : client.createWebhookRegistration(body, context.callOptions);
    const { data, response } = await call.withResponse();
    return { command, registration: data, requestId: response.requestId, correlationId: response.correlationId };
  } catch (error) {
    if (request.update || !(error instanceof ConflictError)) throw error;
    const existing = await client.getWebhookRegistration(context.callOptions).catch(() => undefined);
    throw new RegistrationExistsError(webhookUrl, existing, error);
  }
}

/** `POST` when the partner has a registration: what it is, and how to replace it. Exit code 1. */
export class RegistrationExistsError extends Error {
  constructor(webhookUrl: string, existing: WebhookRegistration | undefined, cause: ConflictError) {
    const what = existing ? ` (it sends ${existing.webhookEvents.join(', ')} to ${existing.webhookUrl})` : '';
    super(
      `the partner has a webhook registration already${what}: add --update to replace it with ${webhookUrl} ` +
        '(every event of the partner goes to the new URL)',
      { cause },
    );
    this.name = 'WebhookRegistrationExists';
  }
}

/** The registration as a table: its URL and events (the service's text, made safe by `table`). */
export function formatRegistration({ registration, requestId }: RegistrationResult, s: Style): string {
  return table(
    [
      ['Subscriber ID', registration.subscriberId ?? '-'],
      ['URL', [registration.webhookUrl, s.value]],
      ['Events', registration.webhookEvents.join(', ')],
      ['Signature in', registration.signatureTokenToMsSignatureHeader ? 'x-ms-signature' : 'Authorization'],
      ['Last modified', registration.lastModifiedTimestamp ?? '-'],
      ['Request ID', requestId],
    ],
    s,
  );
}

/** `--json`: one line, these keys, `null` for what the service left out. */
export function registrationJson({ command, registration, requestId, correlationId }: RegistrationResult): string {
  return jsonLine({
    command,
    subscriberId: registration.subscriberId ?? null,
    webhookUrl: registration.webhookUrl,
    webhookEvents: registration.webhookEvents,
    signatureTokenToMsSignatureHeader: registration.signatureTokenToMsSignatureHeader ?? false,
    lastModifiedTimestamp: registration.lastModifiedTimestamp ?? null,
    requestId,
    correlationId,
  });
}

/** Prints a registration as the command line asked. */
export function printRegistration(result: RegistrationResult, context: CommandContext, json: boolean): void {
  context.write(json ? registrationJson(result) : formatRegistration(result, context.style));
}
