import { ExitCode } from '../exit-codes.js';
import {
  DEFAULT_EVENTS,
  printRegistration,
  REGISTRATION_OPTIONS,
  REGISTRATION_OPTIONS_HELP,
  type RegistrationRequest,
  receiverUrl,
  register,
  registrationRequest,
} from '../webhooks/registration.js';
import type { Command } from './command.js';

const NAME = 'webhooks register';

/** `webhooks register <url>`: the partner's one registration: where its events go, and which. */
export const webhooksRegisterCommand: Command<typeof NAME, { webhookUrl: string; request: RegistrationRequest }> = {
  name: NAME,
  arguments: ['<url>'],
  options: REGISTRATION_OPTIONS,
  help: {
    synopsis: 'usagebudget webhooks register <url> [--event NAME]... [--update] [options]',
    summary:
      "Registers the partner's webhook receiver: the URL Partner Center sends the events to (signed;\n" +
      '"usagebudget listen" verifies them), and the events. A partner has one registration: when it\n' +
      'has one already the command fails and shows it; --update replaces it (every event of the\n' +
      `partner then goes to the new URL). Without --event: ${DEFAULT_EVENTS.join(' and ')}.`,
    examples: `  usagebudget webhooks register https://alerts.contoso.com/partner-center
  usagebudget webhooks register https://alerts.contoso.com/partner-center --update \\
    --event usagerecords-thresholdExceeded --event invoice-ready --event test-created`,
    options: REGISTRATION_OPTIONS_HELP,
  },
  parse: (words) => ({
    webhookUrl: receiverUrl(words.arguments[0] as string, NAME),
    request: registrationRequest(words, NAME),
  }),
  async run({ webhookUrl, request, settings }, context) {
    const { client } = context.connect();
    printRegistration(await register(client, webhookUrl, request, context, NAME), context, settings.json);
    return ExitCode.ok;
  },
};
