import { COMMANDS, type CommandName, commandNamed, groupCommands } from '../commands/registry.js';
import {
  DEFAULT_BASE_URL,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_SECONDS,
  DEFAULT_TOTAL_TIMEOUT_SECONDS,
} from './settings.js';
import { EXAMPLE_CUSTOMER_ID as EXAMPLE_ID } from './values.js';

/** The options every command takes (a command's own come before them in its help). */
const OPTIONS = `Target (default: the local reference server, ${DEFAULT_BASE_URL}):
  --base-url URL          the API base URL: a proxy, a mock or a test server
  --cloud NAME            a Partner Center cloud: global, usgov or china

Token (the first of these that is set is used; it is never printed):
  --token TOKEN           an access token (other local users can see it in the process list)
  PARTNER_CENTER_TOKEN    an environment variable holding the access token
  --token-command CMD     a shell command that prints the token on stdout, or JSON with
                          "accessToken"; run once, and again if the service rejects the token

Sign-in with @azure/identity (instead of the above; --auth wins over PARTNER_CENTER_TOKEN):
  --auth azure-cli        the Azure CLI's signed-in user (az login); --tenant TENANT optional
  --auth device-code      a user signs in with a code in a browser (the prompt is on stderr),
                          kept between runs while the refresh token lives (USAGEBUDGET_TOKEN_CACHE)
    --tenant TENANT       the partner's tenant ID or domain (or AZURE_TENANT_ID)
    --client-id ID        the app registered for Partner Center (or AZURE_CLIENT_ID)
  --auth environment      an app's own token (app-only): AZURE_TENANT_ID, AZURE_CLIENT_ID and
                          AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH
  AZURE_AUTHORITY_HOST    the authority (default: the --cloud's, else login.microsoftonline.com)
  usagebudget whoami      whom the token names; usagebudget sign-out forgets a device-code sign-in

Network:
  --proxy URL             the proxy of every request, http://[user:pass@]host:port (default:
                          HTTPS_PROXY or HTTP_PROXY, except the hosts of NO_PROXY); never printed

Options:
  --json                  print JSON lines on stdout: one object per line (one line for get, set,
                          clear, usage, partner-usage, webhooks register and show, whoami and
                          sign-out; one per customer for customers and report, per event name
                          for webhooks events, per attempt for webhooks test, per delivery for
                          listen), and errors as JSON on stderr
  --correlation-id GUID   the MS-CorrelationId to send (default: a new one)
  --locale TAG            the language of the service's error descriptions (default en-US)
  --timeout SECONDS       per attempt, body included, and for --token-command (default ${DEFAULT_TIMEOUT_SECONDS})
  --total-timeout SECONDS each call, retries and waits included (a listing: each page)
                          (default ${DEFAULT_TOTAL_TIMEOUT_SECONDS}, or --timeout when that is longer)
  --retries N             retries of throttled, timed-out and 5xx calls, 0 to 10 (default ${DEFAULT_RETRIES})
  --debug                 log each attempt, and show stack traces of errors (or set
                          USAGEBUDGET_LOG=error|warning|info|debug for the client's log lines)
  -h, --help              show help
  --version               show the version

Exit codes: 0 ok, 1 other failure, 2 usage error, 3 not found, 4 authentication or
permission, 5 throttled, 6 apply: some rows failed or were skipped, 7 the service's answer was
refused (a body that breaks the API's spec, or paging that would never end or leads elsewhere),
8 apply: another run of the same file is under way (nothing was sent), 130 interrupted (Ctrl-C).
`;

/** `usagebudget --help`, a command's `--help`, or a group's (`usagebudget webhooks --help`): its commands. */
export function helpText(command?: CommandName, group?: string): string {
  if (group !== undefined) {
    const commands = groupCommands(group).map((name) => commandNamed(name).help);
    const list = commands.map(({ synopsis, summary }) => `  ${synopsis}\n${indent(firstSentence(summary))}`);
    return `Usage:\n${list.join('\n')}\n  usagebudget ${group} <command> --help\n`;
  }
  if (command) {
    const { synopsis, summary, examples, options } = commandNamed(command).help;
    const own = options ? `Options of ${command}:\n${options}\n\n` : '';
    return `Usage: ${synopsis}\n\n${summary}\n\nExamples:\n${examples}\n\n${own}${OPTIONS}`;
  }
  return `usagebudget: read, set and clear a Partner Center customer's usage spending budget, see the
usage it is measured against, and receive its budget alerts (webhooks, verified).

Usage:
${COMMANDS.map(({ help }) => `  ${help.synopsis}`).join('\n')}
  usagebudget <command> --help

Examples:
  export PARTNER_CENTER_TOKEN=...
  usagebudget set ${EXAMPLE_ID} 250.50
  usagebudget get ${EXAMPLE_ID} --cloud global --json
  usagebudget report --over 80
  usagebudget report --auth device-code --tenant contoso.onmicrosoft.com --client-id <app id>
  usagebudget listen --register

${OPTIONS}`;
}

const indent = (text: string) => `${text.replace(/^/gm, '      ')}\n`;
/** A summary's first sentence, for a group's list. */
const firstSentence = (summary: string) => summary.split(/(?<=\.)\s/)[0] ?? summary;
