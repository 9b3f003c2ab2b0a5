import { createWebhookVerifier, resolveThresholdExceeded, verifyWebhookRequest } from '@usagebudget/client/webhooks';
import { CommandLineError } from '../command-line/error.js';
import { numberOption } from '../command-line/values.js';
import type { Connection } from '../connection.js';
import { ExitCode } from '../exit-codes.js';
import { table } from '../output.js';
import { jsonLine } from '../terminal-text.js';
import {
  deliveryJson,
  formatRefused,
  formatVerified,
  type OverBudget,
  type RefusedDelivery,
  type VerifiedDelivery,
} from '../webhooks/delivery-report.js';
import { forwardDelivery } from '../webhooks/forward.js';
import { type Answer, type Delivery, startReceiver } from '../webhooks/receiver.js';
import {
  REGISTRATION_OPTIONS,
  REGISTRATION_OPTIONS_HELP,
  type RegistrationRequest,
  register,
  registrationRequest,
  THRESHOLD_EXCEEDED,
} from '../webhooks/registration.js';
import { listenerTrust } from '../webhooks/trust.js';
import type { Command, CommandContext } from './command.js';

const NAME = 'listen';
/** How long a `--forward-to` receiver has to answer. */
const FORWARD_TIMEOUT_MS = 10_000;

export interface ListenArgs {
  port: number;
  forwardTo: URL | undefined;
  trustRoot: string | undefined;
  /** `--register`: what to register. */
  registration: RegistrationRequest | undefined;
}

/**
 * `listen`: a local receiver of webhook events, for a partner building one (as `stripe listen`
 * serves Stripe developers): every delivery verified with the SDK, shown, and optionally
 * forwarded; a budget alert shown with the customers over budget. Runs until Ctrl-C or SIGTERM,
 * which stop it cleanly (exit code 0).
 */
export const listenCommand: Command<typeof NAME, ListenArgs> = {
  name: NAME,
  arguments: [],
  options: {
    port: { type: 'string' },
    'forward-to': { type: 'string' },
    'trust-root': { type: 'string' },
    register: { type: 'boolean', default: false },
    ...REGISTRATION_OPTIONS,
  },
  stopsOnTerminate: true,
  help: {
    synopsis: 'usagebudget listen [--port N] [--forward-to URL] [--trust-root FILE] [--register] [options]',
    summary:
      'Receives webhook events on 127.0.0.1 and verifies each one with the SDK (the signature over the\n' +
      'exact bytes, the certificate, its chain and organisation): a verified delivery is answered\n' +
      '200 and shown (a budget alert with the customers now over budget, read from the usage\n' +
      'records), a refused one 401 with the reason, a replay 200 without handling it again.\n' +
      '--forward-to passes each verified\n' +
      'delivery on, bytes and headers as they came, and answers what that receiver answered. It trusts\n' +
      "Partner Center, or the test root of a target on this machine (the reference server's, from\n" +
      '<base-url>/webhooks/certificates/root.pem), or that of --trust-root. Ctrl-C stops it.',
    examples: `  usagebudget listen --register                         # the reference server on 127.0.0.1:4020
  usagebudget listen --port 4040 --forward-to http://127.0.0.1:3000/partner-center
  usagebudget listen --base-url https://sandbox.contoso.test --trust-root sandbox-root.pem`,
    options: `  --port N                the port on 127.0.0.1 (default: a free one, printed on start)
  --forward-to URL        pass each verified delivery on to URL (your receiver); the sender
                          gets its status (502 when it does not answer within ${FORWARD_TIMEOUT_MS / 1000} s)
  --trust-root FILE       trust the root certificates of this PEM file (a test service's) and
                          the --base-url host's signing certificates, not Partner Center's
  --register              register this receiver's URL once it listens (as "usagebudget
                          webhooks register" does, with the options below)
${REGISTRATION_OPTIONS_HELP}`,
  },
  parse(words) {
    const port = numberOption(words.text('port'), 0, (n) => Number.isInteger(n) && n >= 0 && n <= 65_535);
    if (port === undefined) throw new CommandLineError('--port takes a port number, 0 to 65535', NAME);
    const registering = words.flag('register');
    for (const option of Object.keys(REGISTRATION_OPTIONS)) {
      const given = words.flag(option) || words.texts(option).length > 0;
      if (given && !registering) throw new CommandLineError(`--${option} needs --register`, NAME);
    }
    return {
      port,
      forwardTo: forwardTarget(words.text('forward-to')),
      trustRoot: words.text('trust-root'),
      registration: registering ? registrationRequest(words, NAME) : undefined,
    };
  },
  run: listen,
};

function forwardTarget(text: string | undefined): URL | undefined {
  if (text === undefined) return undefined;
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol === 'http:' || url?.protocol === 'https:') return url;
  throw new CommandLineError(`--forward-to takes an http or https URL (got "${text}")`, NAME);
}

async function listen(call: Parameters<typeof listenCommand.run>[0], context: CommandContext): Promise<ExitCode> {
  const { settings, port, forwardTo, trustRoot, registration } = call;
  const trust = await listenerTrust(settings, trustRoot, context.interrupt);
  const connection = optionalConnection(context, registration !== undefined);
  const verifier = createWebhookVerifier(trust.trust ? { trust: trust.trust } : {});
  const show = (delivery: VerifiedDelivery | RefusedDelivery) =>
    context.write(
      settings.json
        ? deliveryJson(delivery)
        : 'reason' in delivery
          ? formatRefused(delivery, context.style)
          : formatVerified(delivery, context.style),
    );
  // The SDK's rule answers each delivery (verifyWebhookRequest: 401 and the reason, 200 for a
  // replay already handled); a forward's own answer then goes back to the sender.
  const handle = async (delivery: Delivery, answer: Answer) => {
    let verified: VerifiedDelivery['event'] | undefined;
    let forwarded: VerifiedDelivery['forwarded'];
    const result = await verifyWebhookRequest(verifier, delivery, async (event) => {
      verified = event;
      if (!forwardTo) return;
      const outcome = await forwardDelivery(forwardTo, delivery.body, delivery.rawHeaders, FORWARD_TIMEOUT_MS);
      forwarded = { url: forwardTo.href, outcome };
      // Not acknowledged: the SDK forgets the delivery, so that the sender's next attempt verifies.
      if (!('status' in outcome) || outcome.status < 200 || outcome.status > 299) throw new Error('not forwarded');
    });
    answer(forwarded ? ('status' in forwarded.outcome ? forwarded.outcome.status : 502) : result.status, result.text);
    const { receivedAt } = delivery;
    if (!verified)
      return show({ receivedAt, status: result.status, reason: reasonOf(result.text), message: result.text });
    const overBudget =
      verified.EventName === THRESHOLD_EXCEEDED && connection
        ? await customersOverBudget(connection, verified, context)
        : undefined;
    show({ receivedAt, event: verified, ...(overBudget && { overBudget }), ...(forwarded && { forwarded }) });
  };
  const receiver = await startReceiver(port, (delivery, answer) =>
    handle(delivery, answer).catch((error: unknown) => {
      context.note(`listen: a delivery could not be handled: ${(error as Error).message}\n`);
      throw error;
    }),
  );
  try {
    context.write(
      settings.json
        ? jsonLine({ listening: receiver.url, trust: trust.description, forwardTo: forwardTo?.href ?? null })
        : startLines(receiver.url, trust.description, forwardTo, context),
    );
    if (registration && connection) {
      const { registration: registered } = await register(connection.client, receiver.url, registration, context, NAME);
      if (!settings.json) {
        context.write(
          table([['Registered', `${registered.webhookEvents.join(', ')} to ${registered.webhookUrl}`]], context.style),
        );
      }
    }
    await stopped(context.interrupt);
  } finally {
    await receiver.close();
  }
  if (!settings.json) context.note('listen: stopped\n');
  return ExitCode.ok;
}

/** The reason code an answer of the SDK's starts with (`bad-signature: …`). */
const reasonOf = (text: string) => /^([a-z-]+):/.exec(text)?.[1] ?? 'refused';

function startLines(url: string, trust: string, forwardTo: URL | undefined, context: CommandContext): string {
  const rows = table(
    [['Trusting', trust], ...(forwardTo ? [['Forwarding to', forwardTo.href] as const] : [])],
    context.style,
  );
  return `Listening on ${url} (Ctrl-C stops)\n${rows}`;
}

/**
 * The client, when there is a token: a budget alert names no customer, so `listen` reads the usage
 * records for them. Without a token it still verifies and shows every event (`--register` needs one).
 */
function optionalConnection(context: CommandContext, required: boolean): Connection | undefined {
  try {
    return context.connect();
  } catch (error) {
    if (required || !(error instanceof CommandLineError)) throw error;
    context.note(`listen: ${error.message}: events are verified and shown, without the customers over budget\n`);
    return undefined;
  }
}

async function customersOverBudget(
  { client }: Connection,
  event: VerifiedDelivery['event'],
  context: CommandContext,
): Promise<OverBudget> {
  try {
    return { customers: await resolveThresholdExceeded(client, event, context.callOptions) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Resolves once Ctrl-C or SIGTERM came. */
function stopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
