import { ExitCode } from '../exit-codes.js';
import { jsonLine, terminalText } from '../terminal-text.js';
import type { Command } from './command.js';

const NAME = 'webhooks events';

/** `webhooks events`: the events the partner can register for, one a line, as the service lists them. */
export const webhooksEventsCommand: Command<typeof NAME, object> = {
  name: NAME,
  arguments: [],
  help: {
    synopsis: 'usagebudget webhooks events [options]',
    summary:
      'Lists the events the partner can register for (GET /webhooks/v1/registration/events), one a\n' +
      'line: the names "usagebudget webhooks register --event" takes.',
    examples: `  usagebudget webhooks events
  usagebudget webhooks events --json`,
  },
  parse: () => ({}),
  async run({ settings }, context) {
    const { client } = context.connect();
    const events = await client.listWebhookEvents(context.callOptions);
    // The service's names: escaped for a terminal, exact in JSON.
    const line = settings.json
      ? (name: string) => jsonLine({ eventName: name })
      : (name: string) => `${terminalText(name)}\n`;
    context.write(events.map(line).join(''));
    return ExitCode.ok;
  },
};
