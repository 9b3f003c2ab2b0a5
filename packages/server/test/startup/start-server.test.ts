import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BASE_URL, startServer } from '../../src/index.js';
import { budgetPath, demoPartner, jsonHeaders, randomPartner, sendRaw } from '../../src/testing/index.js';

describe('startServer', () => {
  it('listens on the port it was given or a free one, and frees it on close()', async () => {
    const server = await startServer({ port: 0, db: ':memory:' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect(server.db).toBe(':memory:');
    const response = await sendRaw(server.url, {
      path: budgetPath(demoPartner.customerId),
      headers: jsonHeaders(demoPartner.token),
    });
    expect(response.status).toBe(200);
    await Promise.all([server.close(), server.close()]);
    await expect(sendRaw(server.url, { path: '/healthz' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(DEFAULT_BASE_URL).toBe('http://127.0.0.1:4020');
  });

  it.each([
    [{ headersTimeoutMs: 0 }, /headersTimeoutMs must be a positive integer/],
    [{ requestTimeoutMs: 1.5 }, /requestTimeoutMs must be a positive integer/],
    [
      { headersTimeoutMs: 5_000, requestTimeoutMs: 4_000 },
      /headersTimeoutMs \(5000\) must not exceed requestTimeoutMs/,
    ],
    [{ maxConnections: -1 }, /maxConnections must be a positive integer/],
  ])('refuses the limits %o before it opens anything', async (limits, message) => {
    await expect(startServer({ port: 0, db: ':memory:', ...limits })).rejects.toThrow(message);
  });

  it('leaves Object.prototype alone whatever keys a body has', async () => {
    const server = await startServer({ port: 0, db: ':memory:' });
    try {
      const bodies = [
        '{"__proto__": {"polluted": true}, "amount": 1}',
        '{"constructor": {"prototype": {"polluted": true}}, "amount": 2}',
        '{"Amount": 3, "attributes": {"__proto__": {"polluted": true}}}',
      ];
      for (const body of bodies) {
        const response = await sendRaw(server.url, {
          method: 'PATCH',
          path: budgetPath(demoPartner.customerId),
          headers: jsonHeaders(demoPartner.token),
          body,
        });
        expect(response.status).toBe(200);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    } finally {
      await server.close();
    }
  });

  it('writes its access log where told, and lets options.throttle override the config', async () => {
    const partner = randomPartner('In-process partner');
    let log = '';
    const server = await startServer({
      port: 0,
      db: ':memory:',
      config: { partners: [partner], throttle: { requestsPerSecond: 0.001, burst: 1 } },
      throttle: null,
      accessLog: (chunk) => {
        log += chunk;
      },
    });
    const requestId = randomUUID();
    try {
      for (let i = 0; i < 3; i++) {
        const response = await sendRaw(server.url, {
          path: budgetPath(partner.customers[0] as string),
          headers: jsonHeaders(partner.tokens[0], { 'MS-CorrelationId': requestId }),
        });
        expect(response.status).toBe(200);
      }
    } finally {
      await server.close();
    }
    expect(log.split('\n').filter((line) => line.includes(requestId))).toHaveLength(3);
  });

  it('rejects an invalid config before it listens', async () => {
    await expect(startServer({ port: 0, db: ':memory:', config: { partners: [] } })).rejects.toThrow(
      'at least one partner',
    );
  });
});
