import { ExitCode } from '../exit-codes.js';
import { printRegistration } from '../webhooks/registration.js';
import type { Command } from './command.js';

const NAME = 'webhooks show';

/** `webhooks show`: the partner's registration; exit code 3 when there is none. */
export const webhooksShowCommand: Command<typeof NAME, object> = {
  name: NAME,
  arguments: [],
  help: {
    synopsis: 'usagebudget webhooks show [options]',
    summary:
      "Shows the partner's webhook registration: the URL its events go to, the events, and the header\n" +
      'that carries their signature. Exit code 3 when the partner has none ("usagebudget webhooks\n' +
      'register" makes one).',
    examples: `  usagebudget webhooks show
  usagebudget webhooks show --json | jq -r .webhookUrl`,
  },
  parse: () => ({}),
  async run({ settings }, context) {
    const { client } = context.connect();
    const { data, response } = await client.getWebhookRegistration(context.callOptions).withResponse();
    const { requestId, correlationId } = response;
    printRegistration({ command: NAME, registration: data, requestId, correlationId }, context, settings.json);
    return ExitCode.ok;
  },
};
