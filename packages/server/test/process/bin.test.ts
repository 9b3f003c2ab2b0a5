import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  budgetPath,
  demoPartner,
  jsonHeaders,
  runToEnd,
  sendRaw,
  serverBinPath,
  startNodeServer,
  startServerProcess,
} from '../../src/testing/index.js';
import { scratchDir } from '../support/use-server.js';

const scratch = scratchDir();
afterAll(() => scratch.remove());

/** `usagebudget-server ARGS` run to its end (these runs end on their own: bad flags, --help). */
const run = (args: string[]) => runToEnd(process.execPath, [serverBinPath, ...args], { timeoutMs: 20_000 });

/** The first line the bin writes to stdout when started with `args`; the server is stopped by its pid. */
async function firstStdoutLine(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const server = await startNodeServer({ name: 'usagebudget-server', script: serverBinPath, args, ...options });
  await server.stop();
  return server.stdout().split('\n')[0];
}

describe('the usagebudget-server bin', () => {
  it('prints its usage with --help and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--host',
      '--port',
      '--db',
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

  it('writes "listening on http://HOST:PORT" as its first stdout line, with the port it bound', async () => {
    const line = await firstStdoutLine(['--host', '127.0.0.1', '--port', '0', '--db', ':memory:']);
    expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:[1-9]\d*$/);
  });

  it('keeps its database under ./data by default, or under $USAGEBUDGET_DATA_DIR', async () => {
    const dataDir = join(scratch.dir, 'elsewhere');
    const env = { ...process.env, USAGEBUDGET_DATA_DIR: '' };
    await firstStdoutLine(['--port', '0'], { cwd: scratch.dir, env });
    expect(existsSync(join(scratch.dir, 'data', 'usagebudget.sqlite'))).toBe(true);
    await firstStdoutLine(['--port', '0'], { cwd: scratch.dir, env: { ...env, USAGEBUDGET_DATA_DIR: dataDir } });
    expect(existsSync(join(dataDir, 'usagebudget.sqlite'))).toBe(true);
  });

  it('serves the demo partner when started without a config', async () => {
    const server = await startServerProcess({ db: ':memory:', args: ['--no-access-log'] });
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
