import { bulkDefaults } from '@usagebudget/client/bulk';
import { type ApplyArguments, runApply } from '../apply/run.js';
import { CommandLineError } from '../command-line/error.js';
import { numberOption } from '../command-line/values.js';
import type { Command } from './command.js';

/** `apply`: updates sent at once by default, and at most: the client's bulk operation's. */
export const DEFAULT_CONCURRENCY = bulkDefaults.concurrency;
export const MAX_CONCURRENCY = bulkDefaults.maxConcurrency;

/** `apply <file.csv | ->`: every customer's budget set to the file's, exactly once (see `apply/`). */
export const applyCommand: Command<'apply', ApplyArguments> = {
  name: 'apply',
  arguments: ['<file.csv>'],
  options: {
    'dry-run': { type: 'boolean', default: false },
    'skip-invalid': { type: 'boolean', default: false },
    concurrency: { type: 'string' },
  },
  // It keeps a journal: SIGTERM lets the updates in flight finish and be recorded, as Ctrl-C does.
  stopsOnTerminate: true,
  help: {
    synopsis: 'usagebudget apply <file.csv | -> [--dry-run] [--skip-invalid] [--concurrency N] [options]',
    summary:
      'Sets every customer\'s budget to the file\'s, as "usagebudget report --csv" writes it (columns\n' +
      'customerId and budget; others are ignored; an empty budget clears it); "-" reads standard\n' +
      "input. The file is read once, into the run's own copy, and checked whole first: each bad row\n" +
      "(a field count other than the header's, an id that is not a GUID, an amount not written as\n" +
      'digits with an optional dot and decimals) is reported with its line, and nothing is sent\n' +
      'unless --skip-invalid. The current budgets are read (one call for every customer with usage)\n' +
      "and only changes are sent, paced under the service's throttle. One run of a file at a time:\n" +
      'a second one exits 8 at once. A journal next to the file (<file.csv>.journal) records each\n' +
      'update, and the service and partner of the run: after Ctrl-C (the updates in flight finish)\n' +
      'or a crash, the same command continues there, and nothing is applied twice. Every row not\n' +
      'applied goes to <file>.failed.csv, with why; apply reads it.\n' +
      'Exit code 0: every row applied or already as asked; 6: some failed or were skipped; 8: the\n' +
      'file is being applied by another run; 130: interrupted (run it again to continue).',
    examples: `  usagebudget report --csv > budgets.csv    # edit it in a spreadsheet, then:
  usagebudget apply budgets.csv --dry-run
  usagebudget apply budgets.csv
  usagebudget apply budgets.failed.csv      # the rows that failed, again
  usagebudget report --csv | usagebudget apply - --dry-run`,
    options: `  --dry-run               print the plan (customer, current budget, new budget); send no update
  --skip-invalid          apply the valid rows even when others are invalid (those are reported)
  --concurrency N         updates in flight at once, 1 to ${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY}); the pace follows
                          the service's throttle whatever N is
  --json                  one JSON line per row as its result comes, then the summary`,
  },
  parse(words) {
    const concurrency = numberOption(
      words.text('concurrency'),
      DEFAULT_CONCURRENCY,
      (n) => Number.isInteger(n) && n >= 1 && n <= MAX_CONCURRENCY,
    );
    if (concurrency === undefined) {
      throw new CommandLineError(`--concurrency takes a whole number from 1 to ${MAX_CONCURRENCY}`, 'apply');
    }
    return {
      file: words.arguments[0] as string,
      dryRun: words.flag('dry-run'),
      skipInvalid: words.flag('skip-invalid'),
      concurrency,
    };
  },
  // apply shows retries and throttling in its progress instead of a warning per retry.
  run: (call, context) => runApply(context.connect({ retryWarnings: false }), call, context),
};
