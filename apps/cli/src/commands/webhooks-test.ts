import { ExitCode } from '../exit-codes.js';
import { table } from '../output.js';
import { printTestEvent, WAIT_OPTIONS, WAIT_OPTIONS_HELP, waitOption } from '../webhooks/test-event.js';
import type { Command } from './command.js';

const NAME = 'webhooks test';

/**
 * `webhooks test [--wait]`: sends a test event (`test-created`) to the registered receiver, then
 * shows each delivery attempt; `--wait` follows them until the event is delivered, has failed, or
 * the wait ends. Exit code 0 once delivered (or, without --wait, once sent).
 */
export const webhooksTestCommand: Command<typeof NAME, { waitMs: number | undefined }> = {
  name: NAME,
  arguments: [],
  options: WAIT_OPTIONS,
  help: {
    synopsis: 'usagebudget webhooks test [--wait [--wait-timeout SECONDS]] [options]',
    summary:
      'Sends a test event (test-created) to the registered receiver, then shows each delivery attempt:\n' +
      'what the receiver answered, or why no answer came. The registration must list test-created;\n' +
      'Partner Center allows 2 test events a minute. --wait follows the attempts until the event is\n' +
      'delivered (exit code 0) or has failed, or the wait ends with it still pending (exit code 1).',
    examples: `  usagebudget webhooks test
  usagebudget webhooks test --wait
  usagebudget webhooks test --wait --wait-timeout 300 --json`,
    options: WAIT_OPTIONS_HELP,
  },
  parse: (words) => ({ waitMs: waitOption(words, NAME) }),
  async run({ waitMs, settings }, context) {
    const { client } = context.connect();
    const { data, response } = await client.sendWebhookTestEvent(context.callOptions).withResponse();
    if (!settings.json) {
      context.write(
        table(
          [
            ['Test event', data.correlationId],
            ['Request ID', response.requestId],
          ],
          context.style,
        ),
      );
    }
    await printTestEvent(client, data.correlationId, context, settings.json, waitMs);
    return ExitCode.ok;
  },
};
