import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  budgetPath,
  demoPartner,
  jsonHeaders,
  randomPartner,
  sendRaw,
  startServerProcess,
} from '../../src/testing/index.js';
import { scratchDir } from '../support/use-server.js';

describe('startServerProcess', () => {
  it('runs the bin with a throwaway config and database, and removes them when stopped', async () => {
    const partner = randomPartner('Scratch partner');
    const server = await startServerProcess({ config: { partners: [partner] } });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(server.db).toBe(join(server.dir, 'usagebudget.sqlite'));
      expect(JSON.parse(readFileSync(join(server.dir, 'config.json'), 'utf8'))).toEqual({ partners: [partner] });
      const path = budgetPath(partner.customers[0] as string);
      expect((await sendRaw(server.url, { path, headers: jsonHeaders(partner.tokens[0]) })).status).toBe(200);
      expect((await sendRaw(server.url, { path, headers: jsonHeaders(demoPartner.token) })).status).toBe(401);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(existsSync(server.dir)).toBe(false);
    await expect(sendRaw(server.url, { path: '/healthz' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it("leaves out the USAGEBUDGET_* settings of the caller's environment unless given", async () => {
    const admin = { path: '/_admin/namespaces', headers: { Authorization: 'Bearer shell-admin-token' } };
    process.env.USAGEBUDGET_ADMIN_TOKEN = 'shell-admin-token';
    try {
      const plain = await startServerProcess({ args: ['--no-access-log'] });
      const told = await startServerProcess({ args: ['--no-access-log'], env: { ...process.env } });
      try {
        expect((await sendRaw(plain.url, admin)).status).toBe(404);
        expect((await sendRaw(told.url, admin)).status).not.toBe(404);
      } finally {
        await Promise.all([plain.stop(), told.stop()]);
      }
    } finally {
      delete process.env.USAGEBUDGET_ADMIN_TOKEN;
    }
  });

  it('removes its scratch folder after a kill -9 too, and leaves a database of the caller in place', async () => {
    const scratch = scratchDir();
    try {
      const db = join(scratch.dir, 'kept.sqlite');
      const server = await startServerProcess({ db, args: ['--no-access-log'] });
      expect(server.db).toBe(db);
      process.kill(server.pid, 'SIGKILL');
      expect(await server.exited).toBe('SIGKILL');
      expect(existsSync(server.dir)).toBe(false);
      expect(existsSync(db)).toBe(true);
    } finally {
      scratch.remove();
    }
  });

  it('serves the demo partner without a config, and rejects with the reason of a server that cannot start', async () => {
    const demo = await startServerProcess({ db: ':memory:' });
    try {
      const path = budgetPath(demoPartner.customerId);
      expect((await sendRaw(demo.url, { path, headers: jsonHeaders(demoPartner.token) })).status).toBe(200);
    } finally {
      await demo.stop();
    }
    const failed = startServerProcess({ config: { partners: [] } });
    await expect(failed).rejects.toThrow(/exited with 1 before it was ready[\s\S]*at least one partner/);
  });
});
