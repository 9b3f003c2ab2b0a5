import { fileURLToPath } from 'node:url';
import { spec } from '@usagebudget/openapi';
import { specOperations } from '@usagebudget/openapi/operations';
import { freePort, type StartedProcess, startProcess } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/mock.mjs', import.meta.url));
const customer = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';

describe('pnpm mock', () => {
  let mock: StartedProcess;
  let url: string;

  beforeAll(async () => {
    // The script's default port is 4010; a free one keeps this test from colliding with it.
    mock = await startProcess({
      name: 'pnpm mock',
      command: process.execPath,
      args: [script, '--port', String(await freePort())],
      ready: /^mock: serving \S+ at (http:\/\/127\.0\.0\.1:\d+)/,
      timeoutMs: 60_000,
    });
    url = mock.ready[1] as string;
  });

  afterAll(async () => {
    await mock?.stop();
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
  });

  it('stops Prism and exits 0 on SIGTERM', async () => {
    expect(await mock.stop('SIGTERM')).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });
});
