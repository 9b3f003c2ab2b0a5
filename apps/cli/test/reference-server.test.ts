import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConfig, demoPartner, freePort, type ServerProcess, startServerProcess } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRequestCounter } from './support/request-counter.js';
import { usagebudget, usagebudgetOnTerminal } from './support/run.js';

// A test oracle, kept apart from the rule the CLI checks input with: ids the service made are lower case.
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const [first, second] = demoPartner.customers;
const TOKEN = demoPartner.token;
const WRONG_TOKEN = 'not-the-partner-token-5e0c1f';
// A customer of another partner: the demo partner gets 403 for it.
const FOREIGN = 'd7e8f9a0-b1c2-4d3e-8f4a-5b6c7d8e9f01';

let server: ServerProcess;
let base: string[];
const auth = { PARTNER_CENTER_TOKEN: TOKEN };

beforeAll(async () => {
  server = await startServerProcess({
    config: {
      partners: [
        ...demoConfig.partners,
        {
          id: 'f0e1d2c3-b4a5-4968-8776-655443322110',
          name: 'Fabrikam',
          tokens: ['fabrikam-token'],
          customers: [FOREIGN],
        },
      ],
    },
  });
  base = ['--base-url', server.url];
});

afterAll(() => server?.stop());

function summary(customer: string, budget: string): RegExp {
  return new RegExp(
    `^Customer    ${customer}\nBudget      ${budget.replace('.', '\\.')}\nRequest ID  [0-9a-f-]{36}\n$`,
  );
}

describe('usagebudget against the reference server', () => {
  it('gets, sets, gets, clears and gets, printing an aligned summary', async () => {
    const steps: Array<[string[], string]> = [
      [['get', first], 'no budget'],
      [['set', first, '250.50'], '250.50'],
      [['get', first], '250.50'],
      [['clear', first], 'no budget'],
      [['get', first], 'no budget'],
    ];
    for (const [args, budget] of steps) {
      const run = await usagebudget([...args, ...base], auth);
      expect(run, args.join(' ')).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(summary(first, budget));
    }
  });

  it('prints one stable JSON object with --json, echoing --correlation-id', async () => {
    const correlationId = '6a1f0b2c-3d4e-4f5a-9b6c-7d8e9f0a1b2c';
    const set = await usagebudget(
      ['set', second, '1234567.89', '--json', '--correlation-id', correlationId, ...base],
      auth,
    );
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({
      command: 'set',
      customerTenantId: second,
      amount: 1234567.89,
      requestId: expect.stringMatching(GUID),
      correlationId,
    });
    const got = JSON.parse((await usagebudget(['get', second, '--json', ...base], auth)).stdout);
    expect(got).toMatchObject({ command: 'get', amount: 1234567.89, correlationId: expect.stringMatching(GUID) });
    const cleared = JSON.parse((await usagebudget(['clear', second, '--json', ...base], auth)).stdout);
    expect(cleared).toMatchObject({ command: 'clear', amount: null });
    expect(set.stdout.split('\n')).toHaveLength(2); // one line, then the newline
  });

  it('keeps a decimal exactly as typed', async () => {
    await usagebudget(['set', second, '0.10', ...base], auth);
    expect((await usagebudget(['get', second, ...base], auth)).stdout).toMatch(summary(second, '0.10'));
    await usagebudget(['set', second, '98765.4321', ...base], auth);
    expect((await usagebudget(['get', second, ...base], auth)).stdout).toMatch(summary(second, '98765.4321'));
  });

  it('exits 3 for an unknown customer, with code, description and request ID on stderr', async () => {
    const run = await usagebudget(['get', 'a0a0a0a0-b1b1-4c2c-8d3d-e4e4e4e4e4e4', ...base], auth);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^usagebudget: not found \(HTTP 404\)\n/);
    expect(run.stderr).toMatch(/^ {2}Code {12}60003$/m);
    expect(run.stderr).toMatch(/^ {2}Description {5}Tenant not found$/m);
    expect(run.stderr).toMatch(/^ {2}Request ID {6}[0-9a-f-]{36}$/m);
    expect(run.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace without --debug
  });

  it("exits 4 for another partner's customer (403) and for a wrong token (401)", async () => {
    const forbidden = await usagebudget(['set', FOREIGN, '5', ...base], auth);
    expect(forbidden.code).toBe(4);
    expect(forbidden.stderr).toMatch(/permission denied \(HTTP 403\)[\s\S]*Code {12}20002/);
    const unauthenticated = await usagebudget(['get', first, '--token', WRONG_TOKEN, ...base]);
    expect(unauthenticated.code).toBe(4);
    expect(unauthenticated.stderr).toMatch(/authentication failed \(HTTP 401\)[\s\S]*Code {12}800001/);
  });

  it('exits 5 when throttled, and 1 when nothing listens', async () => {
    // One request per 100 s: the second is throttled, whatever the machine's speed.
    const throttled = await startServerProcess({ args: ['--rate-limit', '0.01', '--burst', '1'] });
    try {
      const url = ['--base-url', throttled.url];
      expect((await usagebudget(['get', first, ...url], auth)).code).toBe(0);
      const run = await usagebudget(['get', first, '--json', ...url], auth);
      expect(run.code).toBe(5);
      expect(JSON.parse(run.stderr)).toMatchObject({ error: { type: 'RateLimitError', status: 429 }, exitCode: 5 });
    } finally {
      await throttled.stop();
    }
    const closed = await usagebudget(
      ['get', first, '--retries', '0', '--base-url', `http://127.0.0.1:${await freePort()}`],
      auth,
    );
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/could not connect to http:\/\/127\.0\.0\.1:\d+\n[\s\S]*Code {12}ECONNREFUSED/);
  });

  it('shows --help with examples for every command, and --version', async () => {
    for (const command of ['get', 'set', 'clear']) {
      const run = await usagebudget([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: usagebudget ${command} <customer-tenant-id>`);
      expect(run.stdout).toMatch(new RegExp(`Examples:\\n {2}usagebudget ${command} ${first}`));
      expect(run.stdout).toContain('Exit codes: 0 ok, 1 other failure, 2 usage error, 3 not found');
    }
    for (const command of ['customers', 'usage', 'report', 'partner-usage']) {
      const run = await usagebudget([command, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: usagebudget ${command} `);
      expect(run.stdout).toMatch(new RegExp(`Examples:\\n {2}usagebudget ${command}\\b`));
      expect((await usagebudget(['--help'])).stdout).toContain(`\n  usagebudget ${command} `);
    }
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(await usagebudget(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('colours its output on a terminal only, and never with NO_COLOR', async () => {
    // script(1) gives the CLI a pseudo-terminal.
    const onTty = (env: NodeJS.ProcessEnv) =>
      usagebudgetOnTerminal(['get', first, '--base-url', server.url], { ...auth, ...env });
    expect((await onTty({ TERM: 'xterm' })).stdout).toContain('\u001b[');
    expect((await onTty({ TERM: 'xterm', NO_COLOR: '1' })).stdout).not.toContain('\u001b[');
    expect((await usagebudget(['get', first, ...base], auth)).stdout).not.toContain('\u001b[');
  });
});

describe('input the CLI rejects before sending anything', () => {
  let counter: Awaited<ReturnType<typeof startRequestCounter>>;
  let dir: string;
  beforeAll(async () => {
    counter = await startRequestCounter();
    dir = mkdtempSync(join(tmpdir(), 'usagebudget-cli-test-'));
  });
  afterAll(async () => {
    await counter?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(
    [
      ['get', 'not-a-guid'],
      ['get', '0c39d6d5-c70d-4c55-bc02-f620844f3fd'],
      ['set', first, 'abc'],
      ['set', first, ''],
      ['set', first, '-1'],
      ['set', first, '1e3'],
      ['set', first, 'Infinity'],
      ['set', first, '250,50'],
      ['set', first, '12345678901234567.5'],
      ['set', first],
      ['clear', first, 'extra'],
      ['get', first, '--timeout', '0'],
      ['get', first, '--retries', '-1'],
      ['get', first, '--correlation-id', 'nope'],
      ['get', first, '--locale', 'not a locale'],
      ['frob', first],
    ].map((args) => [args.join(' '), args] as const),
  )('usagebudget %s exits 2', async (_, args) => {
    // The token command would leave a file behind if it ran.
    const marker = join(dir, 'token-command-ran');
    const run = await usagebudget([...args, '--base-url', counter.url, '--token-command', `touch ${marker}`]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^usagebudget: /);
    expect(counter.count()).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });

  it('exits 2 when no token is given at all', async () => {
    const run = await usagebudget(['get', first, '--base-url', counter.url]);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain(
      'no token: pass --token, set PARTNER_CENTER_TOKEN, pass --token-command "<command>", or sign in with --auth',
    );
    expect(counter.count()).toBe(0);
  });
});

describe('tokens', () => {
  it('takes --token first, then PARTNER_CENTER_TOKEN, then --token-command', async () => {
    const wrongEnv = { PARTNER_CENTER_TOKEN: WRONG_TOKEN };
    expect((await usagebudget(['get', first, '--token', TOKEN, ...base], wrongEnv)).code).toBe(0);
    // The command would fail; the variable wins, so it never runs.
    expect((await usagebudget(['get', first, '--token-command', 'false', ...base], auth)).code).toBe(0);
    expect((await usagebudget(['get', first, '--token-command', `printf ${TOKEN}`, ...base])).code).toBe(0);
  });

  it('reads accessToken from a token command that prints JSON', async () => {
    const command = `echo '{"accessToken": "${TOKEN}", "expiresOn": "2030-01-01"}'`;
    expect((await usagebudget(['get', first, '--token-command', command, ...base])).code).toBe(0);
  });

  it('runs the token command again for a fresh token after a 401', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'usagebudget-cli-test-'));
    try {
      // The first run prints a stale token, later runs the valid one.
      const seen = join(dir, 'seen');
      const command = `if [ -e ${seen} ]; then printf ${TOKEN}; else touch ${seen}; printf ${WRONG_TOKEN}; fi`;
      const run = await usagebudget(['get', first, '--token-command', command, ...base]);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('got 401, retrying once with a fresh token');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['exit 7', '--token-command exited with code 7'],
    ['no-such-token-tool', '--token-command exited with code 127 (command not found)'],
    ['true', '--token-command printed nothing on stdout'],
    ['echo "two words"', '--token-command printed more than a token'],
    ['echo \'{"token": 1}\'', '--token-command printed no JSON object with a string "accessToken"'],
    ['sleep 30', '--token-command did not finish within 0.5 s'],
  ])('exits 4 when the token command is "%s"', async (command, message) => {
    const run = await usagebudget(['get', first, '--token-command', command, '--timeout', '0.5', ...base]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`usagebudget: ${message}`);
    expect(run.stderr).not.toContain('Request ID'); // nothing was sent
  });

  it('never prints the token, on success, on errors, or with --debug', async () => {
    const runs = await Promise.all([
      usagebudget(['set', first, '12.5', '--debug', ...base], auth),
      usagebudget(['get', first, '--debug', '--json', ...base], auth),
      usagebudget(['get', FOREIGN, '--debug', ...base], auth),
      usagebudget(['get', 'a0a0a0a0-b1b1-4c2c-8d3d-e4e4e4e4e4e4', '--debug', '--json', ...base], auth),
      usagebudget(['get', first, '--debug', '--token', WRONG_TOKEN, ...base]),
      usagebudget(['get', first, '--debug', ...base], { PARTNER_CENTER_TOKEN: WRONG_TOKEN }),
      usagebudget(['get', first, '--debug', '--token-command', `printf ${WRONG_TOKEN}`, ...base]),
      usagebudget(['get', first, '--debug', '--token-command', `printf ${WRONG_TOKEN}; exit 3`, ...base]),
      usagebudget(['get', first, '--debug', '--retries', '1', '--token', TOKEN, '--base-url', 'http://127.0.0.1:1']),
      usagebudget(['set', first, 'abc', '--debug', '--token', TOKEN, ...base]),
    ]);
    expect(runs.map((run) => run.code)).toEqual([0, 0, 4, 3, 4, 4, 4, 4, 1, 2]);
    // --debug did show something: attempts, and stack traces of errors.
    expect(runs[0]?.stderr).toMatch(/attempt 1/);
    expect(runs[2]?.stderr).toMatch(/PermissionDeniedError: 403[\s\S]*\n {4}at /);
    for (const run of runs) {
      expect(run.stdout + run.stderr).not.toContain(TOKEN);
      expect(run.stdout + run.stderr).not.toContain(WRONG_TOKEN);
    }
  });
});
