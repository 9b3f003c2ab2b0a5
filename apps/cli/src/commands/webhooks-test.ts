import { CommandLineError } from '../command-line/error.js';
import { numberOption } from '../command-line/values.js';
import { ExitCode } from '../exit-codes.js';
import { table } from '../output.js';
import {
  followTestEvent,
  formatTestEventStatus,
  TestEventNotDeliveredError,
  testEventStatusJson,
} from '../webhooks/test-event.js';
import type { Command } from './command.js';

const NAME = 'webhooks test';
const DEFAULT_WAIT_SECONDS = 60;
const MAX_WAIT_SECONDS = 3_600;

/**
 * `webhooks test [--wait]`: sends a test event (`test-created`) to the registered receiver, then
 * shows each delivery attempt; `--wait` follows them until the event is delivered, has failed, or
 * the wait ends. Exit code 0 once delivered (or, without --wait, once sent).
 */
export const webhooksTestCommand: Command<typeof NAME, { waitMs: number | undefined }> = {
  name: NAME,
  arguments: [],
  options: { wait: { type: 'boolean', default: false }, 'wait-timeout': { type: 'string' } },
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
    options: `  --wait                  follow the attempts until the event is delivered or has failed
  --wait-timeout SECONDS  how long --wait follows them (default ${DEFAULT_WAIT_SECONDS}; the service retries
                          for hours: a receiver down for longer than this is not waited for)`,
  },
  parse(words) {
    const timeout = words.text('wait-timeout');
    if (timeout !== undefined && !words.flag('wait')) throw new CommandLineError('--wait-timeout needs --wait', NAME);
    const seconds = numberOption(timeout, DEFAULT_WAIT_SECONDS, (n) => n > 0 && n <= MAX_WAIT_SECONDS);
    if (seconds === undefined) {
      throw new CommandLineError(`--wait-timeout takes seconds, more than 0 and at most ${MAX_WAIT_SECONDS}`, NAME);
    }
    return { waitMs: words.flag('wait') ? Math.ceil(seconds * 1000) : undefined };
  },
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
    const status = await followTestEvent(client, data.correlationId, context, settings.json, waitMs);
    context.write(settings.json ? testEventStatusJson(status) : formatTestEventStatus(status, context.style));
    if (waitMs !== undefined && status.status !== 'completed') throw new TestEventNotDeliveredError(status, waitMs);
    return ExitCode.ok;
  },
};
