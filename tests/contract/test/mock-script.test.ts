import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spec } from '@usagebudget/openapi';
import { specOperations } from '@usagebudget/openapi/operations';
import { freePort, runToEnd, type StartedProcess, startProcess } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const rootDir = fileURLToPath(new URL('../../..', import.meta.url));
const customer = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';

/**
 * The command `pnpm mock` runs once its build step is done: the root package.json's `mock` script
 * after its last `&&`, as words (`node packages/mock/bin/usagebudget-mock.js --mode static`).
 * Run here as it is, with this Node, from the repository's root.
 */
function mockCommand(): { script: string; args: string[] } {
  const manifest = JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const script = manifest.scripts.mock ?? '';
  const [command, ...args] = (script.split('&&').at(-1) ?? '').trim().split(/\s+/);
  if (command !== 'node') throw new Error(`pnpm mock should end with a node command: ${script}`);
  return { script, args };
}

describe('pnpm mock', () => {
  const { script, args } = mockCommand();
  let mock: StartedProcess;
  let url: string;

  beforeAll(async () => {
    // Its default port is 4010; a free one (pnpm passes `--port` on) keeps this test from colliding with it.
    mock = await startProcess({
      name: 'pnpm mock',
      command: process.execPath,
      args: [...args, '--port', String(await freePort())],
      cwd: rootDir,
      ready: /^usagebudget-mock: try curl .* (http:\/\/127\.0\.0\.1:\d+)\//,
      timeoutMs: 180_000,
    });
    url = mock.ready[1] as string;
  });

  afterAll(async () => {
    await mock?.stop();
  });

  it('is the static mock of the bin, on port 4010 unless told', async () => {
    expect(script).toContain('--filter=@usagebudget/mock ');
    expect(args).toEqual(['packages/mock/bin/usagebudget-mock.js', '--mode', 'static']);
    expect(mock.stdout().split('\n')[0]).toBe(`listening on ${url}`);
    const help = await runToEnd(process.execPath, [args[0] as string, '--help'], { cwd: rootDir, timeoutMs: 30_000 });
    expect(help.stdout).toContain('(default 4010)');
  });

  it('prints how to try it: a request of the spec, with the Prefer header that picks a response', () => {
    const [first] = specOperations(spec);
    const path = first?.path.replace('{customerTenantId}', customer);
    expect(mock.output()).toContain(
      `usagebudget-mock: try curl -H 'Authorization: Bearer x' -H 'Prefer: code=404' ${url}${path}\n`,
    );
  });

  it('serves the spec with its security check', async () => {
    const [first] = specOperations(spec);
    const endpoint = `${url}${first?.path.replace('{customerTenantId}', customer)}`;
    const allowed = await fetch(endpoint, { headers: { Authorization: 'Bearer anything' } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ amount: 100 });
    const refused = await fetch(endpoint);
    expect(refused.status).toBe(401);
    await refused.arrayBuffer();
    const picked = await fetch(endpoint, { headers: { Authorization: 'Bearer anything', Prefer: 'code=404' } });
    expect(picked.status).toBe(404);
    await picked.arrayBuffer();
  });

  it('stops Prism and exits 0 on SIGTERM', async () => {
    expect(await mock.stop('SIGTERM')).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });
});
