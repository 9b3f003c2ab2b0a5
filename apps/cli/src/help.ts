import {
  type CommandName,
  DEFAULT_BASE_URL,
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_PAGES,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_TOTAL_TIMEOUT_SECONDS,
  MAX_CONCURRENCY,
  MAX_PAGE_SIZE,
} from './arguments.js';

const EXAMPLE_ID = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';

const OPTIONS = `Target (default: the local reference server, ${DEFAULT_BASE_URL}):
  --base-url URL          the API base URL: a proxy, a mock or a test server
  --cloud NAME            a Partner Center cloud: global, usgov or china

Token (the first of these that is set is used; it is never printed):
  --token TOKEN           an access token (other local users can see it in the process list)
  PARTNER_CENTER_TOKEN    an environment variable holding the access token
  --token-command CMD     a shell command that prints the token on stdout, or JSON with
                          "accessToken"; run once, and again if the service rejects the token

Options:
  --json                  print JSON lines on stdout: one object per line (one line for get, set,
                          clear, usage and partner-usage; one per customer for customers and
                          report), and errors as JSON on stderr
  --correlation-id GUID   the MS-CorrelationId to send (default: a new one)
  --locale TAG            the language of the service's error descriptions (default en-US)
  --timeout SECONDS       per attempt, body included, and for --token-command (default ${DEFAULT_TIMEOUT_SECONDS})
  --total-timeout SECONDS each call, retries and waits included (a listing: each page)
                          (default ${DEFAULT_TOTAL_TIMEOUT_SECONDS}, or --timeout when that is longer)
  --retries N             retries of throttled, timed-out and 5xx calls, 0 to 10 (default ${DEFAULT_RETRIES})
  --debug                 log each attempt, and show stack traces of errors
  -h, --help              show help
  --version               show the version

Exit codes: 0 ok, 1 other failure, 2 usage error, 3 not found, 4 authentication or
permission, 5 throttled, 6 apply: some rows failed or were skipped, 7 the service's answer was
refused (a body that breaks the API's spec, or paging that would never end or leads elsewhere),
8 apply: another run of the same file is under way (nothing was sent), 130 interrupted (Ctrl-C).
`;

const COMMAND_HELP: Record<CommandName, { usage: string; summary: string; examples: string; options?: string }> = {
  get: {
    usage: 'usagebudget get <customer-tenant-id> [options]',
    summary: 'Shows the customer\'s usage spending budget, or "no budget" when none is allocated.',
    examples: `  usagebudget get ${EXAMPLE_ID}
  usagebudget get ${EXAMPLE_ID} --json
  usagebudget get ${EXAMPLE_ID} --cloud global \\
    --token-command "az account get-access-token --resource https://api.partnercenter.microsoft.com"`,
  },
  set: {
    usage: 'usagebudget set <customer-tenant-id> <amount> [options]',
    summary:
      "Sets the customer's budget to <amount>, a decimal >= 0 in the customer's billing currency,\n" +
      'written as digits, optionally a dot and decimals (250.50; not 250,50, 1,250.50, .5 or 2.5e2).\n' +
      'The amount is kept exactly.',
    examples: `  usagebudget set ${EXAMPLE_ID} 250.50
  usagebudget set ${EXAMPLE_ID} 0 --correlation-id 9b7e6f3a-2c1d-4e5f-8a9b-0c1d2e3f4a5b`,
  },
  clear: {
    usage: 'usagebudget clear <customer-tenant-id> [options]',
    summary: "Removes the customer's budget (the service stores no amount).",
    examples: `  usagebudget clear ${EXAMPLE_ID}
  usagebudget clear ${EXAMPLE_ID} --json`,
  },
  customers: {
    usage: 'usagebudget customers [--page-size N] [--max-pages N] [options]',
    summary:
      'Lists every customer of the partner: ID, company name, domain and relationship. The pages of\n' +
      'the service are followed one after another; with --json each customer is printed as its page\n' +
      'arrives, one JSON line each.',
    examples: `  usagebudget customers
  usagebudget customers --json | jq -r .customerName
  usagebudget customers --page-size 100 --json > customers.jsonl`,
    options: `  --page-size N           customers per request to the service, 1 to ${MAX_PAGE_SIZE} (default: the service's, ${MAX_PAGE_SIZE})
  --max-pages N           stop with exit code 7 past N pages (default ${DEFAULT_MAX_PAGES}); a listing also
                          stops at a page that leads back to an earlier one, and after 10 empty
                          pages in a row`,
  },
  usage: {
    usage: 'usagebudget usage <customer-tenant-id> [options]',
    summary:
      "Shows the customer's budget next to the estimated cost of its usage in the current billing\n" +
      'period, its currency and the percent of the budget used (100 x cost / budget). The cost is\n' +
      'rounded to cents here; --json gives it exactly, every digit as the service sent it. Needs an\n' +
      'app+user token (an app-only token is refused: exit code 4).',
    examples: `  usagebudget usage ${EXAMPLE_ID}
  usagebudget usage ${EXAMPLE_ID} --json`,
  },
  report: {
    usage: 'usagebudget report [--over PERCENT] [--json | --csv] [options]',
    summary:
      'Lists every customer with usage (from the usage records): budget, cost, currency and percent\n' +
      'used, worst first: over budget (a budget of 0 with any cost first), then trending over it\n' +
      '(80 % or more), then within it, each by the share of the budget used; customers without a\n' +
      'budget last. On a terminal, customers over their budget are red and those at 80 % or more\n' +
      'yellow. --csv writes the columns customerId,customerName,budget,cost,currency,percentUsed\n' +
      '(budget empty when there is none, cost exact), safe to open in a spreadsheet (a cell that\n' +
      'would start a formula gets a leading single quote): a file "usagebudget apply" reads back.\n' +
      'Needs an app+user token.',
    examples: `  usagebudget report
  usagebudget report --over 80
  usagebudget report --csv > budgets.csv`,
    options: `  --over PERCENT          only the customers with a budget who used PERCENT of it or more
                          (80: trending over it, as Partner Center warns; 100: at or over it);
                          a customer with any cost against a budget of 0 is always listed
  --csv                   print CSV instead of a table (not with --json)`,
  },
  'partner-usage': {
    usage: 'usagebudget partner-usage [options]',
    summary:
      "Shows the partner's usage summary: how many customers have usage, how many are over their\n" +
      'budget and how many trending over it (80 % or more), and the estimated cost of the legacy\n' +
      'Azure offers this billing period. Partner Center plans to retire this summary, and its cost\n' +
      'leaves out customers on an Azure plan: "usagebudget report" covers every customer. The cost is\n' +
      'rounded to cents here; --json gives it exactly. Needs an app+user token.',
    examples: `  usagebudget partner-usage
  usagebudget partner-usage --json | jq .customersOverBudget`,
  },
  apply: {
    usage: 'usagebudget apply <file.csv | -> [--dry-run] [--skip-invalid] [--concurrency N] [options]',
    summary:
      'Sets every customer\'s budget to the file\'s, as "usagebudget report --csv" writes it (columns\n' +
      'customerId and budget; others are ignored; an empty budget clears it); "-" reads standard\n' +
      "input. The file is read once, into the run's own copy, and checked whole first: each bad row\n" +
      "(a field count other than the header's, an id that is not a GUID, an amount not written as\n" +
      'digits with an optional dot and decimals) is reported with its line, and nothing is sent\n' +
      'unless --skip-invalid. The current budgets are read (one call for every customer with usage)\n' +
      "and only changes are sent, paced under the service's throttle. One run of a file at a time:\n" +
      'a second one exits 7 at once. A journal next to the file (<file.csv>.journal) records each\n' +
      'update, and the service and partner of the run: after Ctrl-C (the updates in flight finish)\n' +
      'or a crash, the same command continues there, and nothing is applied twice. Every row not\n' +
      'applied goes to <file>.failed.csv, with why; apply reads it.\n' +
      'Exit code 0: every row applied or already as asked; 6: some failed or were skipped; 7: the\n' +
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
};

/** `usagebudget --help`, or a command's `--help`. */
export function helpText(command?: CommandName): string {
  if (command) {
    const { usage, summary, examples, options } = COMMAND_HELP[command];
    const own = options ? `Options of ${command}:\n${options}\n\n` : '';
    return `Usage: ${usage}\n\n${summary}\n\nExamples:\n${examples}\n\n${own}${OPTIONS}`;
  }
  return `usagebudget: read, set and clear a Partner Center customer's usage spending budget, and
see the usage it is measured against.

Usage:
${(Object.keys(COMMAND_HELP) as CommandName[]).map((name) => `  ${COMMAND_HELP[name].usage}`).join('\n')}
  usagebudget <command> --help

Examples:
  export PARTNER_CENTER_TOKEN=...
  usagebudget set ${EXAMPLE_ID} 250.50
  usagebudget get ${EXAMPLE_ID} --cloud global --json
  usagebudget report --over 80

${OPTIONS}`;
}
