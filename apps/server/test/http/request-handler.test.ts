import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { spec } from '@usagebudget/openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetOperations } from '../../src/budget/budget-operations.js';
import { compileContract } from '../../src/contract/compile-contract.js';
import { specValidator } from '../../src/contract/spec-validator.js';
import { createAccessLog } from '../../src/http/access-log.js';
import { createRequestHandler } from '../../src/http/request-handler.js';
import { staticFiles } from '../../src/http/static-routes.js';
import { createPartnerDirectory } from '../../src/partners/partner-directory.js';
import type { BudgetStore } from '../../src/storage/budget-store.js';
import { type LoopbackServer, listenOnLoopback, randomPartner } from '../../src/testing/index.js';
import { budgetPath, jsonHeaders, send } from '../support/http.js';
import { specViolations } from '../support/spec-conformance.js';

// A store whose disk has failed: the one way left to make the server fault.
const failing: BudgetStore = {
  readAmount: () => {
    throw new Error('disk I/O error (simulated)');
  },
  update: () => {
    throw new Error('disk I/O error (simulated)');
  },
  pruneReplays: () => {},
  clear: () => {},
  ping: () => {
    throw new Error('disk I/O error (simulated)');
  },
  close: () => {},
};

const partner = randomPartner('Unlucky partner');
const token = partner.tokens[0] as string;
const path = budgetPath(partner.customers[0] as string);
let logged = '';
let server: LoopbackServer;
let url: string;
const log = createAccessLog((chunk) => {
  logged += chunk;
});

beforeAll(async () => {
  const handler = createRequestHandler({
    routes: compileContract(spec, specValidator),
    partners: createPartnerDirectory({ partners: [partner] }),
    operations: budgetOperations(failing),
    store: failing,
    throttle: undefined,
    files: staticFiles(),
    log,
    closing: () => false,
    answered: new WeakSet(),
  });
  server = await listenOnLoopback(createServer(handler));
  url = server.url;
});

afterAll(() => server.close());

describe('a real fault', () => {
  it('answers 500 with an ApiFault 800003 the spec declares, and logs the error against the request id', async () => {
    const requestId = randomUUID();
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', '{"amount": 1}'],
    ] as const) {
      const response = await send(url, {
        method,
        path,
        headers: jsonHeaders(token, { 'MS-RequestId': requestId }),
        ...(body ? { body } : {}),
      });
      expect(response.status).toBe(500);
      expect(JSON.parse(response.text)).toMatchObject({ code: 800003, description: 'Unexpected service error' });
      expect(response.text).not.toContain('disk');
      expect(specViolations(method, path, response)).toEqual([]);
    }
    log.flush();
    const faults = logged
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.kind === 'fault');
    expect(faults).toHaveLength(2);
    expect(faults[0]).toMatchObject({ requestId, error: expect.stringContaining('disk I/O error (simulated)') });
    expect(logged).not.toContain(token);
  });

  it('fails /healthz when the database does not answer, and keeps serving', async () => {
    expect((await send(url, { path: '/healthz' })).status).toBe(500);
    expect((await send(url, { path: '/openapi.json' })).status).toBe(200);
  });
});
