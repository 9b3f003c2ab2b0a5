import { isGuid } from '@usagebudget/client';
import { CommandLineError } from '../command-line/error.js';
import { ExitCode } from '../exit-codes.js';
import { printTestEvent, WAIT_OPTIONS, WAIT_OPTIONS_HELP, waitOption } from '../webhooks/test-event.js';
import type { Command } from './command.js';

const NAME = 'webhooks status';

/** `webhooks status <correlation-id>`: an earlier test event's delivery, attempt by attempt. */
export const webhooksStatusCommand: Command<typeof NAME, { correlationId: string; waitMs: number | undefined }> = {
  name: NAME,
  arguments: ['<correlation-id>'],
  options: WAIT_OPTIONS,
  help: {
    synopsis: 'usagebudget webhooks status <correlation-id> [--wait [--wait-timeout SECONDS]] [options]',
    summary:
      'Shows the delivery of a test event "usagebudget webhooks test" sent (its correlation ID), one\n' +
      'line per attempt, then its status (pending, completed, failed). Partner Center keeps it 7 days.\n' +
      '--wait follows the attempts until the event is delivered (exit code 0) or has failed, or the\n' +
      'wait ends with it still pending (exit code 1).',
    examples: `  usagebudget webhooks status 04af2aea-d413-42db-824e-f328001484d1
  usagebudget webhooks status 04af2aea-d413-42db-824e-f328001484d1 --wait --json`,
    options: WAIT_OPTIONS_HELP,
  },
  parse(words) {
    const correlationId = words.arguments[0] as string;
    if (!isGuid(correlationId)) {
      throw new CommandLineError(`invalid correlation ID "${correlationId}": expected a GUID`, NAME);
    }
    return { correlationId, waitMs: waitOption(words, NAME) };
  },
  async run({ correlationId, waitMs, settings }, context) {
    const { client } = context.connect();
    await printTestEvent(client, correlationId, context, settings.json, waitMs);
    return ExitCode.ok;
  },
};
