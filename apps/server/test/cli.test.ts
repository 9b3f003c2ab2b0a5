import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoPartner } from '../src/demo-partner.js';
import { jsonHeaders, send } from './support/http.js';
import { budgetPath, CLI, scratchDir, startServerProcess } from './support/server-process.js';

const scratch = scratchDir();
afterAll(() => scratch.remove());

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });

/** Resolves with the first line the process writes to stdout, then stops it by its pid. */
function firstStdoutLine(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const child = spawn(process.execPath, [CLI, ...args], { ...options, stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('no stdout line within 20 s')), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end === -1) return;
      clearTimeout(timer);
      resolve(text.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before writing a line`)));
  }).finally(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  });
}

describe('usagebudget-server CLI', () => {
  it('prints its usage with --help and exits 0', () => {
    const result = run(['--help']);
    expect(result.status).toBe(0);
    for (const flag of ['--host', '--port', '--db', '--config', '--rate-limit', '--burst', '--no-access-log']) {
      expect(result.stdout).toContain(flag);
    }
  });

  it.each([
    [['--port', 'abc'], '--port: invalid value'],
    [['--port', '70000'], '--port: invalid value'],
    [['--burst', '5'], '--burst needs --rate-limit'],
    [['--rate-limit=-1'], '--rate-limit: invalid value'],
    [['--verbose'], "Unknown option '--verbose'"],
  ])('exits 2 with the usage on bad flags %j', (args, message) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: usagebudget-server');
  });

  it('exits 1 with the reason when the config cannot be used', () => {
    const missing = run(['--port', '0', '--db', ':memory:', '--config', join(scratch.dir, 'missing.json')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('missing.json');
    const invalid = scratch.config({ partners: [] } as never);
    expect(run(['--port', '0', '--db', ':memory:', '--config', invalid]).stderr).toContain('at least one partner');
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
    const server = await startServerProcess(['--db', ':memory:', '--no-access-log']);
    try {
      const path = budgetPath(demoPartner.customerId);
      const set = await send(server.url, {
        method: 'PATCH',
        path,
        headers: jsonHeaders(demoPartner.token, { 'MS-RequestId': randomUUID() }),
        body: '{"amount": 100}',
      });
      expect(set.status).toBe(200);
      const read = await send(server.url, { path, headers: jsonHeaders(demoPartner.token) });
      expect(JSON.parse(read.text)).toMatchObject({ amount: 100 });
      expect(server.output()).not.toContain('"kind":"access"');
    } finally {
      await server.stop();
    }
  });
});
