import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  budgetPath,
  demoPartner,
  freePort,
  jsonHeaders,
  runToEnd,
  type StartedPostgres,
  sendRaw,
  serverBinPath,
  startNodeServer,
  startPostgres,
  startServerProcess,
} from '../../src/testing/index.js';
import { scratchDir, TEST_ENGINE, useDatabases } from '../support/use-server.js';

const scratch = scratchDir();
afterAll(() => scratch.remove());
const databases = useDatabases();

/** This process's environment without any of the bin's variables (the tests set their own). */
const cleanEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('USAGEBUDGET_')));

/** `usagebudget-server ARGS` run to its end (these runs end on their own: bad flags, --help, a database refused). */
const run = (args: string[], env: NodeJS.ProcessEnv = cleanEnv()) =>
  runToEnd(process.execPath, [serverBinPath, ...args], { timeoutMs: 20_000, env });

/** The first line the bin writes to stdout when started with `args`; the server is stopped by its pid. */
async function firstStdoutLine(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const server = await startNodeServer({ name: 'usagebudget-server', script: serverBinPath, args, ...options });
  await server.stop();
  return server.stdout().split('\n')[0];
}

// The flags' checks open no database: the same on both engines, so run once, on SQLite's project.
describe.runIf(TEST_ENGINE === 'sqlite')('the usagebudget-server bin', () => {
  it('prints its usage with --help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--host',
      '--port',
      '--db',
      '--db-pool-size',
      '--config',
      '--rate-limit',
      '--burst',
      '--headers-timeout',
      '--request-timeout',
      '--max-connections',
      '--no-access-log',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it.each([
    [['--port', 'abc'], '--port: invalid value'],
    [['--port', '70000'], '--port: invalid value'],
    [['--burst', '5'], '--burst needs --rate-limit'],
    [['--rate-limit=-1'], '--rate-limit: invalid value'],
    [['--verbose'], "Unknown option '--verbose'"],
    [['--headers-timeout', '0'], '--headers-timeout: invalid value'],
    [['--request-timeout', 'soon'], '--request-timeout: invalid value'],
    [['--headers-timeout', '40'], '--headers-timeout must not exceed --request-timeout'],
    [['--headers-timeout', '5', '--request-timeout', '4'], '--headers-timeout must not exceed --request-timeout'],
    [['--max-connections', '1.5'], '--max-connections: invalid value'],
    [['--db-pool-size', '0', '--db', 'postgres://u@127.0.0.1/d'], '--db-pool-size: invalid value'],
    [['--db-pool-size', '4', '--db', ':memory:'], '--db-pool-size applies to a PostgreSQL --db only'],
  ])('exits 2 with the usage on bad flags %j', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: usagebudget-server');
  });

  it('exits 1 with the reason when the config cannot be used', async () => {
    const missing = await run(['--port', '0', '--db', ':memory:', '--config', join(scratch.dir, 'missing.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('missing.json');
    const invalid = join(scratch.dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ partners: [] }));
    expect((await run(['--port', '0', '--db', ':memory:', '--config', invalid])).stderr).toContain(
      'at least one partner',
    );
  });

  it('names every bad field of the config, each with its path', async () => {
    const invalid = join(scratch.dir, 'several.json');
    const partner = { id: randomUUID(), name: 'P', tokens: ['t'] };
    writeFileSync(
      invalid,
      JSON.stringify({ partners: [{ ...partner, customers: [{ id: randomUUID(), cost: 1.5, currency: 'eur' }] }] }),
    );
    const several = await run(['--port', '0', '--db', ':memory:', '--config', invalid]);
    expect(several.code).toBe(1);
    expect(several.stderr).toContain(`${invalid}: 2 problems:`);
    expect(several.stderr).toContain('  - partners[0].customers[0].cost must be a string');
    expect(several.stderr).toContain('  - partners[0].customers[0].currency must be an ISO 4217 code');
  });

  it.each([
    [{ USAGEBUDGET_PORT: 'abc' }, 'USAGEBUDGET_PORT: invalid value "abc"'],
    [{ USAGEBUDGET_ACCESS_LOG: 'maybe' }, 'USAGEBUDGET_ACCESS_LOG: invalid value "maybe"'],
    [{ USAGEBUDGET_BURST: '5' }, 'USAGEBUDGET_BURST needs --rate-limit (or USAGEBUDGET_RATE_LIMIT)'],
    [{ USAGEBUDGET_DB_POOL_SIZE: '5', USAGEBUDGET_DB: ':memory:' }, 'USAGEBUDGET_DB_POOL_SIZE applies to a PostgreSQL'],
    [{ USAGEBUDGET_PUBLIC_URL: 'http://h/x' }, 'USAGEBUDGET_PUBLIC_URL: "http://h/x" is not a URL'],
  ])('exits 2 naming the variable of a bad value %j', async (variables, message) => {
    const result = await run([], { ...cleanEnv(), ...variables });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`usagebudget-server: ${message}`);
  });

  // SQLite's alone: the data folder is where its file goes.
  it('keeps its database under ./data by default, or under $USAGEBUDGET_DATA_DIR', async () => {
    const dataDir = join(scratch.dir, 'elsewhere');
    const env = { ...process.env, USAGEBUDGET_DATA_DIR: '' };
    await firstStdoutLine(['--port', '0'], { cwd: scratch.dir, env });
    expect(existsSync(join(scratch.dir, 'data', 'usagebudget.sqlite'))).toBe(true);
    await firstStdoutLine(['--port', '0'], { cwd: scratch.dir, env: { ...env, USAGEBUDGET_DATA_DIR: dataDir } });
    expect(existsSync(join(dataDir, 'usagebudget.sqlite'))).toBe(true);
  });
});

describe('the usagebudget-server bin on the test engine', () => {
  it('writes "listening on http://HOST:PORT" as its first stdout line, with the port it bound', async () => {
    const db = await databases.create('listening');
    const line = await firstStdoutLine(['--host', '127.0.0.1', '--port', '0', '--db', db]);
    expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:[1-9]\d*$/);
  });

  it('takes each flag from its USAGEBUDGET_ variable, a flag given on the command line winning over it', async () => {
    const partner = {
      id: randomUUID(),
      name: 'Environment partner',
      tokens: [randomUUID()],
      customers: [randomUUID()],
    };
    const config = join(scratch.dir, 'environment.json');
    writeFileSync(config, JSON.stringify({ partners: [partner] }));
    const db = await databases.create('environment');
    const env = {
      ...cleanEnv(),
      USAGEBUDGET_HOST: '127.0.0.1',
      USAGEBUDGET_PORT: '0',
      USAGEBUDGET_DB: db,
      USAGEBUDGET_CONFIG: config,
      USAGEBUDGET_RATE_LIMIT: '7',
      USAGEBUDGET_BURST: '3',
      USAGEBUDGET_PUBLIC_URL: 'http://sandbox.example:4020',
      USAGEBUDGET_WEBHOOK_ALLOW: 'loopback, receiver.example:8080',
      USAGEBUDGET_ACCESS_LOG: 'false',
      USAGEBUDGET_MAX_CONNECTIONS: '',
      ...(TEST_ENGINE === 'postgres' ? { USAGEBUDGET_DB_POOL_SIZE: '2' } : {}),
    };
    const startLine = async (args: string[]) => {
      const server = await startNodeServer({ name: 'usagebudget-server', script: serverBinPath, args, env });
      try {
        const read = await sendRaw(server.url, {
          path: budgetPath(partner.customers[0] as string),
          headers: jsonHeaders(partner.tokens[0] as string),
        });
        expect(read.status, read.text).toBe(200);
      } finally {
        await server.stop();
      }
      expect(server.output()).not.toContain('"kind":"access"');
      const line = server
        .output()
        .split('\n')
        .find((each) => each.includes('"kind":"start"'));
      return JSON.parse(line ?? '{}') as Record<string, unknown>;
    };
    const fromEnvironment = await startLine([]);
    expect(fromEnvironment).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/),
      partners: [partner.id],
      demo: false,
      throttle: { requestsPerSecond: 7, burst: 3 },
      webhooks: {
        allow: ['loopback', 'receiver.example:8080'],
        root: expect.stringMatching(/^http:\/\/sandbox\.example:4020\//),
      },
    });
    expect(fromEnvironment.db).toBe(db);
    const flagsWin = await startLine(['--rate-limit', '2', '--webhook-allow', 'loopback']);
    expect(flagsWin).toMatchObject({ throttle: { requestsPerSecond: 2, burst: 3 }, webhooks: { allow: ['loopback'] } });
  });

  it('serves the demo partner when started without a config', async () => {
    const server = await startServerProcess({ db: await databases.create('demo'), args: ['--no-access-log'] });
    try {
      const path = budgetPath(demoPartner.customerId);
      const set = await sendRaw(server.url, {
        method: 'PATCH',
        path,
        headers: jsonHeaders(demoPartner.token, { 'MS-RequestId': randomUUID() }),
        body: '{"amount": 100}',
      });
      expect(set.status).toBe(200);
      const read = await sendRaw(server.url, { path, headers: jsonHeaders(demoPartner.token) });
      expect(JSON.parse(read.text)).toMatchObject({ amount: 100 });
      expect(server.output()).not.toContain('"kind":"access"');
    } finally {
      await server.stop();
    }
  });
});

// PostgreSQL's alone: a URL's password, and a database server that refuses or is not there.
describe.runIf(TEST_ENGINE === 'postgres')('the usagebudget-server bin on a PostgreSQL URL', () => {
  const password = `pw-${randomUUID()}`;
  let postgres: StartedPostgres;
  beforeAll(async () => {
    postgres = await startPostgres({ settings: { fsync: 'off' }, password });
  });
  afterAll(() => postgres?.stop());
  const withPassword = (url: string, secret: string) => {
    const parsed = new URL(url);
    parsed.password = secret;
    return parsed.toString();
  };
  /** The one line a refused start writes, checked to name the server and to hold no password. */
  const refusal = async (url: string) => {
    const result = await run(['--port', '0', '--db', url]);
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(result.stderr + result.stdout).not.toContain(new URL(url).password);
    expect(result.stderr + result.stdout).not.toContain(password);
    return lines[0];
  };

  it('shows the URL without its password when it starts', async () => {
    const db = await postgres.createDatabase('masked');
    expect(db).toContain(password);
    const server = await startServerProcess({ db, args: ['--no-access-log'] });
    await server.stop();
    expect(server.output()).toContain(`"db":"${withPassword(db, '***')}"`);
    expect(server.output()).not.toContain(password);
  });

  it('takes the password from PGPASSWORD when the URL has none (a secret kept apart from the URL)', async () => {
    const db = withPassword(await postgres.createDatabase('apart'), '');
    expect(db).not.toContain(password);
    const env = { ...cleanEnv(), PGPASSWORD: password };
    const server = await startServerProcess({ db, args: ['--no-access-log'], env });
    await server.stop();
    expect(server.output()).toContain(`"db":"${db}"`);
    const without = await run(['--port', '0', '--db', db]);
    expect(without.code).toBe(1);
    expect(without.stderr).toBe(
      `usagebudget-server: PostgreSQL at 127.0.0.1:${postgres.port}/apart as usagebudget: the server asks for a password, and neither the URL nor PGPASSWORD gives one\n`,
    );
  });

  it('exits 1 with one line naming the server, never the password, on a wrong password', async () => {
    const wrong = withPassword(postgres.url, `wrong-${randomUUID()}`);
    expect(await refusal(wrong)).toBe(
      `usagebudget-server: PostgreSQL at 127.0.0.1:${postgres.port}/postgres as usagebudget: password authentication failed for user "usagebudget"`,
    );
  });

  it('exits 1 with one line naming the server when nothing listens there', async () => {
    const port = await freePort();
    expect(await refusal(`postgres://usagebudget:${password}@127.0.0.1:${port}/sandbox`)).toBe(
      `usagebudget-server: PostgreSQL at 127.0.0.1:${port}/sandbox as usagebudget: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('exits 1 naming a database that does not exist', async () => {
    expect(await refusal(withPassword(`${postgres.url.replace(/\/postgres$/, '/missing')}`, password))).toBe(
      `usagebudget-server: PostgreSQL at 127.0.0.1:${postgres.port}/missing as usagebudget: database "missing" does not exist`,
    );
  });
});
