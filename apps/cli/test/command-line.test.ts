import { DEFAULT_BASE_URL as SERVER_DEFAULT_BASE_URL } from '@usagebudget/server';
import { describe, expect, it } from 'vitest';
import { ApplyBusyError } from '../src/apply/lock.js';
import { CommandLineError } from '../src/command-line/error.js';
import { helpText } from '../src/command-line/help.js';
import { parseCommandLine } from '../src/command-line/parse.js';
import { DEFAULT_BASE_URL } from '../src/command-line/settings.js';
import { exitCodeFor } from '../src/exit-codes.js';

const ID = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';

describe('parseCommandLine', () => {
  it("targets the reference server's default address unless told otherwise", () => {
    // The CLI does not import the server at run time; this keeps the two addresses the same.
    expect(DEFAULT_BASE_URL).toBe(SERVER_DEFAULT_BASE_URL);
    expect(parseCommandLine(['get', ID])).toMatchObject({
      settings: { endpoint: { baseURL: SERVER_DEFAULT_BASE_URL } },
    });
  });

  it('reads a set with every option, in any order', () => {
    const invocation = parseCommandLine([
      '--json',
      'set',
      '--cloud',
      'usgov',
      ID,
      '--timeout',
      '2.5',
      '250.50',
      '--retries',
      '0',
      '--correlation-id',
      'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
      '--locale',
      'fr-FR',
      '--debug',
    ]);
    expect(invocation).toEqual({
      kind: 'call',
      command: 'set',
      customerTenantId: ID,
      amount: 250.5,
      settings: {
        endpoint: { cloud: 'usgov' },
        token: undefined,
        tokenCommand: undefined,
        json: true,
        correlationId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
        locale: 'fr-FR',
        timeoutMs: 2500,
        totalTimeoutMs: 120_000,
        retries: 0,
        debug: true,
      },
    });
  });

  it('has defaults of 60 s, 120 s in all and 3 retries', () => {
    expect(parseCommandLine(['clear', ID])).toMatchObject({
      settings: { timeoutMs: 60_000, totalTimeoutMs: 120_000, retries: 3, json: false },
    });
  });

  it('bounds the whole command by --total-timeout, or by a --timeout longer than its default', () => {
    expect(parseCommandLine(['get', ID, '--total-timeout', '1.5'])).toMatchObject({
      settings: { timeoutMs: 60_000, totalTimeoutMs: 1_500 },
    });
    expect(parseCommandLine(['get', ID, '--timeout', '300'])).toMatchObject({
      settings: { timeoutMs: 300_000, totalTimeoutMs: 300_000 },
    });
  });

  it('answers --help for the program and for each command, and --version', () => {
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help', command: undefined });
    expect(parseCommandLine(['set', '-h'])).toEqual({ kind: 'help', command: 'set' });
    expect(parseCommandLine(['help', 'clear'])).toEqual({ kind: 'help', command: 'clear' });
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
  });

  it.each([
    [[], /no command given/],
    [['frob', ID], /unknown command "frob"/],
    [['get'], /missing <customer-tenant-id>/],
    [['set', ID], /missing <amount>$/],
    [['get', ID, 'extra'], /unexpected argument "extra"/],
    [['get', 'not-a-guid'], /invalid customer tenant ID "not-a-guid"/],
    [['set', ID, '-1'], /invalid amount "-1": a budget cannot be negative/],
    [['get', ID, '--frob'], /Unknown option '--frob'/],
    [['get', ID, '--base-url', 'http://a', '--cloud', 'global'], /--base-url and --cloud/],
    [['get', ID, '--cloud', 'mars'], /--cloud must be one of global, usgov, china/],
    [['get', ID, '--base-url', 'ftp://example.com'], /--base-url must be http or https/],
    [['get', ID, '--base-url', 'nowhere'], /--base-url is not a URL/],
    [['get', ID, '--token='], /--token is empty/],
    [['get', ID, '--token-command', ' '], /--token-command is empty/],
    [['get', ID, '--correlation-id', '42'], /--correlation-id must be a GUID/],
    [['get', ID, '--timeout', '0'], /--timeout takes seconds/],
    [['get', ID, '--timeout', '-1'], /--timeout takes seconds/],
    [['get', ID, '--timeout', 'soon'], /--timeout takes seconds/],
    [['get', ID, '--total-timeout', '0'], /--total-timeout takes seconds/],
    [['get', ID, '--total-timeout', 'later'], /--total-timeout takes seconds/],
    [['get', ID, '--retries', '1.5'], /--retries takes a whole number from 0 to 10/],
    [['get', ID, '--retries', '11'], /--retries takes a whole number/],
    [['usage'], /missing <customer-tenant-id>/],
    [['usage', 'contoso'], /invalid customer tenant ID "contoso"/],
    [['customers', ID], /unexpected argument/],
    [['report', 'now'], /unexpected argument "now"/],
    [['customers', '--page-size', '0'], /--page-size takes a whole number from 1 to 500/],
    [['customers', '--page-size', '501'], /--page-size takes a whole number from 1 to 500/],
    [['customers', '--page-size', '2.5'], /--page-size takes a whole number/],
    [['customers', '--max-pages', '0'], /--max-pages takes a whole number from 1 to 1000000/],
    [['customers', '--max-pages', 'many'], /--max-pages takes a whole number/],
    [['report', '--max-pages', '5'], /--max-pages is an option of "usagebudget customers"/],
    [['report', '--over', '-5'], /--over takes a percentage/],
    [['report', '--over', '80%'], /--over takes a percentage of the budget such as 80 or 100 \(got "80%"\)/],
    [['report', '--over', '1e2'], /--over takes a percentage/],
    [['report', '--over', ''], /--over takes a percentage/],
    [['report', '--csv', '--json'], /--csv and --json both name the output/],
    [['get', ID, '--over', '80'], /--over is an option of "usagebudget report"/],
    [['usage', ID, '--csv'], /--csv is an option of "usagebudget report"/],
    [['report', '--page-size', '10'], /--page-size is an option of "usagebudget customers"/],
    [['partner-usage', ID], /unexpected argument "[0-9a-f-]+"/],
    [['partner-usage', '--over', '80'], /--over is an option of "usagebudget report"/],
    [['partner-usage', '--csv'], /--csv is an option of "usagebudget report"/],
    [['apply'], /missing <file.csv>/],
    [['apply', 'a.csv', 'b.csv'], /unexpected argument "b.csv"/],
    [['apply', 'a.csv', '--concurrency', '0'], /--concurrency takes a whole number from 1 to 64/],
    [['apply', 'a.csv', '--concurrency', '65'], /--concurrency takes a whole number from 1 to 64/],
    [['apply', 'a.csv', '--concurrency', '2.5'], /--concurrency takes a whole number/],
    [['report', '--dry-run'], /--dry-run is an option of "usagebudget apply"/],
    [['set', ID, '1', '--skip-invalid'], /--skip-invalid is an option of "usagebudget apply"/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(CommandLineError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });

  it('reads apply with its own options', () => {
    expect(parseCommandLine(['apply', 'budgets.csv'])).toMatchObject({
      command: 'apply',
      file: 'budgets.csv',
      dryRun: false,
      skipInvalid: false,
      concurrency: 16,
    });
    expect(
      parseCommandLine(['apply', '--dry-run', 'budgets.csv', '--skip-invalid', '--concurrency', '4', '--json']),
    ).toMatchObject({ file: 'budgets.csv', dryRun: true, skipInvalid: true, concurrency: 4, settings: { json: true } });
  });

  it('reads customers, usage, report and partner-usage with their own options', () => {
    expect(parseCommandLine(['customers'])).toMatchObject({ kind: 'call', command: 'customers' });
    expect(parseCommandLine(['customers'])).not.toHaveProperty('pageSize');
    expect(parseCommandLine(['customers', '--page-size', '50', '--json'])).toMatchObject({
      command: 'customers',
      pageSize: 50,
      settings: { json: true },
    });
    expect(parseCommandLine(['customers'])).not.toHaveProperty('maxPages');
    expect(parseCommandLine(['customers', '--max-pages', '20000'])).toMatchObject({ maxPages: 20_000 });
    expect(parseCommandLine(['usage', ID])).toMatchObject({ command: 'usage', customerTenantId: ID });
    expect(parseCommandLine(['report'])).toMatchObject({ command: 'report', format: 'table' });
    expect(parseCommandLine(['report'])).not.toHaveProperty('overPercent');
    expect(parseCommandLine(['report', '--over', '92.5', '--csv'])).toMatchObject({
      command: 'report',
      overPercent: 92.5,
      format: 'csv',
    });
    expect(parseCommandLine(['report', '--json', '--over', '0'])).toMatchObject({ format: 'json', overPercent: 0 });
    expect(parseCommandLine(['help', 'report'])).toEqual({ kind: 'help', command: 'report' });
    expect(parseCommandLine(['partner-usage', '--json'])).toMatchObject({
      kind: 'call',
      command: 'partner-usage',
      settings: { json: true },
    });
    expect(parseCommandLine(['partner-usage', '--help'])).toEqual({ kind: 'help', command: 'partner-usage' });
  });

  it('names the command in its usage errors, for the help hint', () => {
    expect(() => parseCommandLine(['set', ID, 'abc'])).toThrow(expect.objectContaining({ command: 'set' }));
  });
});

describe('helpText', () => {
  it("gives apply's exit codes as exitCodeFor does: 8 for a file another run holds", () => {
    const help = helpText('apply');
    expect(help).toContain('a second one exits 8 at once');
    expect(help).toContain('8: the\nfile is being applied by another run');
    expect(exitCodeFor(new ApplyBusyError('a.csv', 'a.csv.lock', { pid: 1, startTime: null, host: 'h' }))).toBe(8);
  });
});
