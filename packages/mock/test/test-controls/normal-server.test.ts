import { startServer } from '@usagebudget/server';
import { jsonHeaders, sendRaw } from '@usagebudget/server/testing';
import { describe, expect, it } from 'vitest';
import { testControlsSpec } from '../../src/test-controls/admin-spec.js';
import { partner, token } from '../support/test-controls.js';

describe('a normal server', () => {
  it('answers 404 at every path of the test controls, whatever the method', async () => {
    const normal = await startServer({ port: 0, db: ':memory:', config: { partners: [partner] } });
    try {
      for (const [path, item] of Object.entries(testControlsSpec.paths)) {
        for (const method of Object.keys(item ?? {}).filter((key) => key !== 'parameters')) {
          const response = await sendRaw(normal.url, {
            method: method.toUpperCase(),
            path: path.replace('{id}', '1'),
            headers: jsonHeaders(token),
            body: method === 'get' ? undefined : '{}',
          });
          expect(response.status, `${method} ${path}`).toBe(404);
          expect(JSON.parse(response.text)).toMatchObject({ code: 'NotFound' });
        }
      }
    } finally {
      await normal.close();
    }
  });
});
