import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ExtendServer,
  type ExtensionContext,
  parseConfig,
  type ServerOptions,
  startServer,
} from '../../src/index.js';
import { budgetPath, jsonHeaders, randomPartner, sendRaw } from '../../src/testing/index.js';

const partner = randomPartner('Extended partner', 1);
const [customer] = partner.customers as [string];
const token = partner.tokens[0] as string;
const config = { partners: [{ ...partner, customers: [{ id: customer, budget: 40 }] }] };
const scratch = mkdtempSync(join(tmpdir(), 'usagebudget-extension-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const budgetOf = async (url: string, as = token, id = customer) =>
  sendRaw(url, { path: budgetPath(id), headers: jsonHeaders(as) });
/** An in-memory server of `config`, with this extension and these other options. */
const startExtended = (extend: ExtendServer, options: ServerOptions = {}) =>
  startServer({ port: 0, db: ':memory:', config, extend, ...options });

describe('startServer({ extend })', () => {
  it('puts the extension in front of the API: it answers what it wants, and passes the rest on', async () => {
    let context: ExtensionContext | undefined;
    const seen: string[] = [];
    const server = await startExtended((given) => {
      context = given;
      return {
        listener: (req, res) => {
          seen.push(`${req.method} ${req.url}`);
          if (req.url === '/extra') res.writeHead(418, { 'Content-Type': 'text/plain' }).end('the extension');
          else given.api(req, res);
        },
      };
    });
    try {
      expect(context?.host).toBe('127.0.0.1');
      const extra = await sendRaw(server.url, { path: '/extra' });
      expect([extra.status, extra.text]).toEqual([418, 'the extension']);
      const passed = await budgetOf(server.url);
      expect(passed.status).toBe(200);
      expect(JSON.parse(passed.text)).toMatchObject({ amount: 40 });
      expect(seen).toEqual(['GET /extra', `GET ${budgetPath(customer)}`]);
    } finally {
      await server.close();
    }
  });

  it('lets the extension start again from another config: rows deleted, new partners served, old tokens refused', async () => {
    let context: ExtensionContext | undefined;
    const server = await startExtended((given) => {
      context = given;
      return { listener: given.api };
    });
    try {
      const patched = await sendRaw(server.url, {
        method: 'PATCH',
        path: budgetPath(customer),
        headers: jsonHeaders(token),
        body: '{"amount": 7}',
      });
      expect(patched.status).toBe(200);
      const newcomer = randomPartner('Newcomer', 1);
      const [newCustomer] = newcomer.customers as [string];
      context?.reset(parseConfig({ partners: [{ ...newcomer, customers: [{ id: newCustomer, budget: 9 }] }] }));
      expect(JSON.parse((await budgetOf(server.url, newcomer.tokens[0], newCustomer)).text)).toMatchObject({
        amount: 9,
      });
      expect((await budgetOf(server.url)).status).toBe(401);
      // Back to the first config: the PATCH's budget went with the other rows, the config's is back.
      context?.reset(parseConfig(config));
      expect(JSON.parse((await budgetOf(server.url)).text)).toMatchObject({ amount: 40 });
    } finally {
      await server.close();
    }
  });

  it("starts the throttle's buckets full again when the extension resets, the throttle given by startServer's options", async () => {
    let context: ExtensionContext | undefined;
    // One token in 1,000 s: none comes back while the test runs.
    const server = await startExtended(
      (given) => {
        context = given;
        return { listener: given.api };
      },
      { throttle: { requestsPerSecond: 0.001, burst: 1 } },
    );
    try {
      expect((await budgetOf(server.url)).status).toBe(200);
      expect((await budgetOf(server.url)).status).toBe(429);
      context?.reset(parseConfig(config));
      expect((await budgetOf(server.url)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("writes the extension's faults to the access log, and closes it before waiting for requests in flight", async () => {
    let log = '';
    const events: string[] = [];
    const server = await startExtended(
      (given) => ({
        listener: (req, res) => {
          given.reportFault(new Error('the extension stumbled'));
          given.api(req, res);
        },
        close: () => events.push('extension closed'),
      }),
      {
        accessLog: (chunk) => {
          log += chunk;
        },
      },
    );
    expect((await budgetOf(server.url)).status).toBe(200);
    await server.close();
    events.push('server closed');
    expect(events).toEqual(['extension closed', 'server closed']);
    const faults = log
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; requestId: unknown; error?: string })
      .filter((line) => line.kind === 'fault');
    expect(faults).toMatchObject([{ requestId: null, error: expect.stringContaining('the extension stumbled') }]);
  });

  it('stops the start when the extension throws, and lets the database go', async () => {
    const db = join(scratch, 'refused.sqlite');
    const refusing: ExtendServer = () => {
      throw new Error('no extension today');
    };
    await expect(startExtended(refusing, { db })).rejects.toThrow('no extension today');
    // The file's lock went with the store: another server opens it.
    const next = await startServer({ port: 0, db, config });
    await next.close();
  });

  it('is optional: without one, the API alone answers every request', async () => {
    const server = await startServer({ port: 0, db: ':memory:', config });
    try {
      const response = await sendRaw(server.url, { path: '/_mock/reset', method: 'POST', headers: jsonHeaders(token) });
      expect(response.status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it("resets the config's partners only: a namespace's rows and tokens outlive the extension's reset", async () => {
    const adminToken = `admin-${'x'.repeat(16)}`;
    let context: ExtensionContext | undefined;
    const server = await startExtended(
      (given) => {
        context = given;
        return { listener: given.api };
      },
      { adminToken },
    );
    try {
      const created = await sendRaw(server.url, {
        method: 'POST',
        path: '/_admin/namespaces',
        headers: jsonHeaders(adminToken),
        // The same customer id as the config's: a namespace has customers of its own.
        body: JSON.stringify({ customers: [{ id: customer, budget: 7 }] }),
      });
      expect(created.status).toBe(201);
      const nsToken = (JSON.parse(created.text) as { tokens: { token: string }[] }).tokens[0]?.token as string;
      const set = await sendRaw(server.url, {
        method: 'PATCH',
        path: budgetPath(customer),
        headers: jsonHeaders(nsToken),
        body: '{"amount": 70}',
      });
      expect(set.status).toBe(200);
      await sendRaw(server.url, {
        method: 'PATCH',
        path: budgetPath(customer),
        headers: jsonHeaders(token),
        body: '{"amount": 400}',
      });
      await context?.reset(parseConfig(config));
      expect(JSON.parse((await budgetOf(server.url)).text)).toMatchObject({ amount: 40 });
      expect(JSON.parse((await budgetOf(server.url, nsToken)).text)).toMatchObject({ amount: 70 });
    } finally {
      await server.close();
    }
  });

  it('has no admin API unless given an admin token: its paths are 404, as any unknown path', async () => {
    const server = await startServer({ port: 0, db: ':memory:', config });
    try {
      const unknown = await sendRaw(server.url, { path: '/nowhere', headers: jsonHeaders(token) });
      for (const method of ['GET', 'POST']) {
        for (const path of ['/_admin/namespaces', `/_admin/namespaces/${customer}`]) {
          const answer = await sendRaw(server.url, { method, path, headers: jsonHeaders('an-admin-token-guess') });
          expect(answer.status).toBe(404);
          expect(JSON.parse(answer.text)).toEqual(JSON.parse(unknown.text));
        }
      }
    } finally {
      await server.close();
    }
    await expect(startServer({ port: 0, db: ':memory:', config, adminToken: 'short' })).rejects.toThrow(
      'at least 16 characters',
    );
    await expect(startServer({ port: 0, db: ':memory:', config, adminToken: `${token}` })).rejects.toThrow(
      "also a partner's token",
    );
  });
});
